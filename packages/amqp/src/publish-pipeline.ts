/**
 * Publishing with confirms. One confirm channel per session; each publish resolves on the broker's ack for its
 * delivery tag and rejects on a nack, a basic.return of a mandatory message (NoRouteError), a channel or
 * connection failure, or a timeout. Nothing is buffered without bound: a publish waits in a queue (bounded by its
 * timeout) while the channel reopens, while amqplib reports back-pressure, or while `maxInFlight` messages wait
 * for their confirm.
 *
 * Hot path: one pending record and the promise per message; the frames are encoded and written by PublishWriter
 * (in batches, while the send loop runs, waiting for the socket's 'drain' past `highWaterMark`); one periodic sweep
 * (not a timer per message) rejects what times out; confirms are found by tag in a ring buffer.
 */

import type { Socket } from 'node:net';
import type { WarrenError } from '@warren/core';
import { Fifo, type OutboundMessage } from '@warren/core/transport';
import type { ChannelModel, ConfirmChannel, Message } from 'amqplib';
import { ConfirmWindow } from './confirm-window.js';
import { type NackRetryPolicy, replacementDelay, retriesNack } from './nack-retry.js';
import { channelErrorFor, publishErrors } from './publish-errors.js';
import { PublishWriter } from './publish-writer.js';
import { looksLike, ReturnAttribution } from './return-attribution.js';
import type { WriteCoalescer } from './write-coalescer.js';

/** Settings of the pipeline, from the transport's options and core's request. */
export interface PublishSettings {
  maxInFlight: number;
  publishTimeoutMs: number;
  highWaterMark: number | undefined;
  /** Which nacks send the message again on a new channel (see nack-retry.ts). */
  nackRetry: NackRetryPolicy;
}

/** Unsent bytes the socket may hold before publishes wait for it to drain, unless `highWaterMark` says otherwise. */
const DEFAULT_SOCKET_BACKLOG = 1024 * 1024;

/** One publish, from `publish()` until its promise settles. */
class PendingPublish {
  /** How many times the broker nacked this message so far. */
  nacks = 0;
  constructor(
    readonly message: OutboundMessage,
    readonly resolve: () => void,
    readonly reject: (error: WarrenError) => void,
    readonly deadline: number,
  ) {}
}

type Executor = (resolve: () => void, reject: (error: WarrenError) => void) => void;

export class PublishPipeline {
  readonly #model: ChannelModel;
  readonly #socket: Socket;
  readonly #settings: PublishSettings;
  readonly #warn: (error: Error) => void;
  readonly #coalescer: WriteCoalescer;
  #channel: ConfirmChannel | null = null;
  /** Writes the open channel's publishes to the socket; null while no channel is open. */
  #writer: PublishWriter | null = null;
  #opening: Promise<void> | null = null;
  #window = new ConfirmWindow<PendingPublish>();
  /** Publishes not yet written, oldest first. */
  readonly #waiting = new Fifo<PendingPublish>();
  /** Attributes each basic.return to its publish, by the order of frames (see ReturnAttribution). */
  #returns = new ReturnAttribution<PendingPublish>();
  /** The socket holds too many unsent bytes: wait for its 'drain'. */
  #blocked = false;
  /** Set once the session is closed or lost: new publishes are refused. */
  #dead: WarrenError | null = null;
  readonly #sweeper: NodeJS.Timeout;
  #idle: (() => void) | null = null;
  /** When the current channel was opened: a nack on a young channel may be a leader election's (nack-retry.ts). */
  #channelOpenedAt = 0;
  /** The current channel nacked a message worth retrying: nothing more is written to it; it closes once drained. */
  #retiring = false;
  /** Nacked messages to send again on the next channel, oldest first. */
  readonly #toRetry = new Fifo<PendingPublish>();
  /** Channels retired for nacks since the last ack: the backoff before the next one opens. */
  #replacementsInARow = 0;
  #replacementTimer: NodeJS.Timeout | null = null;

