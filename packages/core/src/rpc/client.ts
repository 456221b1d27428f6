import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { AcceptList, encodeBody } from '../codec.js';
import type { Connection } from '../connection.js';
import { decodeDelivery } from '../consumer-dispatch.js';
import { declareObject } from '../declarative/declare.js';
import { Exchange } from '../declarative/exchange.js';
import { SafeEmitter } from '../emitter.js';
import { ConnectionError, MessageStateError, RemoteError, TimeoutError, toError, WarrenError } from '../errors.js';
import type { Message } from '../message.js';
import { parseOptions } from '../options.js';
import type { Headers, MessageProperties } from '../properties.js';
import type { Subscription } from '../subscription.js';
import type { Delivery, DirectReplyChannel, OutboundMessage } from '../transport.js';
import { RPC_ERROR_HEADER, readErrorBody } from './reply-format.js';

/** What `new RpcClient(conn, options)` takes. */
export interface RpcClientOptions {
  /** The exchange requests go to (default `''`, which routes by queue name). An {@link Exchange} is declared first. */
  exchange?: string | Exchange | undefined;
  /** The routing key of requests: the server's queue name on the default exchange. */
  routingKey: string;
  /** Default timeout of a call in ms (default 30 000). */
  timeoutMs?: number | undefined;
  /** Serializer of requests (default `'json'`). */
  serializer?: string | undefined;
  /** Serializer names or content types of replies to accept (default `['json']`). */
  accept?: string[] | undefined;
}

/** Per-call options of {@link RpcClient.call}. */
export interface CallOptions {
  /** Rejects with TimeoutError after this many ms (default: the client's `timeoutMs`). */
  timeoutMs?: number | undefined;
  /** Headers of the request. */
  headers?: Headers | undefined;
}

/** Events of an {@link RpcClient}. */
export interface RpcClientEvents {
  [event: string]: unknown[];
  /** A reply that matched no waiting call (it came after its call timed out, or was never asked for): dropped. */
  error: [error: Error, message?: Message];
}

const clientOptionsSchema = z
  .object({
    exchange: z.union([z.string(), z.instanceof(Exchange)]).optional(),
    routingKey: z.string(),
    timeoutMs: z.number().positive().optional(),
    serializer: z.string().optional(),
    accept: z.array(z.string()).optional(),
  })
  .strict();

