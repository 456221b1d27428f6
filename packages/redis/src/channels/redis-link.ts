import { ConnectionError, type WarrenError } from '@warren/core';
import { Redis, type RedisOptions } from 'ioredis';
import { channelError } from './errors.js';
import type { RedisTarget } from './options.js';

/**
 * One ioredis connection of a channel: connected on first use, every failure mapped to core's errors, and no
 * 'error' event left unhandled. When ioredis gives up reconnecting (the channel's `reconnect` bound), `onGiveUp`
 * hears the last error once.
 */
export class RedisLink {
  readonly client: Redis;
  readonly label: string;
  #ready: Promise<void> | undefined;
  #lastError: unknown;
  #ending = false;
  #everReady = false;

  constructor(
    target: RedisTarget,
    connectionName: string,
    onGiveUp: (error: WarrenError) => void,
    extra: RedisOptions = {},
  ) {
    this.label = target.label;
    const reconnect = target.options.retryStrategy;
    this.client = new Redis({
      ...target.options,
      connectionName,
      ...extra,
      // A first connection that fails is answered at once (a refused port, a wrong host); only a connection that
      // worked is retried, within the channel's bounds. (ioredis's disconnect() while it waits to reconnect leaves
      // it "reconnecting" for ever, so giving up must come from here.)
      retryStrategy: (times: number) => (this.#everReady ? (reconnect?.(times) ?? null) : null),
    } as Omit<RedisOptions, 'replyMapping'>);
    this.client.on('ready', () => {
      this.#everReady = true;
    });
    // ioredis emits 'error' for each failed attempt; remembered for the message when it gives up.
    this.client.on('error', (error: unknown) => {
      this.#lastError = error;
    });
    this.client.on('end', () => {
      this.#ready = undefined;
      if (!this.#ending && this.#everReady)
        onGiveUp(channelError(this.#lastError ?? new Error('Connection is closed.'), this.label, 'reconnecting'));
    });
  }

  /** Resolves once connected (at once when already connected or reconnecting); rejects with a mapped error. */
  ready(): Promise<void> {
    if (this.#ending) return Promise.reject(new ConnectionError('This channel was ended; make a new one.'));
    if (this.#ready) return this.#ready;
    const status = this.client.status;
    if (status !== 'wait' && status !== 'end') return Promise.resolve();
    this.#ready = this.client.connect().catch((error: unknown) => {
      this.#ready = undefined;
      throw channelError(this.#lastError ?? error, this.label, 'connecting');
    });
    return this.#ready;
  }

  /** Runs a command once connected, mapping its failure. */
  run<T>(what: string, command: (client: Redis) => Promise<T>): Promise<T> {
    const fail = (error: unknown): never => {
      throw channelError(error, this.label, what);
    };
    // Connected: straight to the command (the hot path of send and receive: no extra promise hop).
    if (this.client.status === 'ready' && this.#ready) {
      try {
        return command(this.client).catch(fail);
      } catch (error) {
        return Promise.reject(channelError(error, this.label, what));
      }
    }
    return this.ready()
      .then(() => command(this.client))
      .catch(fail);
  }

  /**
   * `pending`, or a ConnectionError as soon as the connection closes first. For a blocking command on a client that
   * does not re-send after a reconnect: ioredis then drops it without ever settling its promise.
   */
  untilClosed<T>(pending: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onClose = (): void =>
        reject(new ConnectionError(`The connection to Redis at ${this.label} closed during a blocking read.`));
      this.client.once('close', onClose);
      pending.then(
        (value) => {
          this.client.off('close', onClose);
          resolve(value);
        },
        (error: unknown) => {
          this.client.off('close', onClose);
          reject(error);
        },
      );
    });
  }

  /** Whether ioredis stopped trying (the first connect failed, or reconnecting ran out of retries). */
  get gaveUp(): boolean {
    return this.client.status === 'end';
  }

  /** Whether `end()` was called. */
  get ending(): boolean {
    return this.#ending;
  }

  /** Closes politely (QUIT) when connected, at once otherwise or with `now`; never throws. */
  async end(options: { now?: boolean } = {}): Promise<void> {
    this.#ending = true;
    if (this.client.status === 'ready' && !options.now) {
      try {
        await this.client.quit();
        return;
      } catch {
        // fall through to a hard close
      }
    }
    this.client.disconnect();
  }
}
