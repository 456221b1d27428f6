import { ConfigurationError, MessageStateError, SafeEmitter } from '@warren/core';
import { toError } from '@warren/core/transport';
import { ChannelCodec } from './codec.js';
import { ChannelKeys } from './keys.js';
import { type ParsedChannelOptions, parseChannelOptions, type RemoteChannelOptions, redisTarget } from './options.js';
import { RedisLink } from './redis-link.js';

/** Gets every value sent on the channel, decoded. A returned promise that rejects is reported as an error event. */
export type RemoteListener = (message: unknown) => void | Promise<void>;

/** The events of a RemoteChannel. */
export interface RemoteChannelEvents {
  [event: string]: unknown[];
  /** A listener that threw, a message that did not decode or is not accepted, Redis lost for good. */
  error: [error: Error];
}

/**
 * Broadcast over Redis pub/sub, in the shape of muppet's RemoteChannel: every listener of a name, in every process,
 * gets every value sent to that name while it listens.
 *
 * **At most once.** Redis pub/sub keeps nothing: a value sent while nobody listens, or while a listener's connection
 * is down (it resubscribes by itself after a reconnect), is lost for that listener. Use a DurableChannel or a queue
 * when every message must arrive.
 *
 * ```ts
 * const channel = new RemoteChannel('greeting', { redis: { host: '127.0.0.1', port: 6379 } });
 * await channel.listen((message) => console.log(message));
 * await channel.send('hello');
 * await channel.end();
 * ```
 */
export class RemoteChannel extends SafeEmitter<RemoteChannelEvents> {
  /** The channel's name: every RemoteChannel of that name and prefix on the same Redis meets. */
  readonly name: string;
  readonly #options: ParsedChannelOptions;
  readonly #keys: ChannelKeys;
  readonly #channel: string;
  readonly #codec: ChannelCodec;
  readonly #listeners: RemoteListener[] = [];
  readonly #publisher: RedisLink;
  #subscriber: RedisLink | undefined;
  #subscribed: Promise<void> | undefined;
  #ended = false;

  /**
   * @param name the channel's name; every RemoteChannel of that name (and prefix) on the same Redis meets
   * @param options `{ redis: { host, port } }` or `{ redis: 'redis://...' }`; see the package README
   */
  constructor(name: string, options?: RemoteChannelOptions) {
    super();
    if (typeof name !== 'string' || name.length === 0) throw new ConfigurationError('A RemoteChannel needs a name.');
    this.name = name;
    this.#options = parseChannelOptions(options, 'RemoteChannel');
    const keys = new ChannelKeys(this.#options.prefix);
    this.#keys = keys;
    this.#channel = keys.broadcast(name);
    this.#codec = new ChannelCodec(this.#options.serializer, this.#options.accept ?? [this.#options.serializer]);
    this.#publisher = new RedisLink(redisTarget(this.#options), keys.connectionName('rc', name, 'publish'), (error) =>
      this.emit('error', error),
    );
  }

  /**
   * Adds a listener; resolves once subscribed, so that a value sent afterwards reaches it. Each listener gets every
   * value sent from then on (at most once: see the class documentation).
   */
  async listen(listener: RemoteListener): Promise<void> {
    if (typeof listener !== 'function') throw new ConfigurationError('RemoteChannel.listen takes a function.');
    this.#assertOpen('listen');
    this.#listeners.push(listener);
    this.#subscribed ??= this.#subscribe();
    try {
      await this.#subscribed;
    } catch (error) {
      this.#subscribed = undefined;
      this.#listeners.splice(this.#listeners.indexOf(listener), 1);
      throw error;
    }
  }

  /**
   * Broadcasts a value (serialized by the channel's serializer); resolves with how many subscribed connections
   * Redis handed it to once Redis took it. Zero means nobody listened: the value is gone.
   */
  async send(message: unknown): Promise<number> {
    this.#assertOpen('send');
    const frame = this.#codec.encode(message);
    return this.#publisher.run('publishing', (client) => client.publish(this.#channel, frame));
  }

  /** Stops listening and closes both connections. */
  async end(): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    this.#listeners.length = 0;
    await Promise.all([this.#publisher.end(), this.#subscriber?.end()]);
  }

  async #subscribe(): Promise<void> {
    const subscriber = new RedisLink(
      redisTarget(this.#options),
      this.#keys.connectionName('rc', this.name, 'subscribe'),
      (error) => this.emit('error', error),
    );
    this.#subscriber = subscriber;
    subscriber.client.on('messageBuffer', (_channel: Buffer, frame: Buffer) => this.#deliver(frame));
    await subscriber.run('subscribing', (client) => client.subscribe(this.#channel));
  }

  #deliver(frame: Buffer): void {
    let value: unknown;
    try {
      value = this.#codec.decode(frame);
    } catch (error) {
      this.emit('error', toError(error));
      return;
    }
    for (const listener of this.#listeners) {
      try {
        const result = listener(value);
        if (result && typeof (result as Promise<void>).then === 'function') {
          (result as Promise<void>).then(undefined, (error: unknown) => this.emit('error', toError(error)));
        }
      } catch (error) {
        this.emit('error', toError(error));
      }
    }
  }

  #assertOpen(what: string): void {
    if (this.#ended) throw new MessageStateError(`RemoteChannel "${this.name}" was ended: cannot ${what}.`);
  }
}
