/**
 * RabbitMQ's direct reply-to (https://www.rabbitmq.com/docs/direct-reply-to): a client consumes the pseudo-queue
 * `amq.rabbitmq.reply-to` without acknowledgement, and the broker routes a reply straight back to the channel
 * whose request named that address in `replyTo`. No reply queue is declared per call or per client. The rule
 * that shapes this class: the request must be published on the very channel that consumes the pseudo-queue, so
 * a direct reply channel is its own plain (non-confirm) channel, apart from the session's publish pipeline. The
 * reply is the request's confirmation; a request that is lost shows as the caller's timeout.
 */
import { ConnectionError, UnsupportedFeatureError, type WarrenError } from '@warren/core';
import type { Delivery, DirectReplyChannel, DirectReplyHooks, OutboundMessage } from '@warren/core/transport';
import type { Channel, ChannelModel, ConsumeMessage, Options } from 'amqplib';
import { AmqpDelivery, ChannelSettler } from './delivery.js';
import { mapOperationError } from './errors.js';
import { toPublishOptions } from './marshal.js';
import { publishErrors } from './publish-errors.js';
import type { WriteCoalescer } from './write-coalescer.js';

/** The pseudo-queue of direct reply-to. */
export const DIRECT_REPLY_TO = 'amq.rabbitmq.reply-to';

/** What a direct reply channel needs from its session. */
export interface DirectReplyContext {
  model: ChannelModel;
  coalescer: WriteCoalescer;
  /** Null while the session is open; the reason once it is closing, closed or lost. */
  ended(): WarrenError | null;
  /** Called once the channel is gone, so that the session forgets it. */
  forget(channel: AmqpDirectReply): void;
}

const RESOLVED: Promise<void> = Promise.resolve();

/** True when the broker announced itself as RabbitMQ, the only AMQP 0-9-1 broker with direct reply-to. */
export function isRabbitMq(model: ChannelModel): boolean {
  const properties = (model as unknown as { connection?: { serverProperties?: { product?: unknown } } }).connection
    ?.serverProperties;
  const product = properties?.product;
  return (Buffer.isBuffer(product) ? product.toString() : String(product ?? '')) === 'RabbitMQ';
}

export class AmqpDirectReply implements DirectReplyChannel {
  readonly replyTo = DIRECT_REPLY_TO;
  readonly #channel: Channel;
  readonly #context: DirectReplyContext;
  readonly #hooks: DirectReplyHooks;
  readonly #settler: ChannelSettler;
  /** Set once the channel is gone: later publishes reject with it. */
  #dead: WarrenError | null = null;
  #closing: Promise<void> | null = null;
  /** Publishes waiting for amqplib's 'drain' (its write buffer was full). */
  #drainWaiters: Array<{ resolve(): void; reject(error: WarrenError): void }> = [];
  #blocked = false;
  #channelError: unknown;

  private constructor(channel: Channel, context: DirectReplyContext, hooks: DirectReplyHooks) {
    this.#channel = channel;
    this.#context = context;
    this.#hooks = hooks;
    this.#settler = new ChannelSettler(channel, context.coalescer);
  }

  /** Opens the channel and consumes the pseudo-queue; UnsupportedFeatureError on a broker other than RabbitMQ. */
  static async open(context: DirectReplyContext, hooks: DirectReplyHooks): Promise<AmqpDirectReply> {
    if (!isRabbitMq(context.model)) {
      throw new UnsupportedFeatureError(
        'This AMQP 0-9-1 broker is not RabbitMQ and has no direct reply-to; a reply queue is used instead.',
      );
    }
    const what = `consuming ${DIRECT_REPLY_TO} (direct reply-to)`;
    let channel: Channel;
    try {
      channel = await context.model.createChannel();
    } catch (error) {
      throw context.ended() ?? mapOperationError(error, `opening a channel for ${what}`);
    }
    const replies = new AmqpDirectReply(channel, context, hooks);
    replies.#listen();
    try {
      await channel.consume(DIRECT_REPLY_TO, (message) => replies.#deliver(message), { noAck: true });
    } catch (error) {
      const failure = context.ended() ?? mapOperationError(error, what);
      replies.#dead = failure;
      channel.close().catch(() => undefined);
      throw failure;
    }
    return replies;
  }

  publish(message: OutboundMessage): Promise<void> {
    if (this.#dead !== null) return Promise.reject(this.#dead);
    let flowing: boolean;
    try {
      // amqplib skips undefined properties; its typings, under exactOptionalPropertyTypes, do not say so.
      const options = toPublishOptions(message.properties, message.mandatory) as Options.Publish;
      flowing = this.#channel.publish(message.exchange, message.routingKey, message.content, options);
    } catch (error) {
      return Promise.reject(this.#dead ?? publishErrors.unencodable(error));
    }
    this.#context.coalescer.wrote();
    if (flowing && !this.#blocked) return RESOLVED;
    // Written into amqplib's buffer, which is full: the caller waits until the socket takes it, so that a loop of
    // calls does not grow memory without bound.
    this.#blocked = true;
    return new Promise((resolve, reject) => {
      this.#drainWaiters.push({ resolve, reject });
    });
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /** The session is gone: the channel went with the connection; settle what waits, without calling back. */
  fail(error: WarrenError): void {
    this.#dead ??= error;
    this.#settler.invalidate();
    this.#releaseWaiters(error);
  }

  async #close(): Promise<void> {
    const closed = new ConnectionError('The direct reply-to channel was closed.');
    this.#dead ??= closed;
    this.#settler.invalidate();
    this.#releaseWaiters(this.#dead);
    this.#context.forget(this);
    await this.#channel.close().catch(() => undefined);
  }

  #deliver(message: ConsumeMessage | null): void {
    // null: the broker cancelled the consumer; the channel's close (or our own) reports the end.
    if (message === null) return;
    const delivery: Delivery = new AmqpDelivery(message, DIRECT_REPLY_TO, this.#settler, true);
    try {
      this.#hooks.reply(delivery);
    } catch {
      // Core's handler does not throw; if it did, amqplib would close the channel: keep the channel instead.
    }
  }

  #releaseWaiters(error: WarrenError | null): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    this.#blocked = false;
    for (const waiter of waiters) {
      if (error === null) waiter.resolve();
      else waiter.reject(error);
    }
  }

  #listen(): void {
    const channel = this.#channel;
    channel.on('error', (error: unknown) => {
      this.#channelError = error;
    });
    channel.on('drain', () => this.#releaseWaiters(null));
    channel.on('handler-error', () => undefined);
    channel.on('close', () => {
      this.#settler.invalidate();
      this.#context.forget(this);
      if (this.#closing !== null) return;
      // The broker closed the channel (a request to an exchange that does not exist, say), or the connection went.
      const error =
        this.#context.ended() ??
        (this.#channelError === undefined
          ? new ConnectionError('The direct reply-to channel closed.')
          : mapOperationError(this.#channelError, 'sending a request on the direct reply-to channel'));
      this.#dead ??= error;
      this.#releaseWaiters(error);
      try {
        this.#hooks.closed(error);
      } catch {
        // A hook that throws has nowhere else to go.
      }
    });
  }
}
