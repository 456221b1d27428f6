import { MessageStateError } from './errors.js';
import type { DeliveryInfo, Headers, MessageProperties } from './properties.js';
import type { Delivery } from './transport.js';

type Settlement = 'ack' | 'reject' | 'requeue';

/** Settling is synchronous on most transports: one shared promise spares an allocation per message. */
const RESOLVED: Promise<void> = Promise.resolve();

/**
 * A received message: the decoded `body`, the payload bytes (`content`, after decompression), properties and
 * delivery info, and the acknowledgement methods. Exactly one of ack, reject or requeue may be called; a second
 * call throws MessageStateError. Messages from a `noAck` consumer count as acknowledged already and their ack is a
 * no-op.
 */
export class Message<TBody = unknown> {
  readonly #delivery: Delivery;
  #settled: Settlement | undefined;
  readonly #autoAcked: boolean;

  constructor(
    delivery: Delivery,
    /** The payload after decompression, before deserialization. */
    readonly content: Buffer,
    /** The decoded body (undefined when decoding failed; see the consumer's 'error' event). */
    readonly body: TBody,
    autoAcked: boolean,
  ) {
    this.#delivery = delivery;
    this.#autoAcked = autoAcked;
  }

  /** The MIME type the payload was encoded with (`properties.contentType`). */
  get contentType(): string | undefined {
    return this.#delivery.properties.contentType;
  }

  /** The character encoding of the payload (`properties.contentEncoding`). */
  get contentEncoding(): string | undefined {
    return this.#delivery.properties.contentEncoding;
  }

  /** The application headers (`properties.headers`); the `compression` header marks a compressed payload. */
  get headers(): Headers {
    return this.#delivery.properties.headers;
  }

  /** Every property the message carries (ids, reply-to, priority, expiration, timestamp, ...). */
  get properties(): MessageProperties {
    return this.#delivery.properties;
  }

  /** Where the message came from: exchange, routing key, queue, consumer tag and whether it is a redelivery. */
  get deliveryInfo(): DeliveryInfo {
    return this.#delivery.info;
  }

  /** True once ack, reject or requeue was called (or from the start for a noAck consumer). */
  get acknowledged(): boolean {
    return this.#autoAcked || this.#settled !== undefined;
  }

  /** How the message was settled, if it was. */
  get settlement(): Settlement | undefined {
    return this.#settled;
  }

  /** Tells the broker the message is done with. */
  ack(): Promise<void> {
    const refused = this.#claim('ack');
    if (refused !== undefined) return refused;
    return this.#delivery.settler.ack(this.#delivery) ?? RESOLVED;
  }

  /** Drops the message, or dead-letters it where its queue has a dead-letter exchange. */
  reject(): Promise<void> {
    const refused = this.#claim('reject');
    if (refused !== undefined) return refused;
    return this.#delivery.settler.reject(this.#delivery, false) ?? RESOLVED;
  }

  /** Puts the message back on its queue; its next delivery has `redelivered` set. */
  requeue(): Promise<void> {
    const refused = this.#claim('requeue');
    if (refused !== undefined) return refused;
    return this.#delivery.settler.reject(this.#delivery, true) ?? RESOLVED;
  }

  /** Undefined when this call may settle the message; otherwise the promise to return instead. */
  #claim(how: Settlement): Promise<void> | undefined {
    if (this.#autoAcked) return RESOLVED;
    if (this.#settled !== undefined) {
      return Promise.reject(
        new MessageStateError(
          `Message ${this.properties.messageId ?? `from queue "${this.deliveryInfo.queue}"`} was already settled (${this.#settled}); it cannot be settled again (${how}).`,
        ),
      );
    }
    this.#settled = how;
    return undefined;
  }
}
