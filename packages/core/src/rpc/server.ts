import { z } from 'zod';
import { encodeBody } from '../codec.js';
import type { Connection } from '../connection.js';
import { Consumer } from '../consumer.js';
import { declareObject } from '../declarative/declare.js';
import { Queue } from '../declarative/queue.js';
import { SafeEmitter } from '../emitter.js';
import { ConfigurationError, MessageStateError, toError, WarrenError } from '../errors.js';
import type { Message } from '../message.js';
import { parseOptions } from '../options.js';
import type { MessageProperties } from '../properties.js';
import type { OutboundMessage } from '../transport.js';
import { describeThrown, RPC_ERROR_HEADER } from './reply-format.js';

/** What `new RpcServer(conn, options, handler)` takes. */
export interface RpcServerOptions {
  /** The queue the requests come to: a name (declared as a durable queue unless `declare: false`) or a {@link Queue}. */
  queue: string | Queue;
  /** At most this many requests handled at a time (default 100). */
  prefetch?: number | undefined;
  /** Serializer names or content types of requests to accept (default `['json']`). */
  accept?: string[] | undefined;
  /** Serializer of the replies (default `'json'`). */
  serializer?: string | undefined;
  /** Declare the queue first (default true). */
  declare?: boolean | undefined;
}

/** Answers one request: its result is the reply; what it throws goes back as a `RemoteError` (name and message). */
export type RpcHandler<TRequest, TResult> = (
  request: TRequest,
  message: Message<TRequest>,
) => TResult | Promise<TResult>;

/** Events of an {@link RpcServer}. */
export interface RpcServerEvents {
  [event: string]: unknown[];
  /**
   * A request that could not be answered: no `replyTo` (rejected), content refused or undecodable (rejected), or a
   * reply that could not be sent (the request goes back on its queue).
   */
  error: [error: Error, message?: Message];
}

const serverOptionsSchema = z
  .object({
    queue: z.union([z.string().min(1, 'name the queue the requests come to'), z.instanceof(Queue)]),
    prefetch: z.number().int().min(0).optional(),
    accept: z.array(z.string()).optional(),
    serializer: z.string().optional(),
    declare: z.boolean().optional(),
  })
  .strict();

/**
 * The serving side of request/reply: consumes requests from a queue, calls the handler, and publishes its result
 * to each request's `replyTo` with the request's `correlationId`. A request is acknowledged only after its reply
 * was sent (if the reply cannot be sent, the request goes back on its queue); a request without `replyTo` is
 * rejected and reported. Works on every transport.
 */
export class RpcServer<TRequest = unknown, TResult = unknown> extends SafeEmitter<RpcServerEvents> {
  /** The connection it serves on. */
  readonly connection: Connection;
  readonly #options: z.infer<typeof serverOptionsSchema>;
  readonly #handler: RpcHandler<TRequest, TResult>;
  #consumer: Consumer<TRequest> | undefined;
  #starting: Promise<void> | undefined;
  #closed = false;
  #queueName: string | undefined;

  /** Validates the options; nothing is declared or consumed until {@link RpcServer.start}. */
  constructor(connection: Connection, options: RpcServerOptions, handler: RpcHandler<TRequest, TResult>) {
    super();
    this.connection = connection;
    this.#options = parseOptions(serverOptionsSchema, options, 'RpcServer options');
    if (typeof handler !== 'function')
      throw new ConfigurationError('new RpcServer(conn, options, handler): handler must be a function.');
    this.#handler = handler;
  }

  /** The name of the request queue (for a server-named {@link Queue}, known once started). */
  get queue(): string {
    const queue = this.#options.queue;
    return this.#queueName ?? (typeof queue === 'string' ? queue : queue.name);
  }

  /** Declares the queue (unless `declare: false`) and starts answering. Resolves once subscribed. */
  start(): Promise<void> {
    if (this.#closed) return Promise.reject(new MessageStateError('This RpcServer is closed; create a new one.'));
    this.#starting ??= this.#start().catch((error: unknown) => {
      this.#starting = undefined;
      throw error;
    });
    return this.#starting;
  }

  /** Stops answering; requests being handled finish, and unanswered ones go back on the queue. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#starting?.catch(() => {});
    await this.#consumer?.close();
  }

  async #start(): Promise<void> {
    const o = this.#options;
    const declare = o.declare ?? true;
    let name: string;
    if (typeof o.queue === 'string') name = o.queue;
    else if (declare) name = (await declareObject(this.connection, o.queue))?.queue ?? o.queue.name;
    else name = o.queue.name;
    const consumer = new Consumer<TRequest>(this.connection, {
      queue: name,
      // A Queue object was declared above, with its own options.
      declare: typeof o.queue === 'string' ? declare : false,
      ...(o.prefetch === undefined ? {} : { prefetch: o.prefetch }),
      ...(o.accept === undefined ? {} : { accept: o.accept }),
      noAck: !this.connection.capabilities.acks,
    });
    this.#queueName = name;
    consumer.on('error', (error, message) => this.emit('error', error, message as Message | undefined));
    consumer.register((request, message) => this.#answer(request, message));
    this.#consumer = consumer;
    if (this.#closed) throw new MessageStateError('The RpcServer was closed while it was starting.');
    await consumer.consume();
  }

  async #answer(request: TRequest, message: Message<TRequest>): Promise<void> {
    const { replyTo, correlationId } = message.properties;
    if (replyTo === undefined || replyTo === '') {
      await message.reject();
      this.emit(
        'error',
        new ConfigurationError(
          `A request on queue "${this.queue}" has no replyTo, so it cannot be answered; it was rejected. Send requests with an RpcClient, or set replyTo and correlationId.`,
        ),
        message as Message,
      );
      return;
    }
    let reply: OutboundMessage;
    try {
      reply = this.#reply(replyTo, correlationId, { ok: await this.#handler(request, message) });
    } catch (thrown) {
      reply = this.#reply(replyTo, correlationId, { failed: thrown });
    }
    try {
      await this.connection.publish(reply);
    } catch (error) {
      // Not answered: the request goes back on its queue, for this server or another, rather than be lost.
      if (!message.acknowledged) await message.requeue().catch(() => {});
      this.emit(
        'error',
        new WarrenError(
          `The reply to a request on queue "${this.queue}" could not be sent (${toError(error).message}); the request was put back on its queue.`,
          { cause: error },
        ),
        message as Message,
      );
      return;
    }
    // The handler may have settled the request itself.
    if (!message.acknowledged) await message.ack();
  }

  #reply(
    replyTo: string,
    correlationId: string | undefined,
    outcome: { ok: TResult } | { failed: unknown },
  ): OutboundMessage {
    const serializer = this.#options.serializer ?? 'json';
    let body: unknown;
    let failed = false;
    if ('ok' in outcome) body = outcome.ok === undefined ? null : outcome.ok;
    else {
      body = describeThrown(outcome.failed);
      failed = true;
    }
    let encoded: ReturnType<typeof encodeBody>;
    try {
      encoded = encodeBody(body, { serializer, compression: undefined });
    } catch (error) {
      // A result that cannot be encoded is the handler's failure, reported to the caller as such.
      encoded = encodeBody(describeThrown(error), { serializer: 'json', compression: undefined });
      failed = true;
    }
    const properties: MessageProperties = {
      contentType: encoded.contentType,
      contentEncoding: encoded.contentEncoding,
      headers: failed ? { [RPC_ERROR_HEADER]: true } : {},
      persistent: false,
    };
    if (correlationId !== undefined) properties.correlationId = correlationId;
    return { exchange: '', routingKey: replyTo, content: encoded.content, properties, mandatory: false };
  }
}
