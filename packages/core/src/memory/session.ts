import type { Capabilities } from '../capabilities.js';
import { ConnectionError, NotFoundError, ResourceLockedError, UnsupportedFeatureError } from '../errors.js';
import type { DeliveryInfo, MessageProperties } from '../properties.js';
import type {
  DeleteExchangeOptions,
  DeleteQueueOptions,
  ExchangeBinding,
  ExchangeSpec,
  QueueBinding,
  QueueInfo,
  QueueSpec,
} from '../topology.js';
import type {
  ConsumeOptions,
  Delivery,
  DeliverySettler,
  OutboundMessage,
  SessionHooks,
  TransportConsumer,
  TransportSession,
} from '../transport.js';
import type { MemoryBroker } from './broker.js';
import type { MemoryQueue, QueueSubscriber } from './queue.js';
import type { StoredMessage } from './stored-message.js';

/** A delivery of the memory broker; `stored` is what goes back to the queue on requeue or close. */
class MemoryDelivery implements Delivery {
  settled = false;
  /** Links in the subscription's list of unsettled deliveries (intrusive: no Set hashing per message). */
  prev: MemoryDelivery | undefined = undefined;
  next: MemoryDelivery | undefined = undefined;
  constructor(
    readonly content: Buffer,
    readonly properties: MessageProperties,
    readonly info: DeliveryInfo,
    readonly settler: MemorySubscription,
    readonly stored: StoredMessage,
  ) {}
}

let sessionIds = 0;
let consumerTags = 0;

/**
 * A subscription (or the pseudo-subscription behind `get`) of one session: it is at once the queue's
 * subscriber and the settler of its deliveries, so a delivery costs one object and no closure.
 */
class MemorySubscription implements QueueSubscriber, DeliverySettler, TransportConsumer {
  unacked = 0;
  /** Newest unsettled delivery; the list runs back through MemoryDelivery.prev. */
  #last: MemoryDelivery | undefined;
  #cancelled = false;

  constructor(
    readonly tag: string,
    readonly ownerId: number,
    readonly queue: MemoryQueue,
    readonly prefetch: number,
    readonly noAck: boolean,
    readonly onDelivery: ((delivery: Delivery) => void) | undefined,
    readonly broker: MemoryBroker,
    readonly onClosed: (subscription: MemorySubscription) => void,
    readonly onBrokerCancel: (tag: string, error: Error) => void = () => {},
  ) {}

  get consumerTag(): string {
    return this.tag;
  }

  deliver(message: StoredMessage): void {
    this.onDelivery?.(this.wrap(message));
  }

  wrap(message: StoredMessage): MemoryDelivery {
    const info: DeliveryInfo = {
      exchange: message.exchange,
      routingKey: message.routingKey,
      redelivered: message.redelivered,
      queue: this.queue.name,
    };
    if (this.onDelivery) info.consumerTag = this.tag;
    const delivery = new MemoryDelivery(message.content, message.properties, info, this, message);
    if (this.noAck) delivery.settled = true;
    else {
      delivery.prev = this.#last;
      if (this.#last) this.#last.next = delivery;
      this.#last = delivery;
    }
    return delivery;
  }

  ack(delivery: Delivery): void {
    const d = delivery as MemoryDelivery;
    if (d.settled) return;
    this.#settle(d);
  }

  reject(delivery: Delivery, requeue: boolean): void {
    const d = delivery as MemoryDelivery;
    if (d.settled) return;
    this.#settle(d);
    if (this.queue.deleted) return;
    if (requeue) this.queue.requeue(d.stored);
    else this.broker.deadLetter(this.queue, d.stored, 'rejected');
  }

  #settle(delivery: MemoryDelivery): void {
    delivery.settled = true;
    this.#unlink(delivery);
    this.unacked--;
    this.queue.scheduleDispatch();
  }

  #unlink(delivery: MemoryDelivery): void {
    if (delivery.prev) delivery.prev.next = delivery.next;
    if (delivery.next) delivery.next.prev = delivery.prev;
    else this.#last = delivery.prev;
    delivery.prev = undefined;
    delivery.next = undefined;
  }

  cancelledByBroker(error: Error): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.queue.unsubscribe(this);
    // Reported after the deleting call has returned, as a broker's basic.cancel arrives on its own.
    queueMicrotask(() => this.onBrokerCancel(this.tag, error));
  }

  async cancel(): Promise<void> {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.queue.unsubscribe(this);
  }

  async close(): Promise<void> {
    await this.cancel();
    this.returnUnsettled();
    this.onClosed(this);
  }

  /** Puts every unsettled delivery back on its queue, oldest at the head, marked redelivered. */
  returnUnsettled(): void {
    // Newest first, each to the head: the oldest ends up first again.
    for (let delivery = this.#last; delivery !== undefined; delivery = this.#last) {
      this.#unlink(delivery);
      delivery.settled = true;
      this.unacked--;
      if (!this.queue.deleted) this.queue.requeue(delivery.stored);
    }
  }
}

/** One connection to a memory broker. */
export class MemorySession implements TransportSession {
  readonly id = ++sessionIds;
  readonly #subscriptions = new Set<MemorySubscription>();
  readonly #getHolders = new Map<MemoryQueue, MemorySubscription>();
  #closed = false;
  readonly #brokerCancelled = (tag: string, error: Error): void => this.hooks?.consumerCancelled(tag, error);
  readonly #forget = (subscription: MemorySubscription): void => {
    this.#subscriptions.delete(subscription);
    if (this.#getHolders.get(subscription.queue) === subscription) this.#getHolders.delete(subscription.queue);
  };

  constructor(
    readonly broker: MemoryBroker,
    readonly capabilities: Capabilities,
    readonly publishTimeoutMs: number,
    readonly hooks?: SessionHooks,
  ) {}

