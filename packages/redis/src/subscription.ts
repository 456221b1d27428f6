import type { DeliveryInfo, MessageProperties } from '@warren/core';
import { NotFoundError } from '@warren/core';
import type { Delivery, DeliverySettler, TransportConsumer } from '@warren/core/transport';
import type { Redis } from 'ioredis';
import { isConnectionFailure, mapRedisError } from './errors.js';
import { GROUP } from './keys.js';
import { decodeEntry } from './marshal.js';
import type { ScriptedRedis } from './scripted.js';

/** A stream entry as ioredis returns it with Buffers: its id and its fields (null when it was deleted). */
export type RawEntry = [id: Buffer, fields: Buffer[] | null];

/** Most ids in one ack script call. */
const MAX_ACK_BATCH = 2000;

/** A delivery of the Redis transport: the entry's id settles it. */
export class RedisDelivery implements Delivery {
  settled = false;
  constructor(
    readonly content: Buffer,
    readonly properties: MessageProperties,
    readonly info: DeliveryInfo,
    readonly settler: RedisSubscription,
    readonly id: string,
  ) {}
}

/** What a subscription needs from its session (kept small, so that the two stay apart). */
export interface SubscriptionHost {
  readonly cmd: ScriptedRedis;
  readonly sessionId: string;
  readonly claimIntervalMs: number;
  readonly readBatch: number;
  /** ',dead,session,ids,' of this process, for the claim script. */
  deadSessionList(): string;
  readonly alivePrefix: string;
  /** Whether the session can still talk to Redis (settling on a lost session is a no-op). */
  readonly usable: boolean;
  /** Opens the dedicated connection a blocking reader needs. */
  openReader(suffix: string): Promise<Redis>;
  /** The connection failed: the session is lost. */
  fail(error: unknown): void;
  consumerCancelled(tag: string, error: Error): void;
  /** Messages went to this queue's dead-letter outbox: forward them. */
  deadLettered(queue: string): void;
  /** Expires ready messages at the head of the queue (and dead-letters them). */
  sweep(queue: string): Promise<void>;
  /** A consumer went away: the queue may have to be auto-deleted. */
  consumerGone(queue: string): void;
  forget(subscription: RedisSubscription): void;
}

/** Where the subscription reads: its queue's keys and what its arguments say. */
export interface SubscriptionQueue {
  name: string;
  streamKey: string;
  outboxKey: string;
  hasDeadLetterExchange: boolean;
  hasTtl: boolean;
}

/**
 * A consumer of one queue: a consumer in the queue's group, reading on its own connection (XREADGROUP blocks,
 * and blocking must not hold up publishes and acks), within its prefetch. It is also the settler of its
 * deliveries (one object for all of them: no closure per message) and batches their acks into one script call.
 * A fetch-only subscription (`get`) has no reader and settles what `get` took.
 *
 * Messages held by a live consumer stay with it for as long as it lives: there is no visibility timeout. Every
 * `claimIntervalMs` it takes over the pending messages of consumers whose session's liveness key has expired
 * (their process died or their connection is gone), and delivers them as redelivered.
 */
export class RedisSubscription implements DeliverySettler, TransportConsumer {
  unacked = 0;
  #active = true;
  #closed = false;
  #reader: Redis | undefined;
  #readerId: number | undefined;
  #loop: Promise<void> | undefined;
  #room: (() => void) | undefined;
  #claimDue = true;
  #claimTimer: NodeJS.Timeout | undefined;
  #acks: string[] = [];
  #acksDone: Promise<void> | undefined;
  #resolveAcks: (() => void) | undefined;
  readonly #infoBase: { exchange: string; routingKey: string; queue: string };

  constructor(
    readonly host: SubscriptionHost,
    readonly queue: SubscriptionQueue,
    readonly consumerTag: string,
    /** This consumer's name in the group. */
    readonly name: string,
    readonly prefetch: number,
    readonly noAck: boolean,
    readonly onDelivery: ((delivery: Delivery) => void) | undefined,
  ) {
    this.#infoBase = { exchange: '', routingKey: '', queue: queue.name };
  }

