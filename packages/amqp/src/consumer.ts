/**
 * A subscription: one channel per consumer, so that its prefetch (basic.qos) is its own and a failure on it
 * touches no other consumer.
 */
import { NotFoundError, type WarrenError } from '@warren/core';
import type { ConsumeOptions, Delivery, SessionHooks, TransportConsumer } from '@warren/core/transport';
import type { Channel, ChannelModel, ConsumeMessage, Options } from 'amqplib';
import { AmqpDelivery, ChannelSettler } from './delivery.js';
import { mapOperationError } from './errors.js';
import { toStreamOffsetArgument } from './marshal.js';
import type { WriteCoalescer } from './write-coalescer.js';

/** What a consumer needs from its session. */
export interface ConsumerContext {
  model: ChannelModel;
  hooks: SessionHooks;
  /** Batches the socket writes of acks. */
  coalescer: WriteCoalescer;
  /** Null while the session is open; the reason once it is closing, closed or lost. */
  ended(): WarrenError | null;
  /** Called once the consumer's channel is gone, so that the session forgets it. */
  forget(consumer: AmqpConsumer): void;
}

export class AmqpConsumer implements TransportConsumer {
  #consumerTag = '';
  readonly #queue: string;
  readonly #context: ConsumerContext;
  readonly #channel: Channel;
  readonly #settler: ChannelSettler;
  #cancelling: Promise<void> | null = null;
  #closing: Promise<void> | null = null;
  /** True once basic.consume-ok arrived: only then is a broker-side cancel or channel error news for core. */
  #established = false;
  #channelError: unknown;

  private constructor(queue: string, channel: Channel, context: ConsumerContext) {
    this.#queue = queue;
    this.#channel = channel;
    this.#context = context;
    this.#settler = new ChannelSettler(channel, context.coalescer);
  }

  /** Opens the channel, sets the prefetch and subscribes; rejects with a mapped error (NotFoundError, ...). */
  static async open(
    context: ConsumerContext,
    queue: string,
    options: ConsumeOptions,
    onDelivery: (delivery: Delivery) => void,
  ): Promise<AmqpConsumer> {
    const what = `consuming from queue "${queue}"`;
    let channel: Channel;
    try {
      channel = await context.model.createChannel();
    } catch (error) {
      throw context.ended() ?? mapOperationError(error, `opening a channel for ${what}`);
    }
    const consumer = new AmqpConsumer(queue, channel, context);
    consumer.#listen(channel);
    try {
      if (options.prefetch > 0) await channel.prefetch(options.prefetch, false);
      const noAck = options.noAck;
      const reply = await channel.consume(
        queue,
        (message: ConsumeMessage | null) => {
          if (message === null) consumer.#cancelledByBroker();
          else consumer.#deliver(onDelivery, new AmqpDelivery(message, queue, consumer.#settler, noAck));
        },
        consumeOptions(options),
      );
      consumer.#consumerTag = reply.consumerTag;
      consumer.#established = true;
      return consumer;
    } catch (error) {
      const failure = context.ended() ?? mapOperationError(error, what);
      consumer.#settler.invalidate();
      channel.close().catch(() => undefined);
      throw failure;
    }
  }

  /** The broker's tag for this subscription. */
  get consumerTag(): string {
    return this.#consumerTag;
  }

  /** Stops new deliveries (basic.cancel); deliveries already made can still be settled. Idempotent. */
  cancel(): Promise<void> {
    this.#cancelling ??= this.#cancel();
    return this.#cancelling;
  }

  /** Cancels and closes the channel: the broker puts every unsettled delivery back on the queue. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #cancel(): Promise<void> {
    if (!this.#settler.open) return;
    try {
      await this.#channel.cancel(this.#consumerTag);
    } catch {
      // The channel or connection went away meanwhile: the subscription is gone with it.
    }
  }

  async #close(): Promise<void> {
    await this.cancel();
    this.#settler.invalidate();
    this.#context.forget(this);
    await this.#channel.close().catch(() => undefined);
  }

  #deliver(onDelivery: (delivery: Delivery) => void, delivery: AmqpDelivery): void {
    try {
      onDelivery(delivery);
    } catch (error) {
      // A throw here would make amqplib close the channel; core's handler should not throw, but if it does, say so.
      this.#warn(error);
    }
  }

  #cancelledByBroker(): void {
    if (this.#closing !== null) return;
    this.#cancelling ??= Promise.resolve();
    this.#report(
      new NotFoundError(
        `The broker cancelled consumer "${this.#consumerTag}" of queue "${this.#queue}": the queue was deleted (or, for a quorum queue, lost its leader). Declare the queue again and consume anew.`,
      ),
    );
    // The subscription is over: release its channel (core may never call close on a cancelled consumer). What was
    // delivered and not settled goes back to the queue, if the queue still exists.
    void this.close();
  }

  #listen(channel: Channel): void {
    channel.on('error', (error: unknown) => {
      this.#channelError = error;
    });
    channel.on('handler-error', (error: unknown) => this.#warn(error));
    channel.on('close', () => {
      this.#settler.invalidate();
      this.#context.forget(this);
      // A channel closed by the broker while the connection lives (a delivery acknowledgement timeout, say) ends
      // this subscription: tell core, which resumes it. Without a channel error, the connection is going (core
      // hears of it through `lost`) or we closed it.
      if (
        this.#established &&
        this.#closing === null &&
        this.#channelError !== undefined &&
        this.#context.ended() === null
      ) {
        this.#closing = Promise.resolve();
        this.#report(mapOperationError(this.#channelError, `consuming from queue "${this.#queue}"`));
      }
    });
  }

  #report(error: WarrenError): void {
    try {
      this.#context.hooks.consumerCancelled(this.#consumerTag, error);
    } catch (thrown) {
      this.#warn(thrown);
    }
  }

  #warn(thrown: unknown): void {
    try {
      this.#context.hooks.warning(thrown instanceof Error ? thrown : new Error(String(thrown)));
    } catch {
      // A hook that throws has nowhere else to go.
    }
  }
}

/** amqplib's basic.consume options for core's. */
function consumeOptions(options: ConsumeOptions): Options.Consume {
  const out: Options.Consume = { noAck: options.noAck, exclusive: options.exclusive };
  if (options.consumerTag !== undefined) out.consumerTag = options.consumerTag;
  if (options.streamOffset !== undefined)
    out.arguments = { 'x-stream-offset': toStreamOffsetArgument(options.streamOffset) };
  return out;
}
