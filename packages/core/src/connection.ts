import { backoffDelay, sleep } from './backoff.js';
import type { Capabilities, CapabilityFlag } from './capabilities.js';
import { SafeEmitter } from './emitter.js';
import {
  AccessRefusedError,
  ConfigurationError,
  ConnectionError,
  TimeoutError,
  toError,
  UnsupportedFeatureError,
  WarrenError,
} from './errors.js';
import { type ConnectOptions, connectOptionsSchema, parseOptions, type ReconnectOptions } from './options.js';
import { resolveTransport } from './registry.js';
import { Subscription } from './subscription.js';
import type {
  DeleteExchangeOptions,
  DeleteQueueOptions,
  ExchangeBinding,
  ExchangeSpec,
  QueueBinding,
  QueueInfo,
  QueueSpec,
} from './topology.js';
import { TopologyRecord } from './topology-record.js';
import type {
  ConsumeOptions,
  Delivery,
  OutboundMessage,
  SessionHooks,
  TransportFactory,
  TransportSession,
} from './transport.js';
import { parseUrl, queryParameters, redactUrl, schemeOf } from './url.js';

export interface ConnectionEvents {
  [event: string]: unknown[];
  /** The session to the broker was lost; the connection is reconnecting (unless reconnect is off). */
  disconnect: [error: Error];
  /** A new session is up, topology redeclared and consumers resumed. */
  reconnect: [];
  /** Something went wrong that no call of yours is waiting for (a failed redeclare, reconnection given up). */
  error: [error: Error];
}

interface ResolvedOptions {
  heartbeat: number;
  connectTimeoutMs: number;
  publishTimeoutMs: number;
  reconnect: ReconnectOptions | false;
  transportOptions: Record<string, unknown>;
}

type State = 'open' | 'reconnecting' | 'closing' | 'closed' | 'failed';

const COMMON_OPTIONS = new Set(['url', 'transport', 'heartbeat', 'connectTimeoutMs', 'publishTimeoutMs', 'reconnect']);

/**
 * A connection to a broker through one transport. It owns the transport session and replaces it after a loss
 * (backoff, failover list in order), declaring the recorded topology again and resuming subscriptions, so that
 * publishers and consumers carry on. Sends made while reconnecting wait (up to `publishTimeoutMs`).
 */
export class Connection extends SafeEmitter<ConnectionEvents> {
  readonly capabilities: Capabilities;
  readonly #factory: TransportFactory<unknown>;
  readonly #urls: URL[];
  readonly #options: ResolvedOptions;
  readonly #topology = new TopologyRecord();
  readonly #subscriptions = new Set<Subscription>();
  readonly #closing = new AbortController();
  #session: TransportSession | null = null;
  #state: State = 'open';
  #failure: Error | undefined;
  #ready:
    | { promise: Promise<TransportSession>; resolve(s: TransportSession): void; reject(e: Error): void }
    | undefined;
  #urlIndex = 0;
  readonly #lostSessions = new WeakSet<TransportSession>();
  #closed: Promise<void> | undefined;

  private constructor(factory: TransportFactory<unknown>, urls: URL[], options: ResolvedOptions) {
    super();
    this.#factory = factory;
    this.#urls = urls;
    this.#options = options;
    this.capabilities = factory.capabilities;
  }