  constructor(
    model: ChannelModel,
    socket: Socket,
    settings: PublishSettings,
    coalescer: WriteCoalescer,
    warn: (error: Error) => void,
  ) {
    this.#model = model;
    this.#socket = socket;
    socket.on('drain', this.#onDrain);
    this.#coalescer = coalescer;
    this.#settings = settings;
    this.#warn = warn;
    const every = Math.min(1000, Math.max(20, Math.floor(settings.publishTimeoutMs / 10)));
    this.#sweeper = setInterval(this.#sweep, every);
    this.#sweeper.unref();
  }

  /** Opens the confirm channel (at session start, so that the first publish does not wait for it). */
  start(): Promise<void> {
    return this.#ensureChannel();
  }

  /** Publishes one message; see the module comment. */
  publish(message: OutboundMessage): Promise<void> {
    if (this.#dead !== null) return Promise.reject(this.#dead);
    // The executor runs synchronously inside `new Promise`: handing it the message through fields spares a
    // closure per publish.
    this.#nextMessage = message;
    return new Promise(this.#executor);
  }

  #nextMessage: OutboundMessage | null = null;

  readonly #executor: Executor = (resolve, reject) => {
    const message = this.#nextMessage as OutboundMessage;
    this.#nextMessage = null;
    const pending = new PendingPublish(message, resolve, reject, Date.now() + this.#settings.publishTimeoutMs);
    if (this.#writable() && this.#waiting.length === 0) this.#write(pending);
    else {
      this.#waiting.push(pending);
      // A failure to open rejects the waiting publishes themselves; nothing more to report here.
      if (this.#channel === null) this.#ensureChannel().catch(() => undefined);
    }
  };

  /** Messages written and not yet confirmed, plus those waiting to be written. */
  get outstanding(): number {
    return this.#window.size + this.#waiting.length + this.#toRetry.length;
  }

  /** Resolves once every outstanding publish has settled (each is bounded by the publish timeout). */
  drained(): Promise<void> {
    if (this.outstanding === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const previous = this.#idle;
      this.#idle = () => {
        previous?.();
        resolve();
      };
    });
  }

  /** The session is gone: every outstanding publish rejects, and so does every later one. Idempotent. */
  fail(error: WarrenError): void {
    if (this.#dead !== null) return;
    this.#dead = error;
    clearInterval(this.#sweeper);
    this.#cancelReplacement();
    const unconfirmed = publishErrors.unconfirmed(error, error.message);
    this.#failWritten(() => unconfirmed);
    const notSent = publishErrors.notSent(error.message);
    for (let pending = this.#waiting.shift(); pending !== undefined; pending = this.#waiting.shift())
      pending.reject(notSent);
    for (let pending = this.#toRetry.shift(); pending !== undefined; pending = this.#toRetry.shift())
      pending.reject(notSent);
    this.#checkIdle();
  }

  /**
   * Stops the sweep and closes the channel, without waiting for the broker's answer: the session closes the
   * connection next, under its own time limit, and a broker that stopped answering must not hang `close()`.
   */
  close(): void {
    clearInterval(this.#sweeper);
    this.#cancelReplacement();
    this.#socket.off('drain', this.#onDrain);
    const channel = this.#channel;
    this.#channel = null;
    this.#writer?.discard();
    this.#writer = null;
    channel?.close().catch(() => undefined);
  }

  #writable(): boolean {
    return (
      this.#channel !== null && !this.#blocked && !this.#retiring && this.#window.size < this.#settings.maxInFlight
    );
  }

  #write(pending: PendingPublish): void {
    const writer = this.#writer as PublishWriter;
    let flushed: boolean;
    try {
      flushed = writer.write(pending.message);
    } catch (error) {
      // The encoder checks and encodes before anything is written, so no delivery tag was used.
      pending.reject(publishErrors.unencodable(error));
      this.#checkIdle();
      return;
    }
    this.#window.add(pending);
    // The socket's backlog only grows when a batch goes out (a batch sent at the end of a turn is seen here at
    // the next one): reading it per message would cost more than the check is worth.
    if (flushed && writer.backedUp) this.#blocked = true;
  }

  readonly #onDrain = (): void => {
    if (!this.#blocked || this.#channel === null) return;
    this.#blocked = false;
    this.#pump();
  };

  /** Writes waiting publishes while the channel takes them. */
  #pump(): void {
    while (this.#waiting.length > 0 && this.#writable()) this.#write(this.#waiting.shift() as PendingPublish);
    this.#checkIdle();
  }

  #ensureChannel(): Promise<void> {
    // While a replacement waits out its backoff, nothing opens the next channel early.
    if (this.#channel !== null || this.#dead !== null || this.#replacementTimer !== null) return Promise.resolve();
    this.#opening ??= this.#open().finally(() => {
      this.#opening = null;
    });
    return this.#opening;
  }

  async #open(): Promise<void> {
    let channel: ConfirmChannel;
    try {
      channel = await this.#model.createConfirmChannel(
        this.#settings.highWaterMark === undefined ? undefined : { highWaterMark: this.#settings.highWaterMark },
      );
    } catch (error) {
      if (this.#dead !== null) return;
      // The connection is alive but refused a channel (channelMax reached, say): those waiting cannot be sent.
      const failure = publishErrors.notSent(
        `the publish channel could not be opened: ${error instanceof Error ? error.message : String(error)}`,
      );
      for (let pending = this.#waiting.shift(); pending !== undefined; pending = this.#waiting.shift())
        pending.reject(failure);
      this.#checkIdle();
      throw failure;
    }
    if (this.#dead !== null) {
      channel.close().catch(() => undefined);
      return;
    }
    // Confirms are tracked here, by tag; amqplib's own bookkeeping of confirm callbacks (there are none: its
    // publish is not used) would only cost time on every ack.
    channel.removeAllListeners('ack');
    channel.removeAllListeners('nack');
    this.#attach(channel);
    this.#channel = channel;
    this.#channelOpenedAt = Date.now();
    this.#writer = new PublishWriter(
      this.#socket,
      this.#coalescer,
      (channel as unknown as { ch: number }).ch,
      (this.#model.connection as unknown as { frameMax: number }).frameMax,
      this.#settings.highWaterMark ?? DEFAULT_SOCKET_BACKLOG,
    );
    this.#window = new ConfirmWindow();
    this.#blocked = false;
    this.#retiring = false;
    this.#pump();
  }

  #attach(channel: ConfirmChannel): void {
    let channelError: unknown;
    channel.on('ack', (fields: { deliveryTag: number; multiple: boolean }) => {
      if (this.#channel !== channel) return;
      this.#replacementsInARow = 0;
      if (this.#returns.active) this.#returns.ack(fields.deliveryTag, fields.multiple, this.#attributionHooks);
      else if (fields.multiple) this.#window.takeUpTo(fields.deliveryTag, this.#confirmed);
      else {
        const pending = this.#window.take(fields.deliveryTag);
        if (pending !== undefined) this.#confirmed(pending);
      }
      this.#afterConfirm();
    });
    channel.on('nack', (fields: { deliveryTag: number; multiple: boolean }) => {
      if (this.#channel !== channel) return;
      if (fields.multiple) this.#window.takeUpTo(fields.deliveryTag, this.#nacked);
      else {
        const pending = this.#window.take(fields.deliveryTag);
        if (pending !== undefined) this.#nacked(pending);
      }
      this.#afterConfirm();
    });
    channel.on('return', (message: Message) => {
      if (this.#channel !== channel) return;
      this.#returns.returnArrived(message, this.#returned);
    });
    channel.on('error', (error: unknown) => {
      channelError = error;
    });
    channel.on('handler-error', (error: Error) => this.#warn(error));
    channel.on('close', () => {
      if (this.#channel !== channel) return;
      this.#channel = null;
      this.#writer?.discard();
      this.#writer = null;
      this.#blocked = false;
      this.#retiring = false;
      this.#requeueRetries();
      if (channelError !== undefined) {
        // The broker closed the channel because of a publish (404 no exchange, 403, ...): the messages it names
        // fail with the mapped error; the others were cut by it and are written again on the next channel (the
        // broker may have taken some of them already: at least once, as after a reconnect).
        const errorFor = channelErrorFor(channelError);
        this.#returns.reset(this.#returned);
        const again: PendingPublish[] = [];
        this.#window.takeAll((pending) => {
          const error = errorFor(pending.message.exchange);
          if (error === null) again.push(pending);
          else pending.reject(error);
        });
        for (let i = again.length - 1; i >= 0; i--) this.#waiting.unshift(again[i] as PendingPublish);
      } else if (this.#dead === null) {
        // No channel error: the connection is going (the session's fail() follows at once), or we closed it.
        // One error for all: a cut connection can leave thousands of messages unconfirmed.
        const unconfirmed = publishErrors.unconfirmed(undefined, 'the connection closed');
        this.#failWritten(() => unconfirmed);
      }
      // Reopen for whatever waits, once the connection's own close (if that is what this is) has been handled.
      queueMicrotask(() => {
        if (this.#dead === null && this.#waiting.length > 0) this.#ensureChannel().catch(() => undefined);
        this.#checkIdle();
      });
    });
  }

  readonly #confirmed = (pending: PendingPublish): void => {
    pending.resolve();
  };

  readonly #nacked = (pending: PendingPublish): void => {
    pending.nacks++;
    const now = Date.now();
    const policy = this.#settings.nackRetry;
    const delay = replacementDelay(policy, this.#replacementsInARow);
    if (retriesNack(policy, now - this.#channelOpenedAt, pending.nacks, pending.deadline - now, delay)) {
      this.#toRetry.push(pending);
      this.#retiring = true;
      return;
    }
    pending.reject(publishErrors.nacked(pending.message.exchange, pending.message.routingKey));
  };

  /**
   * A retiring channel whose confirms are all in is closed; the next one opens after the backoff, and the nacked
   * messages go out on it first.
   */
  #replaceIfDrained(): void {
    if (!this.#retiring || this.#window.size > 0 || this.#replacementTimer !== null) return;
    const channel = this.#channel;
    this.#channel = null;
    this.#writer?.discard();
    this.#writer = null;
    this.#retiring = false;
    channel?.close().catch(() => undefined);
    const delay = replacementDelay(this.#settings.nackRetry, this.#replacementsInARow++);
    this.#warn(publishErrors.nackRetried(this.#toRetry.length, Date.now() - this.#channelOpenedAt, delay));
    this.#replacementTimer = setTimeout(() => {
      this.#replacementTimer = null;
      this.#requeueRetries();
      if (this.#dead === null) this.#ensureChannel().catch(() => undefined);
    }, delay);
    this.#replacementTimer.unref();
  }

  /** Puts the messages to retry back at the front of the waiting line, in their order. */
  #requeueRetries(): void {
    const retries: PendingPublish[] = [];
    for (let pending = this.#toRetry.shift(); pending !== undefined; pending = this.#toRetry.shift())
      retries.push(pending);
    for (let i = retries.length - 1; i >= 0; i--) this.#waiting.unshift(retries[i] as PendingPublish);
  }

  #cancelReplacement(): void {
    if (this.#replacementTimer !== null) clearTimeout(this.#replacementTimer);
    this.#replacementTimer = null;
  }

  readonly #returned = (pending: PendingPublish, returned: unknown): void => {
    const { exchange, routingKey } = pending.message;
    const replyText = (returned as Message | undefined)?.fields as { replyText?: unknown } | undefined;
    pending.reject(publishErrors.noRoute(exchange, routingKey, String(replyText?.replyText ?? 'NO_ROUTE')));
  };

  static readonly #matches = (pending: PendingPublish, returned: unknown): boolean =>
    pending.message.mandatory && looksLike(pending.message, returned as Message);

  readonly #moreMatching = (tag: number, returned: unknown): boolean =>
    this.#window.someAfter(tag, (pending) => PublishPipeline.#matches(pending, returned));

  /** What ReturnAttribution needs of the window, made once (nothing is allocated per ack). */
  readonly #attributionHooks = {
    takeBelow: (tag: number) => this.#window.takeUpTo(tag - 1, this.#confirmed),
    takeTop: (tag: number) => this.#window.take(tag),
    matches: PublishPipeline.#matches,
    moreMatching: this.#moreMatching,
    confirmed: this.#confirmed,
    returned: this.#returned,
  };

  #afterConfirm(): void {
    // A candidate for a return is settled once no later frame can take its place.
    if (this.#returns.active) this.#returns.settle(this.#moreMatching, this.#returned);
    if (this.#retiring) this.#replaceIfDrained();
    if (this.#waiting.length > 0) this.#pump();
    else this.#checkIdle();
  }

  #failWritten(errorFor: (pending: PendingPublish) => WarrenError): void {
    // The broker acked the held candidate and returned it or a message after it: a return it is.
    this.#returns.reset(this.#returned);
    this.#window.takeAll((pending) => pending.reject(errorFor(pending)));
  }

  readonly #sweep = (): void => {
    const now = Date.now();
    const expired = (pending: PendingPublish) => pending.deadline <= now;
    // Timeouts are rare: an error apiece is fine here.
    const timeoutMs = this.#settings.publishTimeoutMs;
    if (this.#window.size > 0) {
      this.#window.takeExpired(expired, (pending) => pending.reject(publishErrors.confirmTimeout(timeoutMs)));
    }
    if (this.#returns.active) this.#returns.settle(this.#moreMatching, this.#returned);
    while (this.#waiting.length > 0 && expired(this.#waiting.peek() as PendingPublish)) {
      (this.#waiting.shift() as PendingPublish).reject(publishErrors.sendTimeout(timeoutMs));
    }
    // A channel that could not be reopened is tried again while publishes wait for it.
    if (this.#channel === null && this.#waiting.length > 0) this.#ensureChannel().catch(() => undefined);
    this.#pump();
  };

  #checkIdle(): void {
    if (this.#idle !== null && this.outstanding === 0) {
      const idle = this.#idle;
      this.#idle = null;
      idle();
    }
  }
}
