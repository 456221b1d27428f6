import type { ConsumeOptions, Delivery, TransportConsumer, TransportSession } from './transport.js';

/**
 * A consumer's subscription as the connection keeps it: the same object across reconnects, pointing at the
 * current session's TransportConsumer, so that a consumer neither knows nor cares that the session changed.
 */
export class Subscription {
  #current: TransportConsumer | undefined;
  #active = true;

  #queue: string;

  /** The last stream offset delivered, for a subscription to a stream queue (see `attach`). */
  #lastStreamOffset: number | undefined;

  readonly onDelivery: (delivery: Delivery) => void;

  constructor(
    queue: string,
    readonly options: ConsumeOptions,
    onDelivery: (delivery: Delivery) => void,
    /**
     * Called when the subscription ends without being asked to: the broker cancelled it (its queue was deleted,
     * say) or reconnecting failed (an error), or its connection was closed (undefined).
     */
    readonly onCancelled: (error: Error | undefined) => void,
  ) {
    this.#queue = queue;
    // Only stream subscriptions pay for reading each delivery's info (the hot path of every other one stays as is).
    this.onDelivery =
      options.streamOffset === undefined
        ? onDelivery
        : (delivery) => {
            const offset = delivery.info.streamOffset;
            if (offset !== undefined) this.#lastStreamOffset = offset;
            onDelivery(delivery);
          };
  }

  /** The queue consumed from; a server-named queue gets a new name after a reconnect. */
  get queue(): string {
    return this.#queue;
  }

  retarget(queue: string): void {
    this.#queue = queue;
  }

  get active(): boolean {
    return this.#active;
  }

  get consumerTag(): string | undefined {
    return this.#current?.consumerTag;
  }

  /** Subscribes on a (new) session. */
  async attach(session: TransportSession): Promise<void> {
    // Resumed on a new session, a stream subscription goes on after what it already delivered instead of reading
    // from its first offset again.
    const options =
      this.#lastStreamOffset === undefined
        ? this.options
        : { ...this.options, streamOffset: this.#lastStreamOffset + 1 };
    const consumer = await session.consume(this.queue, options, this.onDelivery);
    if (!this.#active) {
      // Cancelled while the subscribe was in flight: undo it.
      await consumer.close().catch(() => {});
      return;
    }
    this.#current = consumer;
  }

  /** The broker dropped this subscription: it is not resumed after a reconnect. */
  markCancelled(): void {
    this.#active = false;
  }

  async cancel(): Promise<void> {
    this.#active = false;
    await this.#current?.cancel();
  }

  async close(): Promise<void> {
    this.#active = false;
    await this.#current?.close();
  }
}
