import { MessageNackedError, NoRouteError, NotFoundError, PreconditionFailedError, TimeoutError } from '../errors.js';
import { type DeathReason, deadLetterRoute } from '../semantics/dead-letter.js';
import { type ExchangeDefinition, ExchangeTable } from '../semantics/exchange-table.js';
import { messageExpiresAt } from '../semantics/expiry.js';
import { normalizeQueueArguments } from '../semantics/queue-arguments.js';
import { queueArgumentsKey } from '../semantics/queue-equivalence.js';
import type { QueueSpec } from '../topology.js';
import type { OutboundMessage } from '../transport.js';
import { MemoryQueue, type QueueHooks } from './queue.js';
import type { StoredMessage } from './stored-message.js';

export interface MemoryBrokerOptions {
  /** Ready messages per queue at which sends wait (memory stays bounded when consumers are slower). */
  highWaterMark: number;
  /** Ready payload bytes per queue at which sends wait. */
  highWaterMarkBytes: number;
}

const RESOLVED: Promise<void> = Promise.resolve();

/** A send waiting for room in a full queue: routed, not stored. */
interface Waiter {
  /** The full queue it waits for. */
  queue: MemoryQueue;
  message: OutboundMessage;
  /** The queues it was routed to when sent. */
  targets: string[];
  resolve(): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * An in-process AMQP 0-9-1 broker: core's exchange table for routing, {@link MemoryQueue}s for storage and
 * dispatch. Every connection to the same `memory://name` shares one broker.
 */
export class MemoryBroker implements QueueHooks {
  readonly exchanges = new ExchangeTable();
  readonly queues = new Map<string, MemoryQueue>();
  /** Sends waiting for room, per full queue, in the order they were made. */
  readonly #waiters = new Map<MemoryQueue, Waiter[]>();
  readonly #admitting = new Set<MemoryQueue>();
  #serverNamed = 0;
  readonly #queueExists = (name: string): boolean => this.queues.has(name);

  constructor(readonly options: MemoryBrokerOptions) {}

  declareExchange(definition: ExchangeDefinition): void {
    this.exchanges.declare(definition);
  }

  deleteExchange(name: string, ifUnused: boolean): void {
    this.exchanges.delete(name, { ifUnused });
  }

