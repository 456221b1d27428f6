import { z } from 'zod';
import { AcceptList } from './codec.js';
import type { Connection } from './connection.js';
import { decodeDelivery } from './consumer-dispatch.js';
import { Queue } from './declarative/queue.js';
import { ConfigurationError, MessageStateError } from './errors.js';
import type { Message } from './message.js';
import { parseOptions } from './options.js';
import { Publisher, type SendOptions } from './publisher.js';
import type { QueueArguments } from './topology.js';

/** What `new SimpleQueue(conn, name, options)` takes. */
export interface SimpleQueueOptions {
  /** Survives a broker restart (default true). */
  durable?: boolean | undefined;
  /** Queue arguments (TTL, max length, ...). */
  queueArguments?: QueueArguments | undefined;
  /** Serializer of `put` (default `'json'`). */
  serializer?: string | undefined;
  /** Compression of `put` (default none). */
  compression?: string | undefined;
  /** Serializer names or content types that `get` decodes (default `['json']`). */
  accept?: string[] | undefined;
}

/** What {@link SimpleQueue.get} takes. */
export interface SimpleGetOptions {
  /** How long to wait for a message when the queue is empty (default 0: do not wait). */
  timeoutMs?: number | undefined;
}

const simpleQueueOptionsSchema = z
  .object({
    durable: z.boolean().optional(),
    queueArguments: z.record(z.string(), z.unknown()).optional(),
    serializer: z.string().optional(),
    compression: z.string().optional(),
    accept: z.array(z.string()).optional(),
  })
  .strict();

const getOptionsSchema = z.object({ timeoutMs: z.number().min(0).optional() }).strict();

/** How often an empty queue is looked at again while `get` waits: from the first to the last, doubling. */
const FIRST_POLL_MS = 5;
const LAST_POLL_MS = 100;

/**
 * kombu's SimpleQueue: a durable queue on the default exchange, used like a local queue. `put` sends (confirmed),
 * `get` takes one message (a {@link Message} to ack, or null when none came within `timeoutMs`), `size` counts
 * the ready messages, `clear` drops them. The queue is declared on first use. `get` needs a transport that can
 * take one message at a time (`capabilities.fetch`).
 */
export class SimpleQueue<TBody = unknown> {
  /** The connection it works on. */
  readonly connection: Connection;
  /** The queue's name. */
  readonly name: string;
  readonly #publisher: Publisher<TBody>;
  readonly #accept: AcceptList;
  readonly #noAck: boolean;
  #closed = false;
  readonly #waiting = new Set<() => void>();

  /** Validates the options; the queue is declared on first use. */
  constructor(connection: Connection, name: string, options: SimpleQueueOptions = {}) {
    if (typeof name !== 'string' || name === '') {
      throw new ConfigurationError('new SimpleQueue(conn, name): name the queue (a non-empty string).');
    }
    const parsed = parseOptions(simpleQueueOptionsSchema, options, `SimpleQueue "${name}" options`);
    this.connection = connection;
    const queue = new Queue(name, {
      durable: parsed.durable ?? true,
      ...(parsed.queueArguments === undefined ? {} : { arguments: parsed.queueArguments }),
    });
    this.name = name;
    this.#publisher = new Publisher<TBody>(connection, {
      exchange: '',
      routingKey: name,
      declare: [queue],
      serializer: parsed.serializer ?? 'json',
      ...(parsed.compression === undefined ? {} : { compression: parsed.compression }),
    });
    this.#accept = new AcceptList(parsed.accept ?? ['json']);
    this.#noAck = !connection.capabilities.acks;
  }

  /** Sends one message to the queue; resolves once the broker has it. */
  async put(body: TBody, options?: SendOptions): Promise<void> {
    this.#assertOpen('put');
    await this.#declare();
    await this.#publisher.send(body, options);
  }

  /**
   * Takes one message: at once when one is ready, otherwise waiting up to `timeoutMs`. Resolves with null when
   * none came. Ack the message (or reject or requeue it) when done; one not settled goes back to the queue when the
   * connection closes.
   */
  async get(options: SimpleGetOptions = {}): Promise<Message<TBody> | null> {
    this.#assertOpen('get');
    const timeoutMs = parseOptions(getOptionsSchema, options, 'get options').timeoutMs ?? 0;
    this.connection.require('fetch', 'SimpleQueue.get()');
    await this.#declare();
    const deadline = Date.now() + timeoutMs;
    for (let pause = FIRST_POLL_MS; ; pause = Math.min(pause * 2, LAST_POLL_MS)) {
      const message = await this.#take();
      if (message !== null || this.#closed) return message;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await this.#pause(Math.min(pause, left));
    }
  }

  /** How many messages are ready in the queue (not counting those taken and not yet settled). */
  async size(): Promise<number> {
    this.#assertOpen('size');
    await this.#declare();
    return (await this.connection.checkQueue(this.name)).messageCount;
  }

  /** Drops every ready message; resolves with how many. */
  async clear(): Promise<number> {
    this.#assertOpen('clear');
    await this.#declare();
    return this.connection.purgeQueue(this.name);
  }

  /** Stops the queue object (a `get` that waits resolves with null); the queue and its messages stay. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const wake of this.#waiting) wake();
    this.#waiting.clear();
    await this.#publisher.close();
  }

  async #take(): Promise<Message<TBody> | null> {
    const delivery = await this.connection.get(this.name, this.#noAck);
    if (delivery === null) return null;
    try {
      return decodeDelivery<TBody>(delivery, { accept: this.#accept, schema: undefined, noAck: this.#noAck });
    } catch (error) {
      // Undecodable or not accepted: dropped (dead-lettered where the queue has a DLX), never handed out twice.
      if (!this.#noAck) await delivery.settler.reject(delivery, false);
      throw error;
    }
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.#waiting.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.#waiting.add(wake);
    });
  }

  /** The queue is declared once, by the publisher's declare list (which also retries after a failure). */
  #declare(): Promise<void> {
    return this.#publisher.declare();
  }

  #assertOpen(what: string): void {
    if (this.#closed) throw new MessageStateError(`This SimpleQueue is closed; create a new SimpleQueue to ${what}.`);
  }
}
