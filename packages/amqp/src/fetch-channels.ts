/**
 * The channels of basic.get: one per queue name. A basic.get on a missing queue makes the broker close its
 * channel (404), and closing a channel puts every message fetched on it and not yet settled back on its queue,
 * after which acking those messages does nothing. With one channel per queue, a failing fetch can only reach
 * messages of the queue it names, and a queue that does not exist holds none (deleting a queue drops its
 * unacknowledged messages with it).
 *
 * Channels of queues no longer fetched from are closed once more than {@link MAX_IDLE_FETCH_CHANNELS} are open,
 * and only when they are idle: nothing running and nothing fetched waiting to be settled.
 */
import type { WarrenError } from '@warren/core';
import type { Delivery } from '@warren/core/transport';
import type { ChannelModel } from 'amqplib';
import { AmqpDelivery } from './delivery.js';
import { OperationChannel } from './operation-channel.js';
import type { WriteCoalescer } from './write-coalescer.js';

/** How many fetch channels may stay open beyond those in use. */
export const MAX_IDLE_FETCH_CHANNELS = 16;

export class FetchChannels {
  readonly #model: ChannelModel;
  readonly #coalescer: WriteCoalescer;
  readonly #warn: (error: Error) => void;
  /** By queue name, least recently used first (a Map keeps insertion order). */
  readonly #byQueue = new Map<string, OperationChannel>();
  #dead: WarrenError | null = null;

  constructor(model: ChannelModel, coalescer: WriteCoalescer, warn: (error: Error) => void) {
    this.#model = model;
    this.#coalescer = coalescer;
    this.#warn = warn;
  }

  /** One message from `queue`, or null when it is empty; see the module comment for the channel it uses. */
  get(queue: string, noAck: boolean): Promise<Delivery | null> {
    if (this.#dead !== null) return Promise.reject(this.#dead);
    return this.#channelFor(queue).run(`getting a message from queue "${queue}"`, async (channel, settler) => {
      const message = await channel.get(queue, { noAck });
      return message === false ? null : new AmqpDelivery(message, queue, settler, noAck);
    });
  }

  /** The session is gone: every channel refuses new work. */
  fail(error: WarrenError): void {
    this.#dead ??= error;
    for (const channel of this.#byQueue.values()) channel.fail(error);
    this.#byQueue.clear();
  }

  #channelFor(queue: string): OperationChannel {
    let channel = this.#byQueue.get(queue);
    if (channel !== undefined) {
      this.#byQueue.delete(queue);
      this.#byQueue.set(queue, channel);
      return channel;
    }
    this.#closeIdle();
    channel = new OperationChannel(this.#model, this.#coalescer, this.#warn);
    this.#byQueue.set(queue, channel);
    return channel;
  }

  /** Makes room for one more channel: closes the least recently used idle ones beyond the limit. */
  #closeIdle(): void {
    let excess = this.#byQueue.size + 1 - MAX_IDLE_FETCH_CHANNELS;
    if (excess <= 0) return;
    for (const [queue, channel] of this.#byQueue) {
      if (excess <= 0) break;
      if (!channel.idle) continue;
      this.#byQueue.delete(queue);
      void channel.close();
      excess--;
    }
  }
}
