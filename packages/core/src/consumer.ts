import { definedFields } from './client-options.js';
import type { Connection } from './connection.js';
import { decodeDelivery, refuseDelivery, undecodedMessage } from './consumer-dispatch.js';
import { ConsumerIterator } from './consumer-iterator.js';
import {
  CONSUMER_FIELDS,
  type ConsumerOptions,
  type ConsumerSettings,
  checkConsumerOptions,
  declareConsumerTopology,
  resolveConsumerSettings,
} from './consumer-settings.js';
import type { Queue } from './declarative/queue.js';
import { SafeEmitter } from './emitter.js';
import { ConfigurationError, MessageStateError, toError } from './errors.js';
import type { Message } from './message.js';
import type { BodySchema } from './schema.js';
import type { Subscription } from './subscription.js';
import type { ExchangeTypeName, QueueArguments, StreamOffset } from './topology.js';
import type { Delivery } from './transport.js';

export type { ConsumerOptions } from './consumer-settings.js';

/**
 * A callback registered with `consumer.register(fn)`: gets the decoded body and the message, settles the message
 * (or throws: the message is rejected and the error reported). May return a promise.
 */
export type ConsumerCallback<TBody> = (body: TBody, message: Message<TBody>) => unknown;

/** The events of a {@link Consumer} and their listener arguments. */
export interface ConsumerEvents<TBody> {
  /** Any other event name (none is emitted today). */
  [event: string]: unknown[];
  /** Every problem with a delivery: callback threw, content disallowed, decode or schema failed, cancelled by the broker. */
  error: [error: Error, message?: Message<TBody>];
}

/** What a subscription was started for: `receive` (consume()) or a `for await` loop. */
type Receiver = 'receive' | 'iterator';

type Phase = 'idle' | 'consuming' | 'cancelled' | 'closed';

/**
 * Receives messages from one queue (or several). Fields are defaults that constructor options override, so a
 * subclass can set them carrot-style and override `receive`. Delivery goes to `receive` (by default: every
 * registered callback), or to a `for await` loop; each message must be settled (ack, reject or requeue) unless
 * `noAck`. A callback that throws gets its message rejected (or requeued with `requeueOnError`) and the error
 * reported through the 'error' event.
 */
