import { randomUUID } from 'node:crypto';
import {
  ConfigurationError,
  ConnectionError,
  MessageStateError,
  NotFoundError,
  SafeEmitter,
  type WarrenError,
} from '@warren/core';
import { parseOptions, toError } from '@warren/core/transport';
import { z } from 'zod';
import { ChannelCodec } from './codec.js';
import { ChannelKeys } from './keys.js';
import {
  type DurableChannelOptions,
  type ParsedDurableChannelOptions,
  parseChannelOptions,
  redisTarget,
} from './options.js';
import { RedisLink } from './redis-link.js';
import { defineScripts, runScript } from './scripts.js';

/** A message as a DurableChannel receives it, and as its sender's timeout callback gets it back. */
export interface DurableMessage<T = unknown> {
  /** Unique id; what `reply` and `close` name. */
  readonly id: string;
  /** The value sent, decoded. */
  readonly content: T;
  /** The name of the channel that sent it. */
  readonly from: string;
  /** The name it was sent to. */
  readonly to: string;
  /** On a reply: the id of the message it answers (muppet's `requestId`). */
  readonly inReplyTo?: string;
}

/**
 * Called with a message (or reply) this channel's name sent that was not answered (or closed) within its timeout.
 * It runs once per timed-out message across every process using the name, also when the receiver died.
 */
export type TimeoutCallback = (message: DurableMessage) => void | Promise<void>;

/** What `send` takes. */
export interface DurableSendOptions<T = unknown> {
  /** The value to send, serialized by the channel's serializer. */
  content: T;
  /** The name of the receiving channel. */
  to: string;
  /** Milliseconds the receiver has to reply; then the message goes to this channel's timeout callback. None: no limit. */
  timeout?: number | undefined;
}

/** What `reply` takes. */
export interface DurableReplyOptions<T = unknown> {
  /** The message received that this answers. */
  message: Pick<DurableMessage, 'id'>;
  /** The answer, serialized by the channel's serializer. */
  response: T;
  /** Milliseconds the original sender has to `close` the reply; then it goes to this channel's timeout callback. */
  timeout?: number | undefined;
}

/** What `receive` takes. */
export interface DurableReceiveOptions {
  /** Give up after this many milliseconds and resolve with null. Default: wait until a message comes. */
  timeoutMs?: number | undefined;
}

/** The events of a DurableChannel. */
export interface DurableChannelEvents {
  [event: string]: unknown[];
  /** A timeout callback that threw, a timed-out message that did not decode, Redis lost for good. */
  error: [error: Error];
}

const timeoutSchema = z.number().int().positive().max(2_147_483_647).optional();
const sendSchema = z.object({ content: z.unknown(), to: z.string().min(1), timeout: timeoutSchema }).strict();
const replySchema = z
  .object({ message: z.object({ id: z.string().min(1) }).loose(), response: z.unknown(), timeout: timeoutSchema })
  .strict();
const receiveSchema = z.object({ timeoutMs: z.number().min(0).optional() }).strict();

/** Longest single BLMOVE wait (s): short enough to notice a dead connection, long enough to cost nothing. */
const BLOCK_SECONDS = 5;
/** Timeouts claimed per scan. */
const CLAIM_BATCH = 100;

/**
 * A named endpoint for durable request/reply over Redis, in the shape of muppet's DurableChannel: `send` a message
 * to another name, `receive` (exactly one receiver of a name gets each message), `reply` to what was received, and
 * `close` a reply when done with it. A message not replied to within its `timeout` (or a reply not closed within
 * its own) is handed to the sender's timeout callback, also when the receiver's process died.
 *
 * Everything lives in Redis (see the package README, "Redis data layout"): a process that restarts with the same
 * channel name finds its replies and its pending timeouts. A receiver that dies holding a message does not lose it:
 * once its liveness key expires, another receiver of the same name gets the message (and the sender's timeout
 * still fires if nobody answers in time).
 *
 * ```ts
 * const worker = new DurableChannel('worker.1', { redis: { host: '127.0.0.1', port: 6379 } }, onTimeout);
 * const message = await worker.receive();
 * await worker.reply({ message, response: 'done', timeout: 5000 });
 * await worker.end();
 * ```
 */