  /** Opens a connection; prefer the `connect` function. */
  static async open(target: string | string[] | ConnectOptions, extra?: ConnectOptions): Promise<Connection> {
    const input: ConnectOptions =
      typeof target === 'string' || Array.isArray(target) ? { ...extra, url: target } : { ...target, ...extra };
    const common = parseOptions(connectOptionsSchema, input, 'connection options');
    const rawUrls = common.url === undefined ? ['memory://'] : Array.isArray(common.url) ? common.url : [common.url];
    if (rawUrls.length === 0) throw new ConfigurationError('connect() needs at least one URL.');
    const urls = rawUrls.map(parseUrl);
    const transportName = common.transport ?? schemeOf(urls[0] as URL);
    const factory = await resolveTransport(transportName);
    for (const url of urls) {
      if (!factory.schemes.includes(schemeOf(url)) && common.transport === undefined) {
        throw new ConfigurationError(
          `A failover list must use one transport: ${redactUrl(url)} is not a ${factory.name} URL (${factory.schemes.map((s) => `${s}://`).join(', ')}).`,
        );
      }
    }
    const transportOptions: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(input)) if (!COMMON_OPTIONS.has(key)) transportOptions[key] = value;
    const connection = new Connection(factory, urls, {
      heartbeat: common.heartbeat,
      connectTimeoutMs: common.connectTimeoutMs,
      publishTimeoutMs: common.publishTimeoutMs,
      reconnect: common.reconnect,
      transportOptions,
    });
    connection.#session = await connection.#connectOnce(true);
    return connection;
  }

  /** The transport's name (`memory`, `amqp`, ...). */
  get transport(): string {
    return this.#factory.name;
  }

  /** False once closed or given up. */
  get isOpen(): boolean {
    return this.#state === 'open' || this.#state === 'reconnecting';
  }

  /** True while a session is up (false while reconnecting). */
  get isConnected(): boolean {
    return this.#session !== null && this.#state === 'open';
  }

  /** The URL in use, password hidden. */
  get url(): string {
    return redactUrl(this.#urls[this.#urlIndex] as URL);
  }

  /** Local TCP ports of the current session's sockets (for fault tests that cut only their own connection). */
  localPorts(): number[] {
    return this.#session?.localPorts() ?? [];
  }

  /** Throws UnsupportedFeatureError unless the transport claims `flag`. */
  require(flag: CapabilityFlag, what: string): void {
    if (!this.capabilities[flag]) {
      throw new UnsupportedFeatureError(
        `${what} is not supported by the ${this.#factory.name} transport (capability "${flag}").`,
      );
    }
  }

  // ---- topology -------------------------------------------------------------------------------------------

  async declareExchange(spec: ExchangeSpec): Promise<void> {
    // amqplib's and kombu's defaults: durable, not auto-deleted.
    const full = {
      ...spec,
      type: spec.type ?? 'direct',
      durable: spec.durable ?? true,
      autoDelete: spec.autoDelete ?? false,
    } as ExchangeSpec & { type: NonNullable<ExchangeSpec['type']> };
    if (!this.capabilities.exchangeTypes.includes(full.type)) {
      throw new UnsupportedFeatureError(
        `The ${this.#factory.name} transport has no ${full.type} exchanges (it has ${this.capabilities.exchangeTypes.join(', ')}).`,
      );
    }
    if (full.name === '') return;
    await this.#withSession((s) => s.declareExchange(full));
    this.#topology.exchange(full);
  }

  async deleteExchange(name: string, options: DeleteExchangeOptions = {}): Promise<void> {
    await this.#withSession((s) => s.deleteExchange(name, options));
    this.#topology.forgetExchange(name);
  }

  /**
   * Declares a queue. Defaults as amqplib and kombu have them: a named queue is durable, a server-named one
   * (no name) is not; neither exclusive nor auto-delete unless asked.
   */
  async declareQueue(spec: QueueSpec = {}): Promise<QueueInfo> {
    if (spec.exclusive) this.require('exclusiveQueues', 'An exclusive queue');
    this.#checkQueueArguments(spec);
    const full: QueueSpec = {
      ...spec,
      name: spec.name ?? '',
      durable: spec.durable ?? Boolean(spec.name),
      exclusive: spec.exclusive ?? false,
      autoDelete: spec.autoDelete ?? false,
    };
    const info = await this.#withSession((s) => s.declareQueue(full));
    this.#topology.queue({ ...full, name: info.queue }, !spec.name);
    return info;
  }

  async deleteQueue(name: string, options: DeleteQueueOptions = {}): Promise<number> {
    const count = await this.#withSession((s) => s.deleteQueue(name, options));
    this.#topology.forgetQueue(name);
    return count;
  }

  /** Drops every ready message of the queue; resolves with how many. */
  purgeQueue(name: string): Promise<number> {
    return this.#withSession((s) => s.purgeQueue(name));
  }

  async bindQueue(binding: QueueBinding): Promise<void> {
    await this.#withSession((s) => s.bindQueue(binding));
    this.#topology.queueBinding(binding, true);
  }

  async unbindQueue(binding: QueueBinding): Promise<void> {
    await this.#withSession((s) => s.unbindQueue(binding));
    this.#topology.queueBinding(binding, false);
  }

  async bindExchange(binding: ExchangeBinding): Promise<void> {
    this.require('exchangeToExchange', 'Binding an exchange to an exchange');
    await this.#withSession((s) => s.bindExchange(binding));
    this.#topology.exchangeBinding(binding, true);
  }

  async unbindExchange(binding: ExchangeBinding): Promise<void> {
    this.require('exchangeToExchange', 'Binding an exchange to an exchange');
    await this.#withSession((s) => s.unbindExchange(binding));
    this.#topology.exchangeBinding(binding, false);
  }

  #checkQueueArguments(spec: QueueSpec): void {
    const args = spec.arguments ?? {};
    const has = (friendly: string, raw: string): boolean => args[friendly] !== undefined || args[raw] !== undefined;
    if (has('messageTtl', 'x-message-ttl')) this.require('ttl', 'A queue message TTL');
    if (has('maxLength', 'x-max-length') || has('maxLengthBytes', 'x-max-length-bytes')) {
      this.require('maxLength', 'A queue max length');
    }
    if (has('maxPriority', 'x-max-priority')) this.require('priorities', 'A priority queue');
    if (has('deadLetterExchange', 'x-dead-letter-exchange')) this.require('deadLetter', 'Dead-lettering');
  }

  // ---- messaging (used by Publisher and Consumer) ---------------------------------------------------------

  /**
   * Publishes through the current session. A send that fails because the session was lost is sent again on the
   * next session (at least once: the broker may have taken the first copy), within `publishTimeoutMs`.
   */
  publish(message: OutboundMessage): Promise<void> {
    const session = this.#session;
    if (session !== null && this.#state === 'open') {
      // A transport that cannot lose its session (memory://) needs no resend path: skip its per-message cost.
      if (!this.capabilities.restartable) return session.publish(message);
      return session
        .publish(message)
        .then(undefined, (error: unknown) => this.#republish(error, message, session, Date.now()));
    }
    return this.#publishLater(message, Date.now());
  }

  async #publishLater(message: OutboundMessage, startedAt: number): Promise<void> {
    const session = await this.#awaitSession(startedAt);
    try {
      await session.publish(message);
    } catch (error) {
      await this.#republish(error, message, session, startedAt);
    }
  }

  #republish(error: unknown, message: OutboundMessage, failedOn: TransportSession, startedAt: number): Promise<void> {
    const lost = error instanceof ConnectionError && this.isOpen && this.#options.reconnect !== false;
    if (!lost || Date.now() - startedAt > this.#options.publishTimeoutMs) return Promise.reject(error);
    // The session may not have reported its loss yet: wait until it is replaced.
    if (this.#session === failedOn) this.#sessionLost(failedOn, toError(error));
    return this.#publishLater(message, startedAt);
  }

  /** Subscribes to a queue; the subscription is resumed on every new session until cancelled. */
  async subscribe(
    queue: string,
    options: ConsumeOptions,
    onDelivery: (delivery: Delivery) => void,
    /** The subscription ended without being asked to: an error, or undefined when the connection was closed. */
    onCancelled: (error: Error | undefined) => void,
  ): Promise<Subscription> {
    const subscription = new Subscription(queue, options, onDelivery, (error) => {
      this.#subscriptions.delete(subscription);
      onCancelled(error);
    });
    // Registered before the subscribe goes out, so that a close() meanwhile cancels it (attach then undoes it).
    this.#subscriptions.add(subscription);
    try {
      await this.#withSession((s) => subscription.attach(s));
    } catch (error) {
      this.#subscriptions.delete(subscription);
      throw error;
    }
    if (!subscription.active || !this.isOpen) {
      this.#subscriptions.delete(subscription);
      throw new ConnectionError('The connection was closed while subscribing.');
    }
    return subscription;
  }

  /** Ends a subscription (close: unacknowledged messages go back to the queue). */
  async unsubscribe(subscription: Subscription, how: 'cancel' | 'close'): Promise<void> {
    this.#subscriptions.delete(subscription);
    if (this.#session === null) {
      subscription.markCancelled();
      return;
    }
    try {
      await (how === 'close' ? subscription.close() : subscription.cancel());
    } catch (error) {
      // A subscription on a lost session is gone with it; nothing to undo.
      if (!(error instanceof ConnectionError)) throw error;
    }
  }

  /** basic.get through the current session. */
  get(queue: string, noAck: boolean): Promise<Delivery | null> {
    this.require('fetch', 'fetch()');
    return this.#withSession((s) => s.get(queue, { noAck }));
  }

  /** Closes subscriptions and the session (draining outstanding publishes). Idempotent. */
  close(): Promise<void> {
    // A second close() waits for the first.
    this.#closed ??= this.#close();
    return this.#closed;
  }

  async #close(): Promise<void> {
    const wasFailed = this.#state === 'failed';
    this.#state = 'closing';
    this.#closing.abort();
    const closed = new ConnectionError('The connection was closed.');
    this.#ready?.reject(closed);
    this.#ready = undefined;
    const session = this.#session;
    this.#session = null;
    const subscriptions = [...this.#subscriptions];
    this.#subscriptions.clear();
    for (const subscription of subscriptions) subscription.markCancelled();
    try {
      if (session && !wasFailed) await session.close();
      // Consumers waiting on these subscriptions (wait(), for await) end now, without an error.
      for (const subscription of subscriptions) subscription.onCancelled(undefined);
    } finally {
      this.#state = 'closed';
    }
  }

  // ---- sessions and recovery ------------------------------------------------------------------------------

  #hooksFor(session: () => TransportSession | undefined): SessionHooks {
    return {
      lost: (error) => {
        const lostSession = session();
        if (!lostSession) return;
        // A session lost while it is being restored is not current yet: remember it, so it is not installed.
        this.#lostSessions.add(lostSession);
        this.#sessionLost(lostSession, error);
      },
      consumerCancelled: (consumerTag, error) => {
        for (const subscription of this.#subscriptions) {
          if (subscription.consumerTag === consumerTag) {
            subscription.markCancelled();
            subscription.onCancelled(error);
          }
        }
      },
      warning: (error) => this.emit('error', error),
    };
  }

  /** Tries each URL once, in order, starting with the last one that worked. */
  async #connectOnce(initial: boolean): Promise<TransportSession> {
    const failures: string[] = [];
    let lastError: unknown;
    for (let i = 0; i < this.#urls.length; i++) {
      const index = (this.#urlIndex + i) % this.#urls.length;
      const url = this.#urls[index] as URL;
      let opened: TransportSession | undefined;
      const hooks = this.#hooksFor(() => opened);
      try {
        const options = parseOptions(
          this.#factory.optionsSchema,
          { ...queryParameters(url), ...this.#options.transportOptions },
          `${this.#factory.name} options`,
        );
        opened = await this.#factory.connect({
          url,
          options,
          heartbeat: this.#options.heartbeat,
          connectTimeoutMs: this.#options.connectTimeoutMs,
          publishTimeoutMs: this.#options.publishTimeoutMs,
          hooks,
        });
        this.#urlIndex = index;
        return opened;
      } catch (error) {
        // Wrong credentials and bad configuration will not get better by retrying or by trying the next URL.
        if (error instanceof AccessRefusedError || error instanceof ConfigurationError) throw error;
        lastError = error;
        failures.push(`${redactUrl(url)}: ${toError(error).message}`);
      }
    }
    if (this.#urls.length === 1 && lastError instanceof WarrenError) throw lastError;
    throw new ConnectionError(
      `${initial ? 'Could not connect' : 'Could not reconnect'} to any broker: ${failures.join('; ')}. Check that the broker is running and the URL is right.`,
      { cause: lastError },
    );
  }

  #sessionLost(session: TransportSession, error: Error): void {
    if (this.#session !== session || this.#state !== 'open') return;
    this.#session = null;
    // Whatever is left of the old session is released in the background; its errors no longer matter.
    session.close().catch(() => {});
    this.emit('disconnect', error);
    if (this.#options.reconnect === false) {
      this.#fail(new ConnectionError(`The connection to ${this.url} was lost and reconnect is off.`, { cause: error }));
      return;
    }
    this.#state = 'reconnecting';
    void this.#reconnect(this.#options.reconnect);
  }

  async #reconnect(policy: ReconnectOptions): Promise<void> {
    for (let attempt = 0; this.#state === 'reconnecting'; attempt++) {
      if (attempt > 0) {
        if (attempt > policy.retries) {
          this.#fail(new ConnectionError(`Gave up reconnecting to ${this.url} after ${policy.retries} retries.`));
          return;
        }
        await sleep(backoffDelay(attempt - 1, policy.minDelayMs, policy.maxDelayMs), this.#closing.signal);
        if (this.#state !== 'reconnecting') return;
      }
      let session: TransportSession;
      try {
        session = await this.#connectOnce(false);
      } catch (error) {
        if (error instanceof AccessRefusedError || error instanceof ConfigurationError) {
          this.#fail(error);
          return;
        }
        continue;
      }
      if (this.#state !== 'reconnecting') {
        await session.close().catch(() => {});
        return;
      }
      try {
        await this.#restore(session);
      } catch {
        await session.close().catch(() => {});
        continue;
      }
      if (this.#state !== 'reconnecting') {
        // Closed while restoring: release the new session instead of bringing the connection back.
        await session.close().catch(() => {});
        return;
      }
      if (this.#lostSessions.has(session)) {
        await session.close().catch(() => {});
        continue;
      }
      this.#session = session;
      this.#state = 'open';
      this.#ready?.resolve(session);
      this.#ready = undefined;
      this.emit('reconnect');
      return;
    }
  }

  /** Declares the recorded topology and resumes subscriptions on a new session. */
  async #restore(session: TransportSession): Promise<void> {
    const renamed = await this.#topology.replay(session, (error) => this.emit('error', toError(error)));
    for (const subscription of [...this.#subscriptions]) {
      const queue = renamed.get(subscription.queue);
      if (queue !== undefined) subscription.retarget(queue);
      // One still subscribing for the first time retries by itself (#withSession); attaching it here too would
      // subscribe it twice.
      if (!subscription.active || subscription.consumerTag === undefined) continue;
      try {
        await subscription.attach(session);
      } catch (error) {
        if (error instanceof ConnectionError) throw error;
        this.#subscriptions.delete(subscription);
        subscription.markCancelled();
        subscription.onCancelled(toError(error));
      }
    }
  }

  #fail(error: Error): void {
    this.#state = 'failed';
    this.#failure = error;
    this.#ready?.reject(error);
    this.#ready = undefined;
    for (const subscription of this.#subscriptions) {
      subscription.markCancelled();
      subscription.onCancelled(error);
    }
    this.#subscriptions.clear();
    this.emit('error', error);
  }

  #awaitSession(startedAt: number): Promise<TransportSession> {
    if (this.#session !== null && this.#state === 'open') return Promise.resolve(this.#session);
    if (this.#state === 'failed') return Promise.reject(this.#failure ?? new ConnectionError('The connection failed.'));
    if (this.#state === 'closing' || this.#state === 'closed') {
      return Promise.reject(new ConnectionError('The connection is closed. Open a new one with connect().'));
    }
    if (!this.#ready) {
      let resolve!: (s: TransportSession) => void;
      let reject!: (e: Error) => void;
      const promise = new Promise<TransportSession>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(() => {});
      this.#ready = { promise, resolve, reject };
    }
    const remaining = Math.max(0, this.#options.publishTimeoutMs - (Date.now() - startedAt));
    const ready = this.#ready.promise;
    return new Promise<TransportSession>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new TimeoutError(
              `Still reconnecting to ${this.url} after ${this.#options.publishTimeoutMs} ms; the operation was not done.`,
            ),
          ),
        remaining,
      );
      ready.then(
        (session) => {
          clearTimeout(timer);
          resolve(session);
        },
        (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  /** Runs a broker operation on the current session, waiting for a reconnect and retrying once if it is lost. */
  async #withSession<T>(operation: (session: TransportSession) => Promise<T>): Promise<T> {
    const startedAt = Date.now();
    const session = await this.#awaitSession(startedAt);
    try {
      return await operation(session);
    } catch (error) {
      if (!(error instanceof ConnectionError) || !this.isOpen || this.#options.reconnect === false) throw error;
      if (this.#session === session) this.#sessionLost(session, error);
      return operation(await this.#awaitSession(startedAt));
    }
  }
}

/**
 * Opens a connection. `target` is a URL (`memory://`, `amqp://user:pass@host/vhost`, ...), a failover list of URLs
 * tried in order, or an options object with `url`. The URL scheme picks the transport, loading its package if
 * needed.
 */
export function connect(target?: string | string[] | ConnectOptions, options?: ConnectOptions): Promise<Connection> {
  return Connection.open(target ?? 'memory://', options);
}
