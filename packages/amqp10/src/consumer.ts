/**
 * A consumer: one receiver link on a session of its own (RabbitMQ ends the whole session on a link error, which
 * must not take the other consumers along). At least once: rhea's auto-accept is off; a delivery is accepted
 * when warren acks it (after the callback succeeded), released for requeue, rejected for reject. Link credit is
 * the prefetch, given back one by one as deliveries are settled.
 */
import { ConnectionError, type DeliveryInfo, type MessageProperties, SerializationError } from '@warren/core';
import type { ConsumeOptions, Delivery, DeliverySettler, TransportConsumer } from '@warren/core/transport';
import type { Connection, EventContext, Receiver, Delivery as RheaDelivery, Session } from 'rhea';
import type { AddressStrategy } from './addresses.js';
import { mapAmqpError } from './errors.js';
import { fromAmqp10 } from './marshal.js';

/** Credit kept out when nothing bounds it (no acks, or prefetch 0), topped up as messages arrive. */
const UNBOUNDED_WINDOW = 1000;
/** How long a cancel waits for the broker to answer the detach. */
const DETACH_WAIT_MS = 5_000;

/** A delivery with the rhea delivery it settles. */
export class Amqp10Delivery implements Delivery {
  settled = false;
  constructor(
    readonly content: Buffer,
    readonly properties: MessageProperties,
    readonly info: DeliveryInfo,
    readonly settler: Amqp10Consumer,
    readonly native: RheaDelivery,
  ) {}
}

/** What a consumer reports to its session. */
export interface ConsumerEvents {
  /** The broker ended the subscription (queue deleted, link or session ended with an error). */
  cancelled(consumer: Amqp10Consumer, error: Error): void;
  /** A delivery the consumer settled itself (a body it could not read). */
  warning(error: Error): void;
}

export class Amqp10Consumer implements TransportConsumer, DeliverySettler {
  readonly #session: Session;
  readonly #receiver: Receiver;
  readonly #unsettled = new Set<Amqp10Delivery>();
  readonly #window: number;
  /** True while credit is given back on settle (acks with a prefetch); false: on arrival. */
  readonly #creditOnSettle: boolean;
  #active = true;
  #ended = false;
  #detached: Promise<void> = Promise.resolve();
  readonly opened: Promise<void>;