export class DurableChannel extends SafeEmitter<DurableChannelEvents> {
  /** The name other channels send to. */
  readonly name: string;
  /** This object's id among the processes sharing the name (its held list and liveness key). */
  readonly instance = randomUUID();
  readonly #options: ParsedDurableChannelOptions;
  readonly #keys: ChannelKeys;
  readonly #codec: ChannelCodec;
  readonly #onTimeout: TimeoutCallback | undefined;
  readonly #commands: RedisLink;
  #blocking: RedisLink | undefined;
  #receiving: Promise<unknown> = Promise.resolve();
  #rescue = false;
  #ended = false;
  #endPromise: Promise<void> | undefined;
  #tickTimer: NodeJS.Timeout | undefined;
  #tickRunning: Promise<void> | undefined;
  #tickFailing = false;

  /**
   * @param name the name other channels send to (muppet: "Durable channels cannot be anonymous")
   * @param options `{ redis: { host, port } }` or `{ redis: 'redis://...' }`, and the options in options.ts
   * @param onTimeout gets what this name sent and nobody answered in time
   */
  constructor(name: string, options?: DurableChannelOptions, onTimeout?: TimeoutCallback) {
    super();
    if (typeof name !== 'string' || name.length === 0) {
      throw new ConfigurationError('A DurableChannel needs a name (durable channels cannot be anonymous).');
    }
    if (onTimeout !== undefined && typeof onTimeout !== 'function') {
      throw new ConfigurationError('A DurableChannel timeout callback must be a function (or left out).');
    }
    this.name = name;
    this.#options = parseChannelOptions(options, 'DurableChannel');
    this.#keys = new ChannelKeys(this.#options.prefix);
    this.#codec = new ChannelCodec(this.#options.serializer, this.#options.accept ?? [this.#options.serializer]);
    this.#onTimeout = onTimeout;
    this.#commands = this.#link('commands');
    this.#scheduleTick(0);
  }

  /** Sends `content` to the channel named `to`; resolves with the message id once Redis stored it. */
  async send<T>(options: DurableSendOptions<T>): Promise<string> {
    const { content, to, timeout } = parseOptions(sendSchema, options, 'DurableChannel send options');
    this.#assertOpen('send');
    const frame = this.#codec.encode(content);
    const id = randomUUID();
    await this.#commands.run('storing a message', (client) =>
      runScript(client, 'warrenDcSend', this.#keys.base, [id, this.name, to, frame, timeout ?? '', '']),
    );
    return id;
  }

  /**
   * The next message for this name: a new message, or a reply to one this name sent. Exactly one receiver of the
   * name gets each. Waits until one comes; with `timeoutMs`, resolves with null when none came in time.
   */
  receive(): Promise<DurableMessage>;
  receive(options: DurableReceiveOptions): Promise<DurableMessage | null>;
  receive(options?: DurableReceiveOptions): Promise<DurableMessage | null> {
    let timeoutMs: number | undefined;
    try {
      ({ timeoutMs } = parseOptions(receiveSchema, options ?? {}, 'DurableChannel receive options'));
    } catch (error) {
      return Promise.reject(error);
    }
    const deadline = timeoutMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs;
    // One receive at a time per channel object: they share one blocking connection.
    const next = this.#receiving.then(() => this.#receiveOne(deadline));
    this.#receiving = next.catch(() => undefined);
    return next;
  }

  /**
   * Answers a message this name received: the reply goes to the message's sender (its `receive` gets it, with
   * `inReplyTo` set) and the message's timeout no longer fires. Resolves with the reply's id.
   * A message that is unknown (never sent, already answered or closed, or timed out) is a NotFoundError.
   */
  async reply<T>(options: DurableReplyOptions<T>): Promise<string> {
    const { message, response, timeout } = parseOptions(replySchema, options, 'DurableChannel reply options');
    this.#assertOpen('reply');
    const frame = this.#codec.encode(response);
    const replyId = randomUUID();
    const outcome = await this.#commands.run('storing a reply', (client) =>
      runScript(client, 'warrenDcReply', this.#keys.base, [message.id, this.name, replyId, frame, timeout ?? '']),
    );
    this.#checkOutcome(outcome, message.id, 'reply to');
    return replyId;
  }