  /** Opens the reader and starts the read loop. */
  async start(): Promise<void> {
    // A member of the group from now on, so that the queue counts it as a consumer once consume() resolved.
    await this.host.cmd.xgroup('CREATECONSUMER', this.queue.streamKey, GROUP, this.name);
    this.#reader = await this.host.openReader('read');
    this.#readerId = Number(await this.#reader.client('ID'));
    this.#reader.on('close', () => {
      if (this.#active) this.host.fail(new Error('the reader connection closed'));
    });
    this.#claimTimer = setInterval(() => {
      this.#claimDue = true;
    }, this.host.claimIntervalMs);
    this.#claimTimer.unref();
    this.#loop = this.#run();
  }

  localPort(): number | undefined {
    return this.#reader?.stream?.localPort;
  }

  async #run(): Promise<void> {
    const reader = this.#reader as Redis;
    while (this.#active) {
      if (this.#claimDue) {
        this.#claimDue = false;
        try {
          await this.#housekeeping();
        } catch (error) {
          if (this.#readFailed(error)) return;
        }
        continue;
      }
      const capacity = this.prefetch > 0 ? this.prefetch - this.unacked : this.host.readBatch;
      if (capacity <= 0) {
        await new Promise<void>((resolve) => {
          this.#room = resolve;
        });
        continue;
      }
      let reply: Array<[Buffer, RawEntry[]]> | null;
      try {
        reply = (await reader.xreadgroupBuffer(
          'GROUP',
          GROUP,
          this.name,
          'COUNT',
          Math.min(capacity, this.host.readBatch),
          'BLOCK',
          this.host.claimIntervalMs,
          'STREAMS',
          this.queue.streamKey,
          '>',
        )) as Array<[Buffer, RawEntry[]]> | null;
      } catch (error) {
        if (this.#readFailed(error)) return;
        continue;
      }
      const entries = reply?.[0]?.[1];
      if (!entries || entries.length === 0) continue;
      if (!this.#active) {
        // Read after a cancel: these never reached the application, so they go back as they were.
        await this.host.cmd
          .warrenRequeue(1, this.queue.streamKey, GROUP, '', ...entries.map((e) => e[0].toString()))
          .catch(() => {});
        return;
      }
      this.deliverAll(entries, false);
    }
  }

  /** Whether the loop must end: the queue is gone (the consumer is cancelled) or the connection is. */
  #readFailed(error: unknown): boolean {
    if (!this.#active) return true;
    const message = error instanceof Error ? error.message : String(error);
    if (/^NOGROUP/.test(message)) {
      this.#active = false;
      this.#stopTimers();
      this.host.consumerCancelled(
        this.consumerTag,
        new NotFoundError(
          `Queue "${this.queue.name}" was deleted; its consumer was cancelled. Declare it again and consume anew.`,
        ),
      );
      this.#reader?.disconnect();
      return true;
    }
    if (isConnectionFailure(error)) {
      this.host.fail(error);
      return true;
    }
    // Anything else (a script error, say) is worth seeing, but the consumer goes on.
    this.host.fail(mapRedisError(error, `reading queue "${this.queue.name}"`));
    return true;
  }

  /** Takes over dead consumers' messages, expires the head, forwards what died. */
  async #housekeeping(): Promise<void> {
    const capacity = this.prefetch > 0 ? this.prefetch - this.unacked : this.host.readBatch;
    if (capacity > 0) {
      const taken = (await this.host.cmd.warrenClaimBuffer(
        1,
        this.queue.streamKey,
        GROUP,
        this.name,
        this.host.alivePrefix,
        Math.min(capacity, this.host.readBatch),
        this.host.deadSessionList(),
      )) as RawEntry[];
      if (taken.length > 0 && this.#active) this.deliverAll(taken, true);
    }
    if (this.queue.hasTtl) await this.host.sweep(this.queue.name);
    this.host.deadLettered(this.queue.name);
  }

  /** Hands entries to the application; expired ones are dead-lettered instead. */
  deliverAll(entries: readonly RawEntry[], claimed: boolean): RedisDelivery | undefined {
    let now = 0;
    let expired: string[] | undefined;
    let last: RedisDelivery | undefined;
    for (const [rawId, fields] of entries) {
      const id = rawId.toString();
      const entry = decodeEntry(id, fields);
      if (entry.expiresAt !== Number.POSITIVE_INFINITY) {
        if (now === 0) now = Date.now();
        if (entry.expiresAt <= now) {
          if (expired === undefined) expired = [];
          expired.push(id);
          continue;
        }
      }
      const info: DeliveryInfo = {
        exchange: entry.exchange,
        routingKey: entry.routingKey,
        redelivered: claimed || entry.requeued,
        queue: this.#infoBase.queue,
      };
      if (this.onDelivery) info.consumerTag = this.consumerTag;
      const delivery = new RedisDelivery(entry.content, entry.properties, info, this, id);
      if (this.noAck) {
        delivery.settled = true;
        this.#queueAck(id);
      } else this.unacked++;
      last = delivery;
      this.onDelivery?.(delivery);
    }
    if (expired) this.#kill(expired, 'expired');
    return last;
  }

  ack(delivery: Delivery): Promise<void> | undefined {
    const d = delivery as RedisDelivery;
    if (d.settled) return undefined;
    this.#settled(d);
    if (this.#closed || !this.host.usable) return undefined;
    return this.#queueAck(d.id);
  }

  reject(delivery: Delivery, requeue: boolean): Promise<void> | undefined {
    const d = delivery as RedisDelivery;
    if (d.settled) return undefined;
    this.#settled(d);
    if (this.#closed || !this.host.usable) return undefined;
    if (requeue) {
      return this.host.cmd
        .warrenRequeue(1, this.queue.streamKey, GROUP, '1', d.id)
        .then(() => undefined)
        .catch(() => undefined);
    }
    return this.#kill([d.id], 'rejected');
  }

  #settled(delivery: RedisDelivery): void {
    delivery.settled = true;
    this.unacked--;
    const room = this.#room;
    if (room) {
      this.#room = undefined;
      room();
    }
  }

  /** Acks are sent in batches: every ack of one event-loop turn goes in one script call. */
  #queueAck(id: string): Promise<void> {
    this.#acks.push(id);
    if (!this.#acksDone) {
      this.#acksDone = new Promise<void>((resolve) => {
        this.#resolveAcks = resolve;
      });
      setImmediate(this.#flushAcks);
    }
    return this.#acksDone;
  }

  readonly #flushAcks = (): void => {
    if (this.#acks.length > MAX_ACK_BATCH) {
      // Lua's unpack takes a few thousand arguments at most: send the surplus in further calls.
      const rest = this.#acks.splice(MAX_ACK_BATCH);
      const head = this.#acks;
      this.#acks = rest;
      this.host.cmd.warrenAck(1, this.queue.streamKey, GROUP, ...head).catch(() => undefined);
      this.#flushAcks();
      return;
    }
    const ids = this.#acks;
    const resolve = this.#resolveAcks as () => void;
    this.#acks = [];
    this.#acksDone = undefined;
    this.#resolveAcks = undefined;
    // An ack that cannot be sent is no loss: the message stays pending and is redelivered.
    this.host.cmd.warrenAck(1, this.queue.streamKey, GROUP, ...ids).then(resolve, resolve);
  };

  #kill(ids: string[], reason: 'rejected' | 'expired'): Promise<void> {
    return this.host.cmd
      .warrenKill(
        2,
        this.queue.streamKey,
        this.queue.outboxKey,
        GROUP,
        reason,
        this.queue.hasDeadLetterExchange ? '1' : '',
        ...ids,
      )
      .then((moved) => {
        if (Number(moved) > 0) this.host.deadLettered(this.queue.name);
      })
      .catch(() => undefined);
  }

  #stopTimers(): void {
    if (this.#claimTimer) clearInterval(this.#claimTimer);
    this.#claimTimer = undefined;
  }

  async cancel(): Promise<void> {
    if (!this.#active) return;
    this.#active = false;
    this.#stopTimers();
    const room = this.#room;
    this.#room = undefined;
    room?.();
    if (this.#reader && this.#readerId !== undefined && this.host.usable) {
      // Wakes a blocked XREADGROUP as if it had timed out: nothing read is lost in flight.
      await this.host.cmd.client('UNBLOCK', this.#readerId).catch(() => {});
    }
    await this.#loop;
    this.#reader?.disconnect();
    if (this.host.usable && this.unacked === 0) {
      await this.host.cmd.xgroup('DELCONSUMER', this.queue.streamKey, GROUP, this.name).catch(() => {});
      this.host.consumerGone(this.queue.name);
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.cancel();
    this.#closed = true;
    if (this.#acks.length > 0) this.#flushAcks();
    if (this.host.usable) await this.returnPending();
    this.host.forget(this);
  }

  /** Everything still pending for this consumer goes back to the queue, marked redelivered; then it leaves the group. */
  async returnPending(): Promise<void> {
    const cmd = this.host.cmd;
    try {
      for (;;) {
        const pending = (await cmd.xpending(this.queue.streamKey, GROUP, '-', '+', 1000, this.name)) as Array<
          [string, ...unknown[]]
        >;
        if (pending.length === 0) break;
        await cmd.warrenRequeue(1, this.queue.streamKey, GROUP, '1', ...pending.map((p) => p[0]));
        if (pending.length < 1000) break;
      }
      await cmd.xgroup('DELCONSUMER', this.queue.streamKey, GROUP, this.name);
    } catch {
      // The queue is gone, or the connection: nothing to return, or the claimers will.
    }
    this.unacked = 0;
    this.host.consumerGone(this.queue.name);
  }

  /** Stops at once without talking to Redis (the session is lost). */
  abandon(): void {
    this.#active = false;
    this.#closed = true;
    this.#stopTimers();
    const room = this.#room;
    this.#room = undefined;
    room?.();
    this.#reader?.disconnect();
  }
}
