import type { DeliveryInfo, Headers, MessageProperties } from '@warren/core';
import type { Delivery, DeliverySettler } from '@warren/core/transport';
import type { Channel, Message } from 'amqplib';
import { fromAmqplibProperties, toDeliveryInfo } from './marshal.js';
import type { WriteCoalescer } from './write-coalescer.js';

/**
 * A delivered message. Properties and info are converted on first read and kept: one object per delivery on the
 * hot path, and none for what nobody reads.
 */
export class AmqpDelivery implements Delivery {
  /** True once acked or rejected, or from the start for a message delivered without acknowledgement. */
  settled: boolean;
  readonly #raw: Message;
  readonly #queue: string;
  #properties: MessageProperties | undefined;
  #info: DeliveryInfo | undefined;

  constructor(
    raw: Message,
    queue: string,
    readonly settler: ChannelSettler,
    noAck: boolean,
  ) {
    this.#raw = raw;
    this.#queue = queue;
    this.settled = noAck;
    if (!noAck) settler.unsettled++;
  }

  get content(): Buffer {
    return this.#raw.content;
  }

  get properties(): MessageProperties {
    if (this.#properties === undefined) this.#properties = fromAmqplibProperties(this.#raw.properties);
    return this.#properties;
  }

  get info(): DeliveryInfo {
    if (this.#info === undefined)
      this.#info = toDeliveryInfo(this.#raw.fields, this.#queue, this.#raw.properties.headers as Headers | undefined);
    return this.#info;
  }

  /** amqplib's message, which its ack and reject take (they read its delivery tag). */
  get raw(): Message {
    return this.#raw;
  }
}

/**
 * Settles the deliveries of one channel; one instance per channel, shared by all its deliveries. Delivery tags
 * belong to their channel: acking a tag twice, or on another channel, makes RabbitMQ close the channel with 406
 * PRECONDITION_FAILED. So a delivery is settled at most once, and only while the channel it came from is open;
 * otherwise settling does nothing (the broker has put the message back on its queue, or will).
 */
export class ChannelSettler implements DeliverySettler {
  #channel: Channel | null;
  readonly #coalescer: WriteCoalescer;
  /** Deliveries of this channel not yet settled (closing the channel would put them back on their queues). */
  unsettled = 0;

  constructor(channel: Channel, coalescer: WriteCoalescer) {
    this.#channel = channel;
    this.#coalescer = coalescer;
  }

  /** Whether deliveries of this channel can still be settled. */
  get open(): boolean {
    return this.#channel !== null;
  }

  /** The channel is gone: every later settle is a no-op. */
  invalidate(): void {
    this.#channel = null;
  }

  ack(delivery: Delivery): void {
    const target = this.#claim(delivery);
    if (target === undefined) return;
    try {
      this.#channel?.ack(target.raw);
      this.#coalescer.wrote();
    } catch {
      // The channel started closing after the check: the broker requeues the message.
    }
  }

  reject(delivery: Delivery, requeue: boolean): void {
    const target = this.#claim(delivery);
    if (target === undefined) return;
    try {
      this.#channel?.reject(target.raw, requeue);
      this.#coalescer.wrote();
    } catch {
      // As in ack.
    }
  }

  /** The delivery, marked settled, if it is ours, unsettled, and its channel still open. */
  #claim(delivery: Delivery): AmqpDelivery | undefined {
    if (!(delivery instanceof AmqpDelivery) || delivery.settler !== this || delivery.settled) return undefined;
    delivery.settled = true;
    this.unsettled--;
    return this.#channel === null ? undefined : delivery;
  }
}