  /**
   * Ends the exchange about a received message (usually a reply): it is forgotten and its timeout does not fire.
   * An unknown message is a NotFoundError.
   */
  async close(message: Pick<DurableMessage, 'id'>): Promise<void> {
    const { id } = parseOptions(
      z.object({ id: z.string().min(1) }).loose(),
      message,
      'DurableChannel close argument (a received message)',
    );
    this.#assertOpen('close');
    const outcome = await this.#commands.run('closing a message', (client) =>
      runScript(client, 'warrenDcClose', this.#keys.base, [id, this.name, randomUUID()]),
    );
    this.#checkOutcome(outcome, id, 'close');
  }

  /**
   * Stops this channel object: no more timeout scans here, a waiting `receive` rejects, and messages it received
   * without answering go back to its name's queue. Other objects of the same name (in any process) go on.
   */
  end(): Promise<void> {
    this.#endPromise ??= this.#end();
    return this.#endPromise;
  }

  async #end(): Promise<void> {
    this.#ended = true;
    clearTimeout(this.#tickTimer);
    await this.#tickRunning;
    // At once: a polite QUIT would wait for the BLMOVE in progress.
    if (this.#blocking) await this.#blocking.end({ now: true });
    await this.#receiving;
    if (this.#commands.client.status === 'ready') {
      try {
        await runScript(this.#commands.client, 'warrenDcEnd', this.#keys.base, [this.name, this.instance]);
      } catch {
        // Redis went away: the liveness key expires by itself, and another instance requeues what this one held.
      }
    }
    await this.#commands.end();
  }

  #link(role: string): RedisLink {
    const link = new RedisLink(
      redisTarget(this.#options),
      this.#keys.connectionName('dc', this.name, role),
      (error) => this.emit('error', error),
      role === 'blocking'
        ? // A BLMOVE cut by a lost connection must fail (and be retried here), not be sent again blindly by
          // ioredis; a client-side deadline catches a connection that died without a word.
          { autoResendUnfulfilledCommands: false, blockingTimeout: 1, blockingTimeoutGrace: 5_000 }
        : {},
    );
    defineScripts(link.client);
    return link;
  }

  #assertOpen(what: string): void {
    if (this.#ended) throw new MessageStateError(`DurableChannel "${this.name}" was ended: cannot ${what}.`);
  }

  #checkOutcome(outcome: unknown, id: string, what: string): void {
    if (outcome === 'ok') return;
    const reasons: Record<string, string> = {
      unknown: 'it is unknown here: never sent, already answered or closed, or its timeout fired',
      timedout: "its timeout fired: it went to its sender's timeout callback",
      'not-addressed': `it was not sent to "${this.name}"`,
      'not-received': 'it was not received yet',
    };
    const reason = reasons[String(outcome)] ?? String(outcome);
    const text = `DurableChannel "${this.name}" cannot ${what} message ${id}: ${reason}.`;
    throw outcome === 'unknown' || outcome === 'timedout' ? new NotFoundError(text) : new MessageStateError(text);
  }

  async #receiveOne(deadline: number): Promise<DurableMessage | null> {
    const base = this.#keys.base;
    let failures = 0;
    for (;;) {
      this.#assertOpen('receive');
      try {
        if (this.#rescue) {
          await this.#commands.run('rescuing messages', (client) =>
            runScript(client, 'warrenDcRescue', base, [this.name, this.instance]),
          );
          this.#rescue = false;
        }
        const taken = await this.#commands.run('taking a message', (client) =>
          runScript(client, 'warrenDcTake', base, [this.name, this.instance, randomUUID()], true),
        );
        if (taken) return this.#toMessage(taken);
        const remaining = deadline - Date.now();
        if (remaining <= 0) return null;
        this.#blocking ??= this.#link('blocking');
        const blocking = this.#blocking;
        const seconds = Math.max(0.01, Math.min(BLOCK_SECONDS, remaining / 1000));
        const id = await blocking.run('waiting for a message', (client) =>
          blocking.untilClosed(
            client.blmove(this.#keys.queue(this.name), this.#keys.held(this.instance), 'RIGHT', 'LEFT', seconds),
          ),
        );
        failures = 0;
        if (id === null) {
          // A client-side deadline may have cut a BLMOVE that Redis still ran: look once in the held list.
          this.#rescue = true;
          continue;
        }
        const claimed = await this.#commands.run('claiming a message', (client) =>
          runScript(client, 'warrenDcClaimMoved', base, [this.name, this.instance, id], true),
        );
        if (claimed) return this.#toMessage(claimed);
      } catch (error) {
        if (this.#ended) throw new MessageStateError(`DurableChannel "${this.name}" was ended while receive() waited.`);
        // Whatever was in flight may have moved an id into the held list without our hearing of it.
        this.#rescue = true;
        // A connection cut while ioredis reconnects is waited out; one it gave up on (or never made) is the answer.
        const warren = error as WarrenError;
        const gaveUp = this.#commands.gaveUp || this.#blocking?.gaveUp === true;
        if (!(warren instanceof ConnectionError) || gaveUp || ++failures > 20 || Date.now() >= deadline) throw warren;
        await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 100 * 2 ** failures)));
      }
    }
  }

  /** A delivery from the scripts: { id, frame, from, to, in-reply-to, ... } as Buffers. */
  #toMessage(delivery: unknown): DurableMessage {
    const [id, frame, from, to, inReplyTo] = delivery as Buffer[];
    if (!id || !frame || !from || !to) throw new MessageStateError('Redis returned a malformed channel delivery.');
    const message: { -readonly [K in keyof DurableMessage]: DurableMessage[K] } = {
      id: id.toString(),
      content: this.#codec.decode(frame),
      from: from.toString(),
      to: to.toString(),
    };
    if (inReplyTo && inReplyTo.length > 0) message.inReplyTo = inReplyTo.toString();
    return message;
  }

  #scheduleTick(delayMs: number): void {
    if (this.#ended) return;
    this.#tickTimer = setTimeout(() => {
      this.#tickRunning = this.#tick().finally(() => {
        this.#tickRunning = undefined;
        this.#scheduleTick(this.#options.timeoutMonitorFrequency);
      });
    }, delayMs);
  }

  /** Refreshes liveness, requeues what dead instances held, and hands this name's timed-out messages to the callback. */
  async #tick(): Promise<void> {
    let claimed: Buffer[][];
    try {
      claimed = (await this.#commands.run('scanning for timeouts', (client) =>
        runScript(
          client,
          'warrenDcTick',
          this.#keys.base,
          [this.name, this.instance, this.#options.livenessMs, this.#options.timeoutClaimMs, CLAIM_BATCH],
          true,
        ),
      )) as Buffer[][];
      this.#tickFailing = false;
    } catch (error) {
      // Reported once per outage, not once per scan.
      if (!this.#tickFailing && !this.#ended) this.emit('error', toError(error));
      this.#tickFailing = true;
      return;
    }
    if (claimed.length === 0) return;
    const done: string[] = [];
    for (const delivery of claimed) {
      const id = delivery[0]?.toString() ?? '';
      try {
        const message = this.#toMessage(delivery);
        await this.#onTimeout?.(message);
      } catch (error) {
        this.emit('error', toError(error));
      }
      done.push(id);
    }
    try {
      await this.#commands.run('forgetting timed-out messages', (client) =>
        runScript(client, 'warrenDcFinish', this.#keys.base, [this.name, ...done]),
      );
    } catch (error) {
      // Not forgotten: after the claim period another scan hands them over again (at least once, never lost).
      this.emit('error', toError(error));
    }
  }
}
