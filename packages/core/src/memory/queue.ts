import { ResourceLockedError } from '../errors.js';
import type { DeathReason } from '../semantics/dead-letter.js';
import { Fifo } from '../semantics/fifo.js';
import { isOverLimit, type OverflowPolicy, overflowPolicy, wouldOverflow } from '../semantics/overflow.js';
import type { NormalizedQueueArguments } from '../semantics/queue-arguments.js';
import { checkQueueEquivalent } from '../semantics/queue-equivalence.js';
import type { StoredMessage } from './stored-message.js';

/** A subscriber of a memory queue: core's consumer seen from the broker side. */
export interface QueueSubscriber {
  readonly tag: string;
  readonly ownerId: number;
  /** 0: unlimited. */
  readonly prefetch: number;
  readonly noAck: boolean;
  /** Unsettled deliveries. */
  unacked: number;
  deliver(message: StoredMessage): void;
  /** The queue was deleted under this subscriber (RabbitMQ sends basic.cancel). */
  cancelledByBroker(error: Error): void;
}

export interface QueueHooks {
  deadLetter(queue: MemoryQueue, message: StoredMessage, reason: DeathReason): void;
  /** The queue has room again (or was deleted): waiting publishers may go on. */
  drained(queue: MemoryQueue): void;
  /** An auto-delete queue lost its last consumer. */
  abandoned(queue: MemoryQueue): void;
}

/**
 * One queue of the memory broker: ready messages (one FIFO per priority level when `maxPriority` is set),
 * round-robin dispatch to subscribers within their prefetch, TTL at the head, max length by dropping the head.
 * Dispatch runs in a microtask after the triggering call so that a publisher never runs consumer code inline.
 */
export class MemoryQueue {
  readonly #levels: Fifo<StoredMessage>[];
  #ready = 0;
  #readyBytes = 0;
  readonly subscribers: QueueSubscriber[] = [];
  #nextSubscriber = 0;
  #dispatchScheduled = false;
  #expiryTimer: NodeJS.Timeout | undefined;
  #expiryAt = Number.POSITIVE_INFINITY;
  #hadSubscriber = false;
  deleted = false;
  /** The queue's length limits, from core's shared rules; undefined when it has none. */
  readonly overflow: OverflowPolicy | undefined;

  constructor(
    readonly name: string,
    readonly durable: boolean,
    readonly exclusiveOwner: number | undefined,
    readonly autoDelete: boolean,
    readonly args: NormalizedQueueArguments,
    readonly argumentsKey: string,
    readonly highWaterMark: number,
    readonly highWaterMarkBytes: number,
    readonly hooks: QueueHooks,
  ) {
    this.overflow = overflowPolicy(args);
    const levels = args.maxPriority ? Math.min(Math.max(1, Math.floor(args.maxPriority)), 255) + 1 : 1;
    this.#levels = Array.from({ length: levels }, () => new Fifo<StoredMessage>());
  }

  get messageCount(): number {
    return this.#ready;
  }

  get consumerCount(): number {
    return this.subscribers.length;
  }

  get readyBytes(): number {
    return this.#readyBytes;
  }

  /**
   * True while publishers must wait: as many ready messages as the high-water mark, or as many payload bytes as
   * the byte high-water mark. A waiting send is not stored until the queue has room, so a full queue never grows.
   */
  get full(): boolean {
    return this.#ready >= this.highWaterMark || this.#readyBytes >= this.highWaterMarkBytes;
  }