  #open(): void {
    if (this.#closed) throw new ConnectionError('The memory:// connection is closed. Open a new one with connect().');
  }

  async declareExchange(spec: Required<Pick<ExchangeSpec, 'name' | 'type'>> & ExchangeSpec): Promise<void> {
    this.#open();
    if (!this.capabilities.exchangeTypes.includes(spec.type)) {
      throw new UnsupportedFeatureError(`memory:// has no ${spec.type} exchanges.`);
    }
    this.broker.declareExchange({
      name: spec.name,
      type: spec.type,
      durable: spec.durable ?? false,
      autoDelete: spec.autoDelete ?? false,
      internal: spec.internal ?? false,
      arguments: spec.arguments ?? {},
    });
  }

  async deleteExchange(name: string, options: DeleteExchangeOptions): Promise<void> {
    this.#open();
    this.broker.deleteExchange(name, options.ifUnused ?? false);
  }

  async declareQueue(spec: QueueSpec): Promise<QueueInfo> {
    this.#open();
    const queue = this.broker.declareQueue(spec, this.id);
    return { queue: queue.name, messageCount: queue.messageCount, consumerCount: queue.consumerCount };
  }

  async checkQueue(name: string): Promise<QueueInfo> {
    this.#open();
    const queue = this.broker.queue(name);
    queue.checkOwner(this.id);
    return { queue: queue.name, messageCount: queue.messageCount, consumerCount: queue.consumerCount };
  }

  async checkExchange(name: string): Promise<void> {
    this.#open();
    if (!this.broker.exchanges.has(name)) {
      throw new NotFoundError(`Exchange "${name}" does not exist. Declare it first (a Publisher declares its own).`);
    }
  }

  async deleteQueue(name: string, options: DeleteQueueOptions): Promise<number> {
    this.#open();
    this.broker.queues.get(name)?.checkOwner(this.id);
    return this.broker.deleteQueue(name, options);
  }

  async purgeQueue(name: string): Promise<number> {
    this.#open();
    const queue = this.broker.queue(name);
    queue.checkOwner(this.id);
    return queue.purge();
  }

  async bindQueue(binding: QueueBinding): Promise<void> {
    this.#open();
    this.broker.queue(binding.queue).checkOwner(this.id);
    this.broker.exchanges.bind(binding.exchange, {
      destination: binding.queue,
      destinationKind: 'queue',
      routingKey: binding.routingKey ?? '',
      arguments: binding.arguments ?? {},
    });
  }

  async unbindQueue(binding: QueueBinding): Promise<void> {
    this.#open();
    this.broker.exchanges.unbind(binding.exchange, {
      destination: binding.queue,
      destinationKind: 'queue',
      routingKey: binding.routingKey ?? '',
      arguments: binding.arguments ?? {},
    });
  }

  async bindExchange(binding: ExchangeBinding): Promise<void> {
    this.#open();
    if (!this.broker.exchanges.has(binding.destination)) {
      throw new NotFoundError(`Exchange "${binding.destination}" does not exist. Declare it before binding it.`);
    }
    this.broker.exchanges.bind(binding.source, {
      destination: binding.destination,
      destinationKind: 'exchange',
      routingKey: binding.routingKey ?? '',
      arguments: binding.arguments ?? {},
    });
  }

  async unbindExchange(binding: ExchangeBinding): Promise<void> {
    this.#open();
    this.broker.exchanges.unbind(binding.source, {
      destination: binding.destination,
      destinationKind: 'exchange',
      routingKey: binding.routingKey ?? '',
      arguments: binding.arguments ?? {},
    });
  }

  publish(message: OutboundMessage): Promise<void> {
    if (this.#closed)
      return Promise.reject(new ConnectionError('The memory:// connection is closed; the message was not sent.'));
    try {
      return this.broker.publish(message, this.publishTimeoutMs);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  async consume(
    queueName: string,
    options: ConsumeOptions,
    onDelivery: (delivery: Delivery) => void,
  ): Promise<TransportConsumer> {
    this.#open();
    const queue = this.broker.queue(queueName);
    queue.checkOwner(this.id);
    if (options.exclusive && queue.consumerCount > 0) {
      throw new ResourceLockedError(`Queue "${queueName}" already has consumers; it cannot be consumed exclusively.`);
    }
    const tag = options.consumerTag ?? `memory.ctag-${++consumerTags}`;
    const subscription = new MemorySubscription(
      tag,
      this.id,
      queue,
      options.prefetch,
      options.noAck,
      onDelivery,
      this.broker,
      this.#forget,
      this.#brokerCancelled,
    );
    this.#subscriptions.add(subscription);
    queue.subscribe(subscription);
    return subscription;
  }

  async get(queueName: string, options: { noAck: boolean }): Promise<Delivery | null> {
    this.#open();
    const queue = this.broker.queue(queueName);
    queue.checkOwner(this.id);
    const message = queue.take();
    if (!message) return null;
    // Gets are settled through one subscription per queue that is never registered with the queue.
    let holder = this.#getHolders.get(queue);
    if (!holder) {
      holder = new MemorySubscription('', this.id, queue, 0, false, undefined, this.broker, this.#forget);
      this.#getHolders.set(queue, holder);
      this.#subscriptions.add(holder);
    }
    holder.unacked++;
    const delivery = holder.wrap(message);
    if (options.noAck) holder.ack(delivery);
    return delivery;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const subscription of [...this.#subscriptions]) await subscription.close();
    this.#subscriptions.clear();
    this.#getHolders.clear();
    this.broker.dropExclusive(this.id);
  }

  localPorts(): number[] {
    return [];
  }
}
