import type { Connection } from '@warren/core';
import {
  BroadcastConsumer,
  type BroadcastConsumerOptions,
  createProducer,
  type ProducerFunction,
} from './broadcast.js';
import { BROADCAST, type Broadcastable, defaultRegistry, type EventRegistry } from './registry.js';

/** zamqp's default exchange for events. */
export const EVENTS_EXCHANGE = 'zamqp.events.fanout';

/** Where a remote event goes. */
export interface RemoteEventOptions {
  /** Default `zamqp.events.fanout`. */
  exchange?: string;
  /** The registry that knows the event's type (default: the process's). */
  registry?: EventRegistry;
}

/** One producer per connection and exchange, so that the exchange is declared once. */
const producers = new WeakMap<Connection, Map<string, ProducerFunction>>();

function producerFor(connection: Connection, exchange: string): ProducerFunction {
  let byExchange = producers.get(connection);
  if (!byExchange) {
    byExchange = new Map();
    producers.set(connection, byExchange);
  }
  let produce = byExchange.get(exchange);
  if (!produce) {
    produce = createProducer(connection, { exchange, exchangeType: 'fanout' });
    byExchange.set(exchange, produce);
  }
  return produce;
}

/**
 * zamqp's AMQPEvent: wraps an event so that notifying it broadcasts it through a fanout exchange, on any warren
 * transport. `await notify(new RemoteEvent(conn, new MyEvent()))` resolves once the broker took it and rejects
 * otherwise (the local subscribers then do not see it). The event's type must be registered (`registerEvent`) here
 * and in every receiving process.
 */
export class RemoteEvent<T extends object = object> implements Broadcastable {
  /** The connection it is sent on. */
  readonly connection: Connection;
  /** The event that receiving processes rebuild and notify. */
  readonly event: T;
  /** The exchange it goes through. */
  readonly exchange: string;
  readonly #registry: EventRegistry;

  constructor(connection: Connection, event: T, options: RemoteEventOptions = {}) {
    this.connection = connection;
    this.event = event;
    this.exchange = options.exchange ?? EVENTS_EXCHANGE;
    this.#registry = options.registry ?? defaultRegistry;
  }

  /** Sends the event now (what `notify` does); resolves once the broker took it. */
  send(): Promise<void> {
    try {
      const envelope = this.#registry.encode(this.event);
      return producerFor(this.connection, this.exchange)(envelope, { type: envelope.type });
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Called by `notify`. */
  [BROADCAST](): Promise<void> {
    return this.send();
  }
}

/** Options of an EventConsumer. */
export interface EventConsumerOptions extends Omit<BroadcastConsumerOptions, 'schema' | 'exchangeType' | 'routingKey'> {
  /** The registry to rebuild events with and notify (default: the process's). */
  registry?: EventRegistry;
}

/**
 * Receives remote events and notifies each, rebuilt as an instance of its registered class, in this process. A
 * message is acknowledged only after every subscriber ran. An unknown type or data that fails its schema is
 * rejected (dead-lettered where the queue has a dead-letter exchange) and reported on 'error'; it never reaches a
 * subscriber.
 */
export class EventConsumer extends BroadcastConsumer {
  constructor(connection: Connection, options: EventConsumerOptions = {}) {
    const registry = options.registry ?? defaultRegistry;
    const { registry: _registry, ...broadcast } = options;
    super(connection, { ...broadcast, exchange: options.exchange ?? EVENTS_EXCHANGE, exchangeType: 'fanout' }, (body) =>
      registry.notify(registry.decode(body)),
    );
  }
}
