import { type Capabilities, type Connection, Consumer, Publisher, type QueueSpec } from '@warren/core';
import type { ExpectStatic } from 'vitest';
import { Inbox, type InboxOptions } from './helpers/inbox.js';
import { uniqueName } from './helpers/names.js';

export type PublisherOptions = NonNullable<ConstructorParameters<typeof Publisher>[1]>;
export type ConsumerOptions = NonNullable<ConstructorParameters<typeof Consumer>[1]>;

interface Closable {
  close(): Promise<void>;
}

/**
 * What one test works with. Everything made through it (connections, publishers, consumers, queues, exchanges)
 * has a unique name and is closed or deleted when the test ends, whether it passed or not, so that tests stay
 * independent and a broker shared by many runs is left clean.
 */
export class TestScope {
  readonly #clients: Closable[] = [];
  readonly #connections: Connection[] = [];
  readonly #queues = new Map<string, QueueSpec>();
  readonly #exchanges = new Set<string>();

  constructor(
    /** The suite's shared connection. */
    readonly conn: Connection,
    /** The capabilities of the transport under test. */
    readonly caps: Capabilities,
    /** The runner's `expect`. */
    readonly expect: ExpectStatic,
    /** Multiplies every timeout (see `ConformanceOptions.timeScale`). */
    readonly timeScale: number,
    /** Opens another connection to the broker under test (closed by `dispose`). */
    readonly openConnection: () => Promise<Connection>,
  ) {}

  /** A duration scaled by the suite's `timeScale`. */
  ms(base: number): number {
    return Math.round(base * this.timeScale);
  }

  /** A unique queue name, deleted when the test ends. */
  queue(label: string): string {
    const name = uniqueName(label);
    this.#queues.set(name, { name });
    return name;
  }

  /** A unique exchange name, deleted when the test ends. */
  exchange(label: string): string {
    const name = uniqueName(label);
    this.#exchanges.add(name);
    return name;
  }

  /** Declares a queue on the shared connection and remembers its spec, for {@link depth}. */
  async declareQueue(spec: QueueSpec & { name: string }): Promise<void> {
    this.#queues.set(spec.name, spec);
    await this.conn.declareQueue(spec);
  }

  /** Records the spec of a queue that a consumer declared, so that {@link depth} redeclares it the same way. */
  rememberQueue(spec: QueueSpec & { name: string }): void {
    this.#queues.set(spec.name, spec);
  }

  /** Messages ready in a queue (not counting deliveries in flight), as the broker reports on redeclare. */
  async depth(name: string): Promise<number> {
    const info = await this.conn.declareQueue(this.#queues.get(name) ?? { name });
    return info.messageCount;
  }

  /** A new connection of the transport under test, closed when the test ends. */
  async connect(): Promise<Connection> {
    const connection = await this.openConnection();
    this.#connections.push(connection);
    return connection;
  }

  /** A publisher on the scope's connection (or `connection`), closed by `dispose`. */
  publisher(options: PublisherOptions, connection: Connection = this.conn): Publisher {
    const publisher = new Publisher(connection, options);
    this.#clients.push(publisher);
    return publisher;
  }

  /** Closes `client` (an RpcServer, RpcClient, SimpleQueue, ...) when the test ends; returns it. */
  track<T extends Closable>(client: T): T {
    this.#clients.push(client);
    return client;
  }

  /** A consumer; on a transport without acks it auto-acknowledges unless told otherwise (acks are then no-ops). */
  consumer(options: ConsumerOptions, connection: Connection = this.conn): Consumer {
    const consumer = new Consumer(connection, { noAck: !this.caps.acks, ...options });
    this.#clients.push(consumer);
    return consumer;
  }

  /** A consumer with an {@link Inbox} attached; not yet consuming. */
  inbox(
    options: ConsumerOptions,
    inboxOptions?: InboxOptions,
    connection?: Connection,
  ): {
    /** The consumer, not yet consuming. */
    consumer: Consumer;
    /** What it receives. */
    inbox: Inbox;
  } {
    const consumer = this.consumer(options, connection);
    return { consumer, inbox: new Inbox(consumer, inboxOptions) };
  }

  /**
   * Closes clients, deletes queues and exchanges, then closes connections. Returns the errors of closing
   * clients and connections (a test fails on them: close must not throw); a queue or exchange that is already
   * gone is no error.
   */
  async dispose(): Promise<Error[]> {
    const errors: Error[] = [];
    const attempt = async (work: () => Promise<unknown>, report: boolean): Promise<void> => {
      try {
        await work();
      } catch (error) {
        if (report) errors.push(error instanceof Error ? error : new Error(String(error)));
      }
    };
    // Clients first, in reverse: a consumer closing hands its unacked messages back before its queue goes.
    for (const client of this.#clients.reverse()) await attempt(() => client.close(), true);
    for (const name of this.#queues.keys()) await attempt(() => this.conn.deleteQueue(name), false);
    for (const name of this.#exchanges) await attempt(() => this.conn.deleteExchange(name), false);
    for (const connection of this.#connections) await attempt(() => connection.close(), true);
    return errors;
  }
}