export class Consumer<TBody = unknown>
  extends SafeEmitter<ConsumerEvents<TBody>>
  implements AsyncIterable<Message<TBody>>
{
  /** The queue to consume from; see {@link ConsumerOptions.queue}. */
  queue?: string | undefined;
  /** Several queues consumed together: names of queues declared beforehand, or {@link Queue} objects (declared). */
  queues?: Array<string | Queue> | undefined;
  /** The exchange to declare and bind the queue to (default `''`: no binding). */
  exchange?: string | undefined;
  /** The type the exchange is declared with (default `direct`). */
  exchangeType?: ExchangeTypeName | undefined;
  /** The binding's routing key or topic pattern, or several (one binding each); default `''`. */
  routingKey?: string | string[] | undefined;
  /** At most this many unacknowledged messages at a time (default 100; 0: no limit). */
  prefetch?: number | undefined;
  /** Serializer names or content types to decode (default `['json']`). */
  accept?: string[] | undefined;
  /** Auto-acknowledge on delivery (default false). */
  noAck?: boolean | undefined;
  /** Declare the queue durable (default true for a named queue). */
  durable?: boolean | undefined;
  /** Declare the queue exclusive to this connection. */
  exclusive?: boolean | undefined;
  /** Declare the queue auto-delete. */
  autoDelete?: boolean | undefined;
  /** Arguments the queue is declared with. */
  queueArguments?: QueueArguments | undefined;
  /** Validates each body; a failing message is rejected and reported, not passed on. */
  schema?: BodySchema<TBody> | undefined;
  /** Declare the exchange durable (default true). */
  exchangeDurable?: boolean | undefined;
  /** Arguments of the binding (headers exchanges: `{ 'x-match': 'all', ... }`). */
  bindingArguments?: Record<string, unknown> | undefined;
  /** Requeue a message whose callback threw instead of rejecting it (default false). */
  requeueOnError?: boolean | undefined;
  /** Consume exclusively: no other consumer on the queue (default false). */
  exclusiveConsumer?: boolean | undefined;
  /** Where to start reading a stream queue; see {@link ConsumerOptions.streamOffset}. */
  streamOffset?: StreamOffset | undefined;

  /** The connection this consumer receives through. */
  readonly connection: Connection;
  readonly #options: ConsumerOptions<TBody>;
  readonly #callbacks: ConsumerCallback<TBody>[] = [];
  #settings: ConsumerSettings | undefined;
  #fieldsChecked = false;
  #declared: Promise<string[]> | undefined;
  #subscriptions: Subscription[] = [];
  #starting: Promise<void> | undefined;
  #phase: Phase = 'idle';
  /** Set synchronously by close(), so that a consume() racing it cannot win. */
  #closing = false;
  /** Subscriptions cancelled but not closed: their unsettled messages go back to the queue on close(). */
  #cancelledSubscriptions: Subscription[] = [];
  readonly #onSignal = (): void => void this.cancel().catch(() => {});
  #waiters: Array<() => void> = [];
  /** Set while a `for await` loop is the receiver. */
  #iterator: ConsumerIterator<TBody> | undefined;

  /**
   * A consumer on `connection`; `options` override the fields a subclass sets. Nothing is declared or subscribed
   * until `consume()`, `wait()`, `fetch()` or a `for await` loop.
   */
  constructor(connection: Connection, options: ConsumerOptions<TBody> = {}) {
    super();
    checkConsumerOptions(options, 'Consumer options');
    this.connection = connection;
    this.#options = options;
    options.signal?.addEventListener('abort', this.#onSignal, { once: true });
  }

  /** Adds a callback that gets each message (carrot's register_callback). */
  register(callback: ConsumerCallback<TBody>): this {
    this.#callbacks.push(callback);
    return this;
  }

  /**
   * Handles one message. The default calls every registered callback in turn; override it in a subclass instead
   * of registering callbacks.
   */
  async receive(body: TBody, message: Message<TBody>): Promise<void> {
    for (const callback of this.#callbacks) await callback(body, message);
  }

  /**
   * Declares (unless `declare: false`) and starts delivering to `receive`. Resolves once subscribed. Rejects with
   * ConfigurationError, before subscribing, when there is nothing to deliver to (no callback registered and no
   * `receive` override): a message is never rejected for want of a callback.
   */
  async consume(): Promise<void> {
    this.#assertUsable('consume');
    if (!this.#hasReceiver()) {
      throw new ConfigurationError(
        `Nothing would receive the messages of ${this.#queueNames()}: call register(fn) or override receive() before consume(), or iterate with for await.`,
      );
    }
    await this.#consume('receive');
  }

  async #consume(receiver: Receiver): Promise<void> {
    if (this.#phase === 'consuming' || this.#options.signal?.aborted) return;
    this.#starting ??= this.#start(receiver).finally(() => {
      this.#starting = undefined;
    });
    await this.#starting;
  }

  /**
   * Consumes (if not already) and resolves when the consumer is cancelled or closed, or when `signal` fires
   * (which cancels it): carrot's consumer loop.
   */
  async wait(options: { signal?: AbortSignal } = {}): Promise<void> {
    const { signal } = options;
    if (signal?.aborted) return;
    // Listen before consume(): the signal may fire while the consumer is still declaring.
    let aborted!: Promise<void>;
    const onAbort = (): void => {
      aborted = this.cancel().catch(() => {});
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.consume();
      if (signal?.aborted) {
        await aborted;
        await this.cancel().catch(() => {});
        return;
      }
      if (this.#phase !== 'consuming') return;
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
      });
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /**
   * Takes one message without subscribing (basic.get), or null when every queue is empty. With several queues it
   * takes from the first, in order, that has a message.
   */
  async fetch(): Promise<Message<TBody> | null> {
    this.#assertUsable('fetch');
    const queues = await this.declare();
    const settings = this.#settingsNow();
    let delivery: Delivery | null = null;
    for (const queue of queues) {
      delivery = await this.connection.get(queue, settings.noAck);
      if (delivery !== null) break;
    }
    if (!delivery) return null;
    try {
      return decodeDelivery<TBody>(delivery, settings);
    } catch (error) {
      await refuseDelivery(delivery, settings).catch(() => {});
      throw error;
    }
  }

  /** Drops every ready message of the consumer's queues (carrot's discard_all); resolves with how many. */
  async purge(): Promise<number> {
    const queues = await this.declare();
    let total = 0;
    for (const queue of queues) total += await this.connection.purgeQueue(queue);
    return total;
  }

  /** Declares the exchange, queue and binding (once); resolves with the queue names (as they are now). */
  declare(): Promise<string[]> {
    try {
      this.#checkFields();
    } catch (error) {
      return Promise.reject(error);
    }
    this.#declared ??= declareConsumerTopology(this.connection, this.#options, this).catch((error: unknown) => {
      this.#declared = undefined;
      throw error;
    });
    // A server-named queue is renamed by each reconnect: fetch() and purge() follow the name it has now.
    return this.#declared.then((queues) => queues.map((queue) => this.connection.currentQueueName(queue)));
  }

  /** Stops deliveries; messages already delivered can still be settled. `consume()` starts again. */
  async cancel(): Promise<void> {
    if (this.#phase === 'closed') return;
    this.#cancelledSubscriptions.push(...(await this.#stop('cancel')));
    this.#phase = 'cancelled';
    this.#release();
  }

  /** Cancels and returns unsettled messages to the queue. The consumer cannot be used again. */
  async close(): Promise<void> {
    if (this.#phase === 'closed') return;
    this.#closing = true;
    this.#options.signal?.removeEventListener('abort', this.#onSignal);
    const cancelled = this.#cancelledSubscriptions;
    this.#cancelledSubscriptions = [];
    await this.#stop('close', cancelled);
    this.#phase = 'closed';
    this.#release();
  }

  /** The current consumer tags (one per queue). */
  get consumerTags(): string[] {
    return this.#subscriptions.map((s) => s.consumerTag).filter((tag): tag is string => tag !== undefined);
  }

  /** True while subscribed (after `consume()` resolved, until `cancel()` or `close()`). */
  get isConsuming(): boolean {
    return this.#phase === 'consuming';
  }

  /** `for await (const message of consumer)`: subscribes on the first pull; `break` cancels. */
  [Symbol.asyncIterator](): AsyncIterator<Message<TBody>> {
    const previous = this.#iterator;
    if (previous && !previous.ended) return previous;
    // A new loop after a `break` starts afresh: the old one put back what it had not yielded.
    this.#iterator = new ConsumerIterator<TBody>(
      () => this.#consume('iterator'),
      () => this.cancel(),
    );
    return this.#iterator;
  }

  // ---- internals

  #settingsNow(): ConsumerSettings {
    this.#checkFields();
    this.#settings ??= resolveConsumerSettings(this.connection, this.#options, this);
    return this.#settings;
  }

  /** A subclass's fields are set after the constructor ran: they are checked at the first use, once. */
  #checkFields(): void {
    if (this.#fieldsChecked) return;
    checkConsumerOptions(definedFields(this, CONSUMER_FIELDS), `${this.constructor.name} fields`);
    this.#fieldsChecked = true;
  }

  #assertUsable(what: string): void {
    if (this.#phase === 'closed' || this.#closing)
      throw new MessageStateError(`This consumer is closed; create a new Consumer to ${what}.`);
  }

  /** True when `receive` has somewhere to deliver: a registered callback, or a subclass's own `receive`. */
  #hasReceiver(): boolean {
    return this.#callbacks.length > 0 || this.receive !== Consumer.prototype.receive;
  }

  #queueNames(): string {
    const o = this.#options;
    const names = o.queues ?? this.queues ?? [o.queue ?? this.queue ?? ''];
    return names.map((name) => (name === '' ? 'a server-named queue' : `"${name}"`)).join(', ');
  }

  async #start(receiver: Receiver): Promise<void> {
    const queues = await this.declare();
    const settings = this.#settingsNow();
    const onDelivery = (delivery: Delivery): void => this.#onDelivery(delivery, settings, receiver);
    const subscriptions: Subscription[] = [];
    try {
      for (const queue of queues) {
        subscriptions.push(
          await this.connection.subscribe(
            queue,
            settings.streamOffset === undefined
              ? { prefetch: settings.prefetch, noAck: settings.noAck, exclusive: settings.exclusiveConsumer }
              : {
                  prefetch: settings.prefetch,
                  noAck: settings.noAck,
                  exclusive: settings.exclusiveConsumer,
                  streamOffset: settings.streamOffset,
                },
            onDelivery,
            (error) => this.#brokerCancelled(error),
          ),
        );
      }
    } catch (error) {
      for (const subscription of subscriptions)
        await this.connection.unsubscribe(subscription, 'close').catch(() => {});
      throw error;
    }
    if (this.#closing) {
      for (const subscription of subscriptions)
        await this.connection.unsubscribe(subscription, 'close').catch(() => {});
      throw new MessageStateError('The consumer was closed while it was subscribing.');
    }
    this.#subscriptions = subscriptions;
    this.#phase = 'consuming';
  }

  /** Ends the current subscriptions (and `also`); returns the ones it ended. */
  async #stop(how: 'cancel' | 'close', also: Subscription[] = []): Promise<Subscription[]> {
    await this.#starting?.catch(() => {});
    const subscriptions = [...this.#subscriptions, ...also];
    this.#subscriptions = [];
    const errors: unknown[] = [];
    for (const subscription of subscriptions) {
      await this.connection.unsubscribe(subscription, how).catch((error: unknown) => errors.push(error));
    }
    if (errors.length > 0) throw errors[0];
    return subscriptions;
  }

  #release(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
    this.#iterator?.end();
  }

  #brokerCancelled(error: Error | undefined): void {
    if (error) this.emit('error', error);
    if (this.#subscriptions.every((s) => !s.active)) {
      this.#subscriptions = [];
      this.#phase = 'cancelled';
      this.#release();
    }
  }

  /**
   * Hands a delivery to the active `for await` loop, else to `receive`. A delivery that has neither (it was in
   * flight when a loop ended, or the receiver went away) goes back to the queue: never rejected for want of one.
   */
  #onDelivery(delivery: Delivery, settings: ConsumerSettings, receiver: Receiver): void {
    let message: Message<TBody>;
    try {
      message = decodeDelivery<TBody>(delivery, settings);
    } catch (error) {
      // Settled through the Message, so that the listener sees it settled (and settling it again fails).
      const refused = undecodedMessage<TBody>(delivery, settings);
      refused.reject().catch(() => {});
      this.emit('error', toError(error), refused);
      return;
    }
    if (this.#iterator?.active) {
      this.#iterator.push(message);
      return;
    }
    if (receiver === 'iterator' || !this.#hasReceiver()) {
      message.requeue().catch(() => {});
      return;
    }
    let result: unknown;
    try {
      // The common case, one registered callback and no receive() override, skips receive's promise.
      const only =
        this.#callbacks.length === 1 && this.receive === Consumer.prototype.receive ? this.#callbacks[0] : undefined;
      result = only ? only(message.body, message) : this.receive(message.body, message);
    } catch (error) {
      this.#failed(error, message, settings);
      return;
    }
    if (result instanceof Promise) result.then(undefined, (error: unknown) => this.#failed(error, message, settings));
  }

  #failed(thrown: unknown, message: Message<TBody>, settings: ConsumerSettings): void {
    if (!message.acknowledged) {
      const settle = settings.requeueOnError ? message.requeue() : message.reject();
      settle.catch(() => {});
    }
    this.emit('error', toError(thrown), message);
  }
}
