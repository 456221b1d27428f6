import type { Capabilities, CapabilityFlag } from './capabilities.js';
import { declareObject } from './declarative/declare.js';
import type { Exchange } from './declarative/exchange.js';
import type { Queue } from './declarative/queue.js';
import { SafeEmitter } from './emitter.js';
import { ConfigurationError, ConnectionError, toError, UnsupportedFeatureError } from './errors.js';
import { didYouMean } from './nearest-name.js';
import {
  COMMON_OPTIONS,
  COMMON_QUERY_OPTIONS,
  type ConnectOptions,
  connectOptionsSchema,
  optionNames,
  parseOptions,
  rejectUnknownKeys,
} from './options.js';
import { resolveTransport } from './registry.js';
import { checkExchangeOn, checkQueueOn, openDirectReplyOn } from './session-extras.js';
import { SessionSupervisor, type SupervisorOptions } from './session-supervisor.js';
import { Subscription } from './subscription.js';
import {
  type DeleteExchangeOptions,
  type DeleteQueueOptions,
  type ExchangeBinding,
  type ExchangeSpec,
  type Lenient,
  type QueueBinding,
  type QueueInfo,
  type QueueSpec,
  withoutUndefined,
} from './topology.js';
import {
  checkQueueArguments,
  deleteExchangeOptionsSchema,
  deleteQueueOptionsSchema,
  exchangeBindingSchema,
  exchangeSpecSchema,
  queueBindingSchema,
  queueSpecSchema,
} from './topology-options.js';
import { TopologyRecord } from './topology-record.js';
import type {
  ConsumeOptions,
  Delivery,
  DirectReplyChannel,
  DirectReplyHooks,
  OutboundMessage,
  TransportFactory,
  TransportSession,
} from './transport.js';
import { parseUrl, queryParameters, redactUrl, schemeOf } from './url.js';

/** The events of a {@link Connection} and their listener arguments: `conn.on('disconnect', (error) => ...)`. */
export interface ConnectionEvents {
  /** Any other event name (none is emitted today). */
  [event: string]: unknown[];
  /** The session to the broker was lost; the connection is reconnecting (unless reconnect is off). */
  disconnect: [error: Error];
  /** A new session is up, topology redeclared and consumers resumed. */
  reconnect: [];
  /** Something went wrong that no call of yours is waiting for (a failed redeclare, reconnection given up). */
  error: [error: Error];
}

/**
 * A connection to a broker through one transport. Its session supervisor owns the transport session and replaces
 * it after a loss (backoff, failover list in order), declaring the recorded topology again and resuming
 * subscriptions, so that publishers and consumers carry on. Sends made while reconnecting wait (up to
 * `publishTimeoutMs`).
 */
export class Connection extends SafeEmitter<ConnectionEvents> {
  #capabilities: Capabilities;
  /** What the first session said of its broker, for messages (`RabbitMQ 3.10.8`), when it said. */
  #brokerName: string | undefined;
  readonly #factory: TransportFactory<unknown>;
  readonly #topology = new TopologyRecord();
  readonly #subscriptions = new Set<Subscription>();
  readonly #supervisor: SessionSupervisor;
  #closed: Promise<void> | undefined;