const callOptionsSchema = z
  .object({
    timeoutMs: z.number().positive().optional(),
    headers: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** Where replies come back: a direct reply channel, or this client's own reply queue. */
interface ReplyRoute {
  readonly replyTo: string;
  send(message: OutboundMessage): Promise<void>;
  close(): Promise<void>;
  dead: boolean;
}

/** One call waiting for its reply. */
class PendingCall {
  timer: NodeJS.Timeout | undefined;
  constructor(
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: Error) => void,
    readonly route: ReplyRoute,
  ) {}
}

const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * The calling side of request/reply: `await client.call(body, { timeoutMs })` publishes a request and resolves
 * with the reply's body. Replies are matched by `correlationId`. On RabbitMQ the replies use direct reply-to
 * (`amq.rabbitmq.reply-to`: no reply queue at all); elsewhere the client declares one exclusive, auto-delete
 * reply queue of its own, which is declared again and consumed again after a reconnect. A call rejects with
 * `TimeoutError` after its timeout, with `RemoteError` when the handler threw, and with `ConnectionError` when the
 * connection was lost while the reply was on its way over a direct reply channel (the request may have been
 * handled). A reply that matches no waiting call is dropped and reported through the 'error' event.
 */
export class RpcClient<TRequest = unknown, TResult = unknown> extends SafeEmitter<RpcClientEvents> {
  /** The connection it calls on. */
  readonly connection: Connection;
  readonly #options: z.infer<typeof clientOptionsSchema>;
  readonly #exchange: string;
  readonly #accept: AcceptList;
  readonly #pending = new Map<string, PendingCall>();
  readonly #idPrefix = `${randomBytes(6).toString('hex')}.`;
  #sequence = 0;
  #route: ReplyRoute | undefined;
  #routing: Promise<ReplyRoute> | undefined;
  /** Set once the transport has shown it has no direct reply channel: use a reply queue from then on. */
  #noDirectReply = false;
  #exchangeDeclared: Promise<void> | undefined;
  #closed = false;

  /** Validates the options; nothing is declared until the first call. */
  constructor(connection: Connection, options: RpcClientOptions) {
    super();
    this.connection = connection;
    this.#options = parseOptions(clientOptionsSchema, options, 'RpcClient options');
    const exchange = this.#options.exchange;
    this.#exchange = exchange === undefined ? '' : typeof exchange === 'string' ? exchange : exchange.name;
    this.#accept = new AcceptList(this.#options.accept ?? ['json']);
  }

  /** How many calls wait for their reply. */
  get pending(): number {
    return this.#pending.size;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Sends a request and resolves with the reply's body. Rejects with `TimeoutError` after `timeoutMs`,
   * `RemoteError` when the handler threw, `MessageStateError` once the client is closed.
   */
  call(body: TRequest, options?: CallOptions): Promise<TResult> {
    if (this.#closed) {
      return Promise.reject(new MessageStateError('This RpcClient is closed; create a new RpcClient to call.'));
    }
    let timeoutMs = this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    let headers: Headers = {};
    let content: Buffer;
    let contentType: string;
    let contentEncoding: string;
    try {
      if (options !== undefined) {
        const parsed = parseOptions(callOptionsSchema, options, 'call options');
        timeoutMs = parsed.timeoutMs ?? timeoutMs;
        headers = parsed.headers ?? headers;
      }
      ({ content, contentType, contentEncoding } = encodeBody(body, {
        serializer: this.#options.serializer ?? 'json',
        compression: undefined,
      }));
    } catch (error) {
      return Promise.reject(error);
    }
    const correlationId = this.#idPrefix + (++this.#sequence).toString(36);
    const properties: MessageProperties = { contentType, contentEncoding, headers, correlationId, persistent: false };
    // A request nobody took within the timeout is dropped by the broker instead of being handled for nobody.
    if (this.connection.capabilities.ttl) properties.expiration = timeoutMs;
    const message: OutboundMessage = {
      exchange: this.#exchange,
      routingKey: this.#options.routingKey,
      content,
      properties,
      mandatory: false,
    };
    const route = this.#route;
    if (route !== undefined && !route.dead && this.#exchangeDeclared === undefined) {
      return this.#send(route, message, correlationId, timeoutMs, Date.now()) as Promise<TResult>;
    }
    return this.#callSlowly(message, correlationId, timeoutMs) as Promise<TResult>;
  }

  /** Stops the client: waiting calls reject with MessageStateError; its reply queue or channel is released. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const closed = new MessageStateError('The RpcClient was closed before the reply came.');
    for (const [id, pending] of this.#pending) this.#settle(id, pending)?.reject(closed);
    const route = this.#route ?? (await this.#routing?.catch(() => undefined));
    this.#route = undefined;
    await route?.close();
  }

  async #callSlowly(message: OutboundMessage, correlationId: string, timeoutMs: number): Promise<unknown> {
    const startedAt = Date.now();
    await this.#declareExchange();
    const route = await this.#ensureRoute();
    return this.#send(route, message, correlationId, timeoutMs, startedAt);
  }

  #send(
    route: ReplyRoute,
    message: OutboundMessage,
    correlationId: string,
    timeoutMs: number,
    startedAt: number,
  ): Promise<unknown> {
    if (this.#closed) {
      return Promise.reject(new MessageStateError('The RpcClient was closed before the request was sent.'));
    }
    message.properties.replyTo = route.replyTo;
    return new Promise((resolve, reject) => {
      const pending = new PendingCall(resolve, reject, route);
      this.#pending.set(correlationId, pending);
      pending.timer = setTimeout(
        () => {
          if (this.#settle(correlationId, pending) === undefined) return;
          reject(
            new TimeoutError(
              `No reply to the call to "${this.#options.routingKey}" within ${timeoutMs} ms. Check that an RpcServer consumes that queue, or give the call more time (timeoutMs).`,
            ),
          );
        },
        Math.max(0, timeoutMs - (Date.now() - startedAt)),
      );
      route
        .send(message)
        .then(undefined, (error: unknown) => this.#sendFailed(error, route, message, correlationId, pending));
    });
  }

  #sendFailed(error: unknown, route: ReplyRoute, message: OutboundMessage, id: string, pending: PendingCall): void {
    if (this.#pending.get(id) !== pending) return;
    // The direct reply channel died under the request: try once more on a new one (nothing was handled: the
    // request never left, or left on a channel whose replies can no longer come back).
    if (error instanceof ConnectionError && !this.#closed && route.dead && pending.route === route) {
      this.#ensureRoute().then(
        (next) => {
          if (this.#pending.get(id) !== pending) return;
          const retry = new PendingCall(pending.resolve, pending.reject, next);
          retry.timer = pending.timer;
          this.#pending.set(id, retry);
          message.properties.replyTo = next.replyTo;
          next.send(message).then(undefined, (again: unknown) => this.#settle(id, retry)?.reject(toError(again)));
        },
        (failure: unknown) => this.#settle(id, pending)?.reject(toError(failure)),
      );
      return;
    }
    this.#settle(id, pending)?.reject(toError(error));
  }

  /** Forgets a waiting call; returns it if it was still waiting. */
  #settle(id: string, pending: PendingCall): PendingCall | undefined {
    if (this.#pending.get(id) !== pending) return undefined;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    return pending;
  }

  readonly #onReply = (delivery: Delivery): void => {
    const id = delivery.properties.correlationId;
    const pending = id === undefined ? undefined : this.#pending.get(id);
    if (pending === undefined || id === undefined) {
      this.emit(
        'error',
        new WarrenError(
          `A reply with correlationId "${id ?? '(none)'}" matched no waiting call (it came after its call timed out, or was never asked for); it was dropped.`,
        ),
      );
      return;
    }
    this.#settle(id, pending);
    let message: Message;
    try {
      message = decodeDelivery(delivery, { accept: this.#accept, schema: undefined, noAck: true });
    } catch (error) {
      pending.reject(toError(error));
      return;
    }
    if (message.headers[RPC_ERROR_HEADER] !== undefined) {
      const { name, message: text } = readErrorBody(message.body);
      pending.reject(new RemoteError(name, text));
    } else pending.resolve(message.body);
  };

  #declareExchange(): Promise<void> {
    const exchange = this.#options.exchange;
    if (!(exchange instanceof Exchange)) return Promise.resolve();
    this.#exchangeDeclared ??= declareObject(this.connection, exchange).then(
      () => {
        this.#exchangeDeclared = undefined;
        // Declared once: later calls take the fast path.
        this.#options.exchange = exchange.name;
      },
      (error: unknown) => {
        this.#exchangeDeclared = undefined;
        throw error;
      },
    );
    return this.#exchangeDeclared;
  }

  #ensureRoute(): Promise<ReplyRoute> {
    const route = this.#route;
    if (route !== undefined && !route.dead) return Promise.resolve(route);
    this.#routing ??= this.#openRoute().then(
      (opened) => {
        this.#routing = undefined;
        if (this.#closed) {
          void opened.close();
          throw new MessageStateError('The RpcClient was closed.');
        }
        this.#route = opened;
        return opened;
      },
      (error: unknown) => {
        this.#routing = undefined;
        throw error;
      },
    );
    return this.#routing;
  }

  async #openRoute(): Promise<ReplyRoute> {
    if (!this.#noDirectReply) {
      const direct = await this.#openDirect();
      if (direct !== undefined) return direct;
      this.#noDirectReply = true;
    }
    return this.#openReplyQueue();
  }

  async #openDirect(): Promise<ReplyRoute | undefined> {
    let route: ReplyRoute | undefined;
    const channel: DirectReplyChannel | null = await this.connection.openDirectReply({
      reply: this.#onReply,
      closed: (error) => {
        if (route !== undefined) this.#routeLost(route, error);
      },
    });
    if (channel === null) return undefined;
    route = {
      replyTo: channel.replyTo,
      send: (message) => channel.publish(message),
      close: () => channel.close(),
      dead: false,
    };
    return route;
  }

  /** The reply channel is gone: the replies of the calls sent on it can never come. */
  #routeLost(route: ReplyRoute, error: Error): void {
    route.dead = true;
    if (this.#route === route) this.#route = undefined;
    const lost = new ConnectionError(
      `The connection was lost while waiting for the reply (${error.message}); the request may or may not have been handled. Call again if that is safe.`,
      { cause: error },
    );
    for (const [id, pending] of this.#pending) {
      if (pending.route === route) this.#settle(id, pending)?.reject(lost);
    }
  }

  async #openReplyQueue(): Promise<ReplyRoute> {
    const connection = this.connection;
    // A name of our own, not a server-named one: it stays the same across reconnects, so calls in flight keep
    // their replyTo.
    const name = `warren.rpc.reply.${randomBytes(8).toString('hex')}`;
    await connection.declareQueue({
      name,
      durable: false,
      exclusive: connection.capabilities.exclusiveQueues,
      autoDelete: true,
    });
    let route: ReplyRoute | undefined;
    let subscription: Subscription;
    try {
      subscription = await connection.subscribe(
        name,
        { prefetch: 0, noAck: true, exclusive: false },
        this.#onReply,
        (error) => {
          if (route !== undefined) this.#routeLost(route, error ?? new ConnectionError('The connection was closed.'));
        },
      );
    } catch (error) {
      await connection.deleteQueue(name).catch(() => {});
      throw error;
    }
    const queueRoute: ReplyRoute = {
      replyTo: name,
      send: (message) => connection.publish(message),
      close: async () => {
        queueRoute.dead = true;
        await connection.unsubscribe(subscription, 'close').catch(() => {});
        await connection.deleteQueue(name).catch(() => {});
      },
      dead: false,
    };
    route = queueRoute;
    return queueRoute;
  }
}