  /** Tells the broker after messages left the queue, so that waiting sends may be stored. */
  #left(): void {
    if (!this.full) this.hooks.drained(this);
  }

  checkOwner(ownerId: number): void {
    if (this.exclusiveOwner !== undefined && this.exclusiveOwner !== ownerId) {
      throw new ResourceLockedError(
        `Queue "${this.name}" is exclusive to another connection. Use another queue name, or consume from the connection that declared it.`,
      );
    }
  }

  checkEquivalent(durable: boolean, argumentsKey: string, exclusiveOwner: number | undefined): void {
    checkQueueEquivalent(this.name, this, { durable, argumentsKey });
    if (exclusiveOwner !== undefined) this.checkOwner(exclusiveOwner);
  }

  /** Adds a routed message, then enforces max length by dropping (dead-lettering) from the head. */
  enqueue(message: StoredMessage): void {
    this.#levelFor(message.priority).push(message);
    this.#ready++;
    this.#readyBytes += message.content.length;
    this.#enforceMaxLength();
    this.#armExpiry(message.expiresAt);
    this.scheduleDispatch();
  }

  /** Puts a message back at the head of its level (RabbitMQ keeps a requeued message's place near the front). */
  requeue(message: StoredMessage): void {
    message.redelivered = true;
    this.#levelFor(message.priority).unshift(message);
    this.#ready++;
    this.#readyBytes += message.content.length;
    this.#armExpiry(message.expiresAt);
    this.scheduleDispatch();
  }

  /** Takes the next live message (expired ones at the head are dead-lettered on the way). */
  take(now = Date.now()): StoredMessage | undefined {
    for (let level = this.#levels.length - 1; level >= 0; level--) {
      const fifo = this.#levels[level] as Fifo<StoredMessage>;
      for (let message = fifo.shift(); message !== undefined; message = fifo.shift()) {
        this.#ready--;
        this.#readyBytes -= message.content.length;
        if (message.expiresAt <= now) {
          this.hooks.deadLetter(this, message, 'expired');
          continue;
        }
        this.#left();
        return message;
      }
    }
    return undefined;
  }

  purge(): number {
    const count = this.#ready;
    for (const fifo of this.#levels) fifo.drain();
    this.#ready = 0;
    this.#readyBytes = 0;
    this.hooks.drained(this);
    return count;
  }

  subscribe(subscriber: QueueSubscriber): void {
    this.subscribers.push(subscriber);
    this.#hadSubscriber = true;
    this.scheduleDispatch();
  }

  unsubscribe(subscriber: QueueSubscriber): void {
    const index = this.subscribers.indexOf(subscriber);
    if (index === -1) return;
    this.subscribers.splice(index, 1);
    if (this.#nextSubscriber > index) this.#nextSubscriber--;
    if (this.autoDelete && this.#hadSubscriber && this.subscribers.length === 0) this.hooks.abandoned(this);
  }

  scheduleDispatch(): void {
    if (this.#dispatchScheduled || this.subscribers.length === 0 || this.#ready === 0) return;
    this.#dispatchScheduled = true;
    queueMicrotask(this.#dispatch);
  }

  /** Hands ready messages to subscribers in turn, skipping those at their prefetch limit. */
  readonly #dispatch = (): void => {
    this.#dispatchScheduled = false;
    if (this.deleted) return;
    const now = Date.now();
    while (this.#ready > 0) {
      const subscriber = this.#nextWithCapacity();
      if (!subscriber) return;
      const message = this.take(now);
      if (!message) return;
      if (!subscriber.noAck) subscriber.unacked++;
      subscriber.deliver(message);
    }
  };

  #nextWithCapacity(): QueueSubscriber | undefined {
    const count = this.subscribers.length;
    for (let i = 0; i < count; i++) {
      const index = (this.#nextSubscriber + i) % count;
      const subscriber = this.subscribers[index] as QueueSubscriber;
      if (subscriber.noAck || subscriber.prefetch === 0 || subscriber.unacked < subscriber.prefetch) {
        this.#nextSubscriber = (index + 1) % count;
        return subscriber;
      }
    }
    return undefined;
  }

  #levelFor(priority: number): Fifo<StoredMessage> {
    const top = this.#levels.length - 1;
    // Publisher validates priorities; this guards messages that reach the broker another way.
    const level = Number.isFinite(priority) ? Math.floor(priority) : 0;
    return this.#levels[Math.min(top, Math.max(0, level))] as Fifo<StoredMessage>;
  }

  #enforceMaxLength(): void {
    const policy = this.overflow;
    // reject-publish variants are decided before enqueueing (see MemoryBroker); here the head goes.
    if (policy?.mode !== 'drop-head') return;
    while (isOverLimit(policy, this.#ready, this.#readyBytes)) {
      const head = this.#takeOldest();
      if (!head) return;
      this.hooks.deadLetter(this, head, 'maxlen');
    }
    this.#left();
  }

  /** Drops from the lowest priority level first, as RabbitMQ does. */
  #takeOldest(): StoredMessage | undefined {
    for (const fifo of this.#levels) {
      const message = fifo.shift();
      if (message) {
        this.#ready--;
        this.#readyBytes -= message.content.length;
        return message;
      }
    }
    return undefined;
  }

  /** Whether one more message of this size would exceed the max length (for `reject-publish`). */
  wouldOverflow(size: number): boolean {
    return this.overflow !== undefined && wouldOverflow(this.overflow, this.#ready, this.#readyBytes, size);
  }

  /**
   * Messages expire at the head even when nobody consumes (so that they are dead-lettered on time): one timer
   * per queue, armed for the soonest expiry we know of, unref'd so that it never keeps the process alive.
   */
  #armExpiry(expiresAt: number): void {
    if (expiresAt === Number.POSITIVE_INFINITY || expiresAt >= this.#expiryAt) return;
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    this.#expiryAt = expiresAt;
    this.#expiryTimer = setTimeout(this.#expireHeads, Math.max(0, expiresAt - Date.now()) + 1);
    this.#expiryTimer.unref();
  }

  readonly #expireHeads = (): void => {
    this.#expiryTimer = undefined;
    this.#expiryAt = Number.POSITIVE_INFINITY;
    if (this.deleted) return;
    const now = Date.now();
    let soonest = Number.POSITIVE_INFINITY;
    for (const fifo of this.#levels) {
      // Expired messages anywhere are removed (not only at the head): cheaper to reason about, same result.
      const kept: StoredMessage[] = [];
      for (let message = fifo.shift(); message !== undefined; message = fifo.shift()) {
        if (message.expiresAt <= now) {
          this.#ready--;
          this.#readyBytes -= message.content.length;
          this.hooks.deadLetter(this, message, 'expired');
        } else {
          kept.push(message);
          if (message.expiresAt < soonest) soonest = message.expiresAt;
        }
      }
      for (const message of kept) fifo.push(message);
    }
    this.#armExpiry(soonest);
    this.#left();
  };

  dispose(): void {
    this.deleted = true;
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    this.purge();
  }
}