  private constructor(factory: TransportFactory<unknown>, urls: URL[], options: SupervisorOptions) {
    super();
    this.#factory = factory;
    this.#capabilities = factory.capabilities;
    this.#supervisor = new SessionSupervisor(factory, urls, options, {
      topology: this.#topology,
      subscriptions: this.#subscriptions,
      emitDisconnect: (error) => this.emit('disconnect', error),
      emitReconnect: () => this.emit('reconnect'),
      emitError: (error) => this.emit('error', error),
    });
  }

  /**
   * What this connection's transport can do. Before the first session opens it is the factory's; after, the
   * first session's own, for transports whose capabilities depend on the broker they reached (AMQP 1.0).
   */
  get capabilities(): Capabilities {
    return this.#capabilities;
  }

  /** Opens a connection; prefer the `connect` function. */
  static async open(target: string | string[] | ConnectOptions, extra?: ConnectOptions): Promise<Connection> {
    const input: ConnectOptions =
      typeof target === 'string' || Array.isArray(target) ? { ...extra, url: target } : { ...target, ...extra };
    const given = parseOptions(connectOptionsSchema, input, 'connection options');
    const rawUrls = given.url === undefined ? ['memory://'] : Array.isArray(given.url) ? given.url : [given.url];
    if (rawUrls.length === 0) throw new ConfigurationError('connect() needs at least one URL.');
    const urls = rawUrls.map(parseUrl);
    // Common options in the (first) URL's query, such as ?heartbeat=30; the options object wins.
    const fromQuery = Object.entries(queryParameters(urls[0] as URL)).filter(([key]) => COMMON_QUERY_OPTIONS.has(key));
    const common =
      fromQuery.length === 0
        ? given
        : parseOptions(connectOptionsSchema, { ...Object.fromEntries(fromQuery), ...input }, 'connection options');
    if (common.failover === 'shuffle') shuffle(urls);
    const transportName = common.transport ?? schemeOf(urls[0] as URL);
    const factory = await resolveTransport(transportName);
    for (const url of urls) {
      if (!factory.schemes.includes(schemeOf(url)) && common.transport === undefined) {
        throw new ConfigurationError(
          `A failover list must use one transport: ${redactUrl(url)} is not a ${factory.name} URL (${factory.schemes.map((s) => `${s}://`).join(', ')}).`,
        );
      }
    }
    const transportNames = optionNames(factory.optionsSchema);
    if (transportNames !== undefined) {
      rejectUnknownKeys(input, new Set([...COMMON_OPTIONS, ...transportNames]), 'connect() option');
      const queryNames = new Set([...COMMON_QUERY_OPTIONS, ...transportNames]);
      for (const url of urls)
        rejectUnknownKeys(queryParameters(url), queryNames, 'query parameter', ` in ${redactUrl(url)}`);
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
    await connection.#supervisor.open();
    connection.#capabilities = connection.#supervisor.current?.capabilities ?? connection.#capabilities;
    connection.#brokerName = connection.#supervisor.current?.brokerName;
    return connection;
  }

  /** The transport's name (`memory`, `amqp`, ...). */
  get transport(): string {
    return this.#factory.name;
  }

  /** False once closed or given up. */
  get isOpen(): boolean {
    return this.#supervisor.isOpen;
  }

  /** True while a session is up (false while reconnecting). */
  get isConnected(): boolean {
    return this.#supervisor.isConnected;
  }

  /** The URL in use, password hidden. */
  get url(): string {
    return this.#supervisor.url;
  }

  /** Local TCP ports of the current session's sockets (for fault tests that cut only their own connection). */
  localPorts(): number[] {
    return this.#supervisor.localPorts();
  }

  /** "the amqp10 transport (RabbitMQ 3.10.8)": the transport, and the broker when its session named it. */
  #transportLabel(capital = false): string {
    const label = `${capital ? 'The' : 'the'} ${this.#factory.name} transport`;
    return this.#brokerName === undefined ? label : `${label} (${this.#brokerName})`;
  }

  /**
   * The name `queue` has now. A server-named queue (declared without a name) is declared anew after a reconnect
   * and gets a new name; consumers follow it by themselves, and so can anyone who kept the old one.
   */
  currentQueueName(queue: string): string {
    return this.#topology.currentName(queue);
  }

  /** Throws UnsupportedFeatureError unless the transport claims `flag`. */
  require(flag: CapabilityFlag, what: string): void {
    if (!this.capabilities[flag]) {
      throw new UnsupportedFeatureError(
        `${what} is not supported by ${this.#transportLabel()} (capability "${flag}").`,
      );
    }
  }

  // ---- topology -------------------------------------------------------------------------------------------

  /**
   * Checks that a queue exists without creating it (amqplib's `checkQueue`, kombu's `passive=True`): resolves with
   * its counts, as `declareQueue` gives them; rejects with NotFoundError when it is absent.
   */
  checkQueue(name: string): Promise<QueueInfo> {
    return this.#withSession((s) => checkQueueOn(s, name, this.#factory.name));
  }

  /** Checks that an exchange exists without creating it; NotFoundError when it is absent. */
  checkExchange(name: string): Promise<void> {
    return this.#withSession((s) => checkExchangeOn(s, name, this.#factory.name));
  }

  /**
   * Declares a {@link Queue} (its exchanges, the queue and every binding) or an {@link Exchange}, idempotently;
   * all of it is recorded and declared again after a reconnect. Resolves with the queue's info for a queue.
   */
  declare(target: Queue): Promise<QueueInfo>;
  declare(target: Exchange): Promise<void>;
  declare(target: Queue | Exchange): Promise<QueueInfo | undefined>;
  declare(target: Queue | Exchange): Promise<QueueInfo | undefined> | Promise<void> {
    return declareObject(this, target);
  }

  /**
   * A direct reply channel on the current session (RabbitMQ's direct reply-to), or null when the transport has
   * none. Used by RpcClient; the channel dies with its session (its `closed` hook says so).
   */
  openDirectReply(hooks: DirectReplyHooks): Promise<DirectReplyChannel | null> {
    return this.#withSession((s) => openDirectReplyOn(s, hooks));
  }

  /**
   * Declares an exchange (durable, `direct` unless `spec` says otherwise; kept and declared again after a
   * reconnect). Redeclaring it with other properties is `PreconditionFailedError`.
   */
  async declareExchange(given: Lenient<ExchangeSpec>): Promise<void> {
    const spec = withoutUndefined<ExchangeSpec>(given);
    parseOptions(exchangeSpecSchema, spec, 'declareExchange() options');
    // amqplib's and kombu's defaults: durable, not auto-deleted.
    const full = {
      ...spec,
      type: spec.type ?? 'direct',
      durable: spec.durable ?? true,
      autoDelete: spec.autoDelete ?? false,
    } as ExchangeSpec & { type: NonNullable<ExchangeSpec['type']> };
    if (!this.capabilities.exchangeTypes.includes(full.type)) {
      throw new UnsupportedFeatureError(
        `${this.#transportLabel(true)} has no ${full.type} exchanges${didYouMean(full.type, this.capabilities.exchangeTypes)} (it has ${this.capabilities.exchangeTypes.join(', ') || "none: only the default exchange ''"}).`,
      );
    }
    if (full.name === '') return;
    if (spec.passive) return this.checkExchange(full.name);
    await this.#withSession((s) => s.declareExchange(full));
    this.#topology.exchange(full);
  }

  /** Deletes an exchange (`ifUnused`: only without bindings, `PreconditionFailedError` otherwise). */
  async deleteExchange(name: string, given: Lenient<DeleteExchangeOptions> = {}): Promise<void> {
    const options = withoutUndefined<DeleteExchangeOptions>(given);
    parseOptions(deleteExchangeOptionsSchema, options, 'deleteExchange() options');
    await this.#withSession((s) => s.deleteExchange(name, options));
    this.#topology.forgetExchange(name);
  }

  /**
   * Declares a queue. Defaults as amqplib and kombu have them: a named queue is durable, a server-named one
   * (no name) is not; neither exclusive nor auto-delete unless asked.
   */
  async declareQueue(given: Lenient<QueueSpec> = {}): Promise<QueueInfo> {
    const spec = withoutUndefined<QueueSpec>(given);
    parseOptions(queueSpecSchema, spec, 'declareQueue() options');
    checkQueueArguments(spec.arguments, `queue "${spec.name ?? ''}"`);
    if (spec.passive) {
      if (!spec.name) throw new ConfigurationError('A passive declare checks a queue by its name: give the name.');
      return this.checkQueue(spec.name);
    }
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

  /**
   * Deletes a queue; resolves with the number of messages deleted with it. `ifUnused` / `ifEmpty` refuse with
   * `PreconditionFailedError`.
   */
  async deleteQueue(name: string, given: Lenient<DeleteQueueOptions> = {}): Promise<number> {
    const options = withoutUndefined<DeleteQueueOptions>(given);
    parseOptions(deleteQueueOptionsSchema, options, 'deleteQueue() options');
    const count = await this.#withSession((s) => s.deleteQueue(name, options));
    this.#topology.forgetQueue(name);
    return count;
  }

  /** Drops every ready message of the queue; resolves with how many. */
  purgeQueue(name: string): Promise<number> {
    return this.#withSession((s) => s.purgeQueue(name));
  }

  /**
   * Binds a queue to an exchange (kept and bound again after a reconnect); `NotFoundError` when either is missing.
   */
  async bindQueue(given: Lenient<QueueBinding>): Promise<void> {
    const binding = withoutUndefined<QueueBinding>(given);
    parseOptions(queueBindingSchema, binding, 'bindQueue() options');
    await this.#withSession((s) => s.bindQueue(binding));
    this.#topology.queueBinding(binding, true);
  }

  /** Removes a queue binding. */
  async unbindQueue(given: Lenient<QueueBinding>): Promise<void> {
    const binding = withoutUndefined<QueueBinding>(given);
    parseOptions(queueBindingSchema, binding, 'unbindQueue() options');
    await this.#withSession((s) => s.unbindQueue(binding));
    this.#topology.queueBinding(binding, false);
  }

  /**
   * Binds an exchange to an exchange, where `capabilities.exchangeToExchange` (`UnsupportedFeatureError`
   * otherwise).
   */
  async bindExchange(given: Lenient<ExchangeBinding>): Promise<void> {
    const binding = withoutUndefined<ExchangeBinding>(given);
    parseOptions(exchangeBindingSchema, binding, 'bindExchange() options');
    this.require('exchangeToExchange', 'Binding an exchange to an exchange');
    await this.#withSession((s) => s.bindExchange(binding));
    this.#topology.exchangeBinding(binding, true);
  }

  /** Removes an exchange-to-exchange binding. */
  async unbindExchange(given: Lenient<ExchangeBinding>): Promise<void> {
    const binding = withoutUndefined<ExchangeBinding>(given);
    parseOptions(exchangeBindingSchema, binding, 'unbindExchange() options');
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
   * next session (at least once: the broker may have taken the first copy), within `publishTimeoutMs`. Used by
   * Publisher.
   *
   * @internal
   */
  publish(message: OutboundMessage): Promise<void> {
    const session = this.#supervisor.current;
    if (session !== null) {
      // A transport that cannot lose its session (memory://) needs no resend path: skip its per-message cost.
      if (!this.capabilities.restartable) return session.publish(message);
      return session
        .publish(message)
        .then(undefined, (error: unknown) => this.#republish(error, message, session, Date.now()));
    }
    return this.#publishLater(message, Date.now());
  }

  async #publishLater(message: OutboundMessage, startedAt: number): Promise<void> {
    const session = await this.#supervisor.awaitSession(startedAt);
    try {
      await session.publish(message);
    } catch (error) {
      await this.#republish(error, message, session, startedAt);
    }
  }

  #republish(error: unknown, message: OutboundMessage, failedOn: TransportSession, startedAt: number): Promise<void> {
    const supervisor = this.#supervisor;
    const lost = error instanceof ConnectionError && supervisor.isOpen && supervisor.reconnects;
    if (!lost || Date.now() - startedAt > supervisor.publishTimeoutMs) return Promise.reject(error);
    // The session may not have reported its loss yet: wait until it is replaced.
    supervisor.sessionLost(failedOn, toError(error));
    return this.#publishLater(message, startedAt);
  }

  /** Subscribes to a queue; the subscription is resumed on every new session until cancelled. Used by Consumer. @internal */
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

  /** Ends a subscription (close: unacknowledged messages go back to the queue). Used by Consumer. @internal */
  async unsubscribe(subscription: Subscription, how: 'cancel' | 'close'): Promise<void> {
    this.#subscriptions.delete(subscription);
    if (!this.#supervisor.hasSession) {
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

  /** basic.get through the current session. Used by Consumer. @internal */
  get(queue: string, noAck: boolean): Promise<Delivery | null> {
    this.require('fetch', 'fetch()');
    return this.#withSession((s) => s.get(queue, { noAck }));
  }

  /** Closes subscriptions and the session (draining outstanding publishes). Idempotent. */
  close(): Promise<void> {
    // A second close() waits for the first.
    this.#closed ??= this.#supervisor.shutdown();
    return this.#closed;
  }

  #withSession<T>(operation: (session: TransportSession) => Promise<T>): Promise<T> {
    return this.#supervisor.withSession(operation);
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

/** Fisher-Yates, in place. */
function shuffle<T>(items: T[]): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j] as T, items[i] as T];
  }
}
