import type { ExchangeType } from './topology.js';

/**
 * What a transport can do, as data (kombu's `implements`). The conformance suite runs only the tests that a
 * transport's capabilities claim; user code reads it to decide, and asking for something unsupported throws
 * `UnsupportedFeatureError` instead of silently doing something else.
 */
export interface Capabilities {
  readonly exchangeTypes: readonly ExchangeType[];
  readonly exchangeToExchange: boolean;
  /** Durable queues and persistent messages survive a broker restart. */
  readonly persistent: boolean;
  readonly acks: boolean;
  readonly requeue: boolean;
  readonly deadLetter: boolean;
  readonly priorities: boolean;
  readonly ttl: boolean;
  readonly maxLength: boolean;
  /** One queue delivers to one consumer in publish order. */
  readonly guaranteedOrder: boolean;
  readonly publisherConfirms: boolean;
  readonly mandatory: boolean;
  readonly exclusiveQueues: boolean;
  readonly fetch: boolean;
  /** The connection can be cut and the transport recovers (the conformance suite cuts it). */
  readonly restartable: boolean;
}

export type CapabilityFlag = Exclude<keyof Capabilities, 'exchangeTypes'>;