  constructor(
    connection: Connection,
    readonly queue: string,
    readonly consumerTag: string,
    private readonly options: ConsumeOptions,
    private readonly strategy: AddressStrategy,
    private readonly onDelivery: (delivery: Delivery) => void,
    private readonly events: ConsumerEvents,
  ) {
    const address = strategy.receiveAddress(queue);
    this.#creditOnSettle = !options.noAck && options.prefetch > 0;
    this.#window = options.prefetch > 0 ? options.prefetch : UNBOUNDED_WINDOW;
    this.#session = connection.create_session();
    this.#session.begin();
    this.#receiver = this.#session.attach_receiver({
      name: consumerTag,
      source: { address },
      autoaccept: false,
      credit_window: 0,
      // noAck: the broker sends settled deliveries (auto-ack).
      snd_settle_mode: options.noAck ? 1 : 0,
      rcv_settle_mode: 0,
    });
    this.opened = new Promise<void>((resolve, reject) => {
      let open = false;
      this.#receiver.once('receiver_open', () => {
        open = true;
        this.#receiver.add_credit(this.#window);
        resolve();
      });
      const ended = (context: EventContext): void => {
        const cause = context.receiver?.error ?? context.session?.error;
        const error = cause
          ? mapAmqpError(cause, `receiving from "${address}" (queue "${queue}")`, strategy.brokerName)
          : new ConnectionError(`${strategy.brokerName} closed the consumer of queue "${queue}".`);
        if (!open) {
          open = true;
          this.#end();
          reject(error);
          return;
        }
        if (!this.#active) return;
        this.#end();
        this.events.cancelled(this, error);
      };
      this.#receiver.on('receiver_error', ended);
      this.#receiver.on('receiver_close', ended);
      this.#session.on('session_error', ended);
      this.#session.on('session_close', ended);
    });
    this.#receiver.on('message', (context: EventContext) => this.#onMessage(context));
  }

  #onMessage(context: EventContext): void {
    const native = context.delivery as RheaDelivery;
    const message = context.message;
    if (!message || !this.#active) {
      // A message that raced a cancel goes back to the queue.
      if (!this.options.noAck) native.release();
      return;
    }
    let decoded: ReturnType<typeof fromAmqp10>;
    try {
      decoded = fromAmqp10(message);
    } catch (error) {
      if (!this.options.noAck) {
        native.reject();
        this.#topUp();
      } else this.#topUpOnArrival();
      this.events.warning(
        new SerializationError(`A message from queue "${this.queue}" was rejected: ${(error as Error).message}`, {
          cause: error,
        }),
      );
      return;
    }
    const origin = this.strategy.origin(message.message_annotations, this.queue);
    const info: DeliveryInfo = {
      exchange: origin.exchange,
      routingKey: origin.routingKey,
      redelivered: message.first_acquirer === false || (message.delivery_count ?? 0) > 0,
      consumerTag: this.consumerTag,
      queue: this.queue,
    };
    const delivery = new Amqp10Delivery(decoded.content, decoded.properties, info, this, native);
    if (this.options.noAck) {
      delivery.settled = true;
      this.#topUpOnArrival();
    } else {
      this.#unsettled.add(delivery);
      if (!this.#creditOnSettle) this.#topUpOnArrival();
    }
    this.onDelivery(delivery);
  }

  ack(delivery: Delivery): void {
    this.#settle(delivery as Amqp10Delivery, 'accept');
  }

  reject(delivery: Delivery, requeue: boolean): void {
    // Plain `released` requeues on every broker; `modified` (with delivery-failed) ends the session on RabbitMQ 3.10.
    this.#settle(delivery as Amqp10Delivery, requeue ? 'release' : 'reject');
  }

  #settle(delivery: Amqp10Delivery, outcome: 'accept' | 'release' | 'reject'): void {
    if (delivery.settled) return;
    delivery.settled = true;
    this.#unsettled.delete(delivery);
    // A delivery of a session that is gone is redelivered by the broker: nothing to do.
    if (this.#ended) return;
    try {
      if (outcome === 'accept') delivery.native.accept();
      else if (outcome === 'release') delivery.native.release();
      else delivery.native.reject();
    } catch {
      return;
    }
    if (this.#creditOnSettle) this.#topUp();
  }

  /** One credit back for a settled delivery, while consuming. rhea sends the flow frames of one turn together. */
  #topUp(): void {
    if (!this.#active || !this.#creditOnSettle) return;
    const missing = this.#window - creditOf(this.#receiver) - this.#unsettled.size;
    if (missing > 0) this.#receiver.add_credit(missing);
  }

  #topUpOnArrival(): void {
    if (!this.#active) return;
    const missing = this.#window - creditOf(this.#receiver);
    if (missing >= this.#window / 4) this.#receiver.add_credit(missing);
  }

  /**
   * Stops deliveries by detaching the link, and resolves when the broker answered the detach (bounded): by then
   * it has processed every settlement sent before. Deliveries made can still be settled on the session.
   */
  async cancel(): Promise<void> {
    if (!this.#active) return this.#detached;
    this.#active = false;
    this.#detached = new Promise<void>((resolve) => {
      if (this.#ended) {
        resolve();
        return;
      }
      const timer = setTimeout(resolve, DETACH_WAIT_MS);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.#receiver.once('receiver_close', done);
      this.#receiver.once('receiver_error', done);
      this.#session.once('session_close', done);
      this.#session.once('session_error', done);
      try {
        this.#receiver.close();
      } catch {
        done();
      }
    });
    return this.#detached;
  }

  /**
   * Cancels and hands every unsettled delivery back (released), then ends the session. RabbitMQ 3.10 drops the
   * settlements still queued in a session that ends, so the session ends only after the broker answered the detach.
   */
  async close(): Promise<void> {
    for (const delivery of [...this.#unsettled]) this.#settle(delivery, 'release');
    await this.cancel();
    if (this.#ended) return;
    this.#end();
    try {
      this.#session.close();
    } catch {}
  }

  /** The session is gone (closed, or the connection lost): settling becomes a no-op. */
  lost(): void {
    this.#active = false;
    this.#end();
  }

  #end(): void {
    this.#active = false;
    this.#ended = true;
    this.#unsettled.clear();
  }
}

/** The link credit the receiver has out; rhea keeps it as `credit`, which its typings leave out. */
function creditOf(receiver: Receiver): number {
  return (receiver as unknown as { credit: number }).credit;
}