  declareQueue(spec: QueueSpec, ownerId: number): MemoryQueue {
    const name =
      spec.name || `amq.gen-${(++this.#serverNamed).toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
    const args = normalizeQueueArguments(spec.arguments);
    const argumentsKey = queueArgumentsKey(args);
    const exclusiveOwner = spec.exclusive ? ownerId : undefined;
    const existing = this.queues.get(name);
    if (existing) {
      existing.checkEquivalent(
        spec.durable ?? false,
        argumentsKey,
        existing.exclusiveOwner === undefined ? undefined : ownerId,
      );
      return existing;
    }
    if (args.deadLetterExchange !== undefined && typeof args.deadLetterExchange !== 'string') {
      throw new PreconditionFailedError(`Queue "${name}": deadLetterExchange must be an exchange name.`);
    }
    const queue = new MemoryQueue(
      name,
      spec.durable ?? false,
      exclusiveOwner,
      spec.autoDelete ?? false,
      args,
      argumentsKey,
      this.options.highWaterMark,
      this.options.highWaterMarkBytes,
      this,
    );
    this.queues.set(name, queue);
    return queue;
  }

  queue(name: string): MemoryQueue {
    const queue = this.queues.get(name);
    if (!queue)
      throw new NotFoundError(
        `Queue "${name}" does not exist. Declare it first (a Consumer declares its queue unless declare: false).`,
      );
    return queue;
  }

  deleteQueue(name: string, options: { ifUnused?: boolean; ifEmpty?: boolean }): number {
    const queue = this.queues.get(name);
    if (!queue) return 0;
    if (options.ifUnused && queue.consumerCount > 0) {
      throw new PreconditionFailedError(`Queue "${name}" has consumers; not deleted (ifUnused).`);
    }
    if (options.ifEmpty && queue.messageCount > 0) {
      throw new PreconditionFailedError(`Queue "${name}" is not empty; not deleted (ifEmpty).`);
    }
    return this.#removeQueue(queue);
  }

  #removeQueue(queue: MemoryQueue): number {
    const count = queue.messageCount;
    for (const subscriber of [...queue.subscribers]) {
      subscriber.cancelledByBroker(
        new NotFoundError(
          `Queue "${queue.name}" was deleted; its consumer was cancelled. Declare it again and consume anew.`,
        ),
      );
    }
    this.queues.delete(queue.name);
    this.exchanges.removeBindingsTo(queue.name, 'queue');
    queue.dispose();
    this.drained(queue);
    return count;
  }

  /**
   * Routes and stores a message. When a target queue is full (or sends are already waiting for it), the send
   * waits, unstored, until the queue has room, and is stored then, in the order sends were made; after
   * `timeoutMs` it rejects with TimeoutError and is never stored (so sending it again makes no duplicate).
   * `timeoutMs` 0 stores at once (dead-lettering, which never waits).
   */
  publish(message: OutboundMessage, timeoutMs: number): Promise<void> {
    const names = this.exchanges.route(
      message.exchange,
      message.routingKey,
      message.properties.headers,
      this.#queueExists,
    );
    if (names.length === 0) {
      if (message.mandatory) {
        return Promise.reject(
          new NoRouteError(
            `No queue is bound to exchange "${message.exchange}" for routing key "${message.routingKey}"; the mandatory message was returned. Declare and bind a queue first.`,
          ),
        );
      }
      return RESOLVED;
    }
    if (timeoutMs > 0) {
      const blocked = this.#blockedBy(names);
      if (blocked) return this.#waitForRoom(blocked, message, names, timeoutMs);
    }
    return this.#store(message, names);
  }

  /** The first target queue that is full or has sends waiting for it. */
  #blockedBy(names: readonly string[]): MemoryQueue | undefined {
    for (const name of names) {
      const queue = this.queues.get(name);
      if (queue && (queue.full || this.#waiters.has(queue))) return queue;
    }
    return undefined;
  }

  /** Stores a routed message in each of its queues that still exists. */
  #store(message: OutboundMessage, names: readonly string[]): Promise<void> {
    const now = Date.now();
    let refusedBy: MemoryQueue | undefined;
    for (const name of names) {
      const queue = this.queues.get(name);
      if (!queue) continue;
      const { overflow } = queue.args;
      if (
        (overflow === 'reject-publish' || overflow === 'reject-publish-dlx') &&
        queue.wouldOverflow(message.content.length)
      ) {
        // RabbitMQ nacks the publish when any queue refuses it; -dlx also dead-letters the refused copy.
        refusedBy = queue;
        if (overflow === 'reject-publish-dlx') this.deadLetter(queue, this.#stored(message, queue, now), 'maxlen');
        continue;
      }
      queue.enqueue(this.#stored(message, queue, now));
    }
    if (refusedBy) {
      return Promise.reject(
        new MessageNackedError(
          `Queue "${refusedBy.name}" is full (overflow ${refusedBy.args.overflow}) and refused the message. Send it again later, or make room in the queue.`,
        ),
      );
    }
    return RESOLVED;
  }

  #stored(message: OutboundMessage, queue: MemoryQueue, now: number): StoredMessage {
    const expiresAt = messageExpiresAt(queue.args, message.properties, now);
    return {
      content: message.content,
      properties: message.properties,
      exchange: message.exchange,
      routingKey: message.routingKey,
      redelivered: false,
      expiresAt,
      priority: message.properties.priority ?? 0,
    };
  }

  #waitForRoom(queue: MemoryQueue, message: OutboundMessage, targets: string[], timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        queue,
        message,
        targets,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#forget(waiter);
          reject(
            new TimeoutError(
              `Queue "${queue.name}" stayed full (${queue.messageCount} ready messages, ${queue.readyBytes} bytes; high-water marks ${queue.highWaterMark} messages, ${queue.highWaterMarkBytes} bytes) for ${timeoutMs} ms; the message was not stored, so sending it again makes no duplicate. Add consumers, or raise ?highWaterMark= or ?highWaterMarkBytes= on the memory:// URL.`,
            ),
          );
        }, timeoutMs),
      };
      this.#enlist(queue, waiter);
    });
  }

  #enlist(queue: MemoryQueue, waiter: Waiter): void {
    waiter.queue = queue;
    const list = this.#waiters.get(queue);
    if (list) list.push(waiter);
    else this.#waiters.set(queue, [waiter]);
  }

  #forget(waiter: Waiter): void {
    const { queue } = waiter;
    const list = this.#waiters.get(queue);
    if (!list) return;
    const index = list.indexOf(waiter);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.#waiters.delete(queue);
  }

  /** A queue has room again, or was deleted: store its waiting sends in order (in a microtask, not re-entrantly). */
  drained(queue: MemoryQueue): void {
    if (this.#waiters.size === 0 || !this.#waiters.has(queue) || this.#admitting.has(queue)) return;
    this.#admitting.add(queue);
    queueMicrotask(() => {
      this.#admitting.delete(queue);
      this.#admit(queue);
    });
  }

  #admit(queue: MemoryQueue): void {
    const list = this.#waiters.get(queue);
    while (list && list.length > 0 && (queue.deleted || !queue.full)) {
      const waiter = list.shift() as Waiter;
      // Another of its queues may be full too: it waits there next (fan-out is rare; order within a queue holds).
      const blocked = waiter.targets
        .map((name) => this.queues.get(name))
        .find((other) => other !== undefined && other !== queue && other.full);
      if (blocked) {
        this.#enlist(blocked, waiter);
        continue;
      }
      clearTimeout(waiter.timer);
      this.#store(waiter.message, waiter.targets).then(waiter.resolve, waiter.reject);
    }
    if (list?.length === 0) this.#waiters.delete(queue);
  }

  abandoned(queue: MemoryQueue): void {
    if (this.queues.get(queue.name) === queue) this.#removeQueue(queue);
  }

  /** Dead-letters through the queue's dead-letter exchange, or drops the message (core's rules decide). */
  deadLetter(queue: MemoryQueue, message: StoredMessage, reason: DeathReason): void {
    const route = deadLetterRoute(queue.name, queue.args, message, reason);
    if (!route || !this.exchanges.has(route.exchange)) return;
    // Dead-lettering never waits for room and never reports: like RabbitMQ, it is fire-and-forget.
    this.publish(
      {
        exchange: route.exchange,
        routingKey: route.routingKey,
        content: message.content,
        properties: route.properties,
        mandatory: false,
      },
      0,
    ).catch(() => {});
  }

  /** Deletes the exclusive queues of a closed connection. */
  dropExclusive(ownerId: number): void {
    for (const queue of [...this.queues.values()]) if (queue.exclusiveOwner === ownerId) this.#removeQueue(queue);
  }
}
