import { z } from 'zod';
import type { Capabilities } from '../capabilities.js';
import { EXCHANGE_TYPES } from '../topology.js';
import type { TransportFactory } from '../transport.js';
import { MemoryBroker } from './broker.js';
import { MemorySession } from './session.js';

/** memory:// options, from the options object or the URL's query (`memory://name?highWaterMark=1000`). */
export const memoryOptionsSchema = z
  .object({
    /** Ready messages per queue at which sends wait for room (unstored). */
    highWaterMark: z.coerce.number().int().positive().default(10_000),
    /** Ready payload bytes per queue at which sends wait for room (unstored). Default 64 MiB. */
    highWaterMarkBytes: z.coerce
      .number()
      .int()
      .positive()
      .default(64 * 2 ** 20),
  })
  .strict();

export type MemoryOptions = z.infer<typeof memoryOptionsSchema>;

/** Everything but what needs a broker outside the process: nothing survives a restart, nothing to cut. */
export const MEMORY_CAPABILITIES: Capabilities = Object.freeze({
  exchangeTypes: EXCHANGE_TYPES,
  exchangeToExchange: true,
  persistent: false,
  acks: true,
  requeue: true,
  deadLetter: true,
  priorities: true,
  ttl: true,
  maxLength: true,
  guaranteedOrder: true,
  publisherConfirms: true,
  mandatory: true,
  exclusiveQueues: true,
  fetch: true,
  restartable: false,
});

const BROKERS_KEY = Symbol.for('warren.memory.brokers');
type BrokerRegistry = Map<string, MemoryBroker>;

/**
 * Brokers by name, kept on globalThis so that every copy of @warren/core loaded in one process (a bundler or a
 * nested node_modules can load two) shares the same `memory://` broker.
 */
function brokers(): BrokerRegistry {
  const holder = globalThis as { [BROKERS_KEY]?: BrokerRegistry };
  holder[BROKERS_KEY] ??= new Map();
  return holder[BROKERS_KEY];
}

/** The named in-process broker (`memory://` is the name ''). Created on first use. */
export function memoryBroker(name: string, options: MemoryOptions): MemoryBroker {
  const registry = brokers();
  let broker = registry.get(name);
  if (!broker) {
    broker = new MemoryBroker({
      highWaterMark: options.highWaterMark,
      highWaterMarkBytes: options.highWaterMarkBytes,
    });
    registry.set(name, broker);
  }
  return broker;
}

/**
 * The built-in `memory://` transport: one in-process broker per name (`memory://` and `memory://name`), with every
 * capability but `restartable`.
 */
export const memoryTransport: TransportFactory<MemoryOptions> = {
  name: 'memory',
  schemes: ['memory'],
  capabilities: MEMORY_CAPABILITIES,
  optionsSchema: memoryOptionsSchema,
  async connect(request) {
    const name = decodeURIComponent(request.url.host + request.url.pathname.replace(/^\/+$/, ''));
    return new MemorySession(
      memoryBroker(name, request.options),
      MEMORY_CAPABILITIES,
      request.publishTimeoutMs,
      request.hooks,
    );
  },
};
