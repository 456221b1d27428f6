import { randomBytes } from 'node:crypto';
import type {
  Capabilities,
  DeleteExchangeOptions,
  DeleteQueueOptions,
  ExchangeBinding,
  ExchangeSpec,
  MessageProperties,
  QueueBinding,
  QueueInfo,
  QueueSpec,
} from '@warren/core';
import {
  ConnectionError,
  MessageNackedError,
  NoRouteError,
  NotFoundError,
  PreconditionFailedError,
  ResourceLockedError,
  UnsupportedFeatureError,
} from '@warren/core';
import type {
  ConsumeOptions,
  Delivery,
  OutboundMessage,
  SessionHooks,
  TransportConsumer,
  TransportSession,
} from '@warren/core/transport';
import {
  checkExchangeEquivalent,
  checkQueueEquivalent,
  type DeathReason,
  deadLetterRoute,
  messageExpiresAt,
  type NormalizedQueueArguments,
  normalizeQueueArguments,
  queueArgumentsKey,
} from '@warren/core/transport';
import type { RedisOptions as IORedisOptions, Redis } from 'ioredis';
import { openRedis } from './connect.js';
import { mapRedisError } from './errors.js';
import { consumerName, GROUP, RedisKeys } from './keys.js';
import { decodeEntry, encodeProperties, messageFields, payloadArgument } from './marshal.js';
import type { RedisOptions } from './options.js';
import { type ScriptedRedis, withScripts } from './scripted.js';
import { type RawEntry, RedisSubscription, type SubscriptionHost, type SubscriptionQueue } from './subscription.js';
import { bindingField, exchangeRecord, type QueueRecord, type QueueState, TopologySnapshot } from './topology.js';

/** Sessions of this process that are gone: their consumers are dead at once, without waiting for their keys to expire. */
const deadSessions = new Set<string>();
let deadSessionList = ',';

function markDead(sessionId: string): void {
  deadSessions.add(sessionId);
  // Bounded: an old dead session's liveness key has long expired, so forgetting it changes nothing.
  if (deadSessions.size > 1000) deadSessions.delete(deadSessions.values().next().value as string);
  deadSessionList = `,${[...deadSessions].join(',')},`;
}

const MAX_ROUTE_ATTEMPTS = 20;

/** Where a publish goes: a message, and the outbox entry it replaces when it is a dead-lettering. */
interface Outgoing {
  exchange: string;
  routingKey: string;
  content: Buffer;
  properties: MessageProperties;
  mandatory: boolean;
  guardKey: string;
  guardId: string;
}

/**
 * One connection to Redis, as core sees it: a command connection for everything but blocking reads (each
 * consumer has its own reader), a liveness key refreshed while it lives, and a cached snapshot of the topology
 * checked against Redis's version key on every publish (inside the publish script, at no extra round trip).
 */
export class RedisSession implements TransportSession, SubscriptionHost {
  readonly sessionId = randomBytes(6).toString('hex');
  readonly keys: RedisKeys;
  readonly alivePrefix: string;
  readonly claimIntervalMs: number;
  readonly readBatch: number;
  #state: 'open' | 'closing' | 'closed' | 'lost' = 'open';
  #snapshot: TopologySnapshot | undefined;
  #loading: Promise<TopologySnapshot> | undefined;
  readonly #subscriptions = new Set<RedisSubscription>();
  readonly #getters = new Map<string, RedisSubscription>();
  readonly #readers = new Set<Redis>();
  readonly #ownedExclusive = new Set<string>();
  readonly #draining = new Map<string, boolean>();
  readonly #expiryTimers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  readonly #livenessTimer: NodeJS.Timeout;
  #consumers = 0;
  readonly #inFlight = new Set<Promise<unknown>>();

  private constructor(
    readonly cmd: ScriptedRedis,
    readonly base: IORedisOptions,
    readonly options: RedisOptions,
    readonly capabilities: Capabilities,
    readonly hooks: SessionHooks,
  ) {
    this.keys = new RedisKeys(options.prefix);
    this.alivePrefix = this.keys.alivePrefix;
    this.claimIntervalMs = options.claimIntervalMs;
    this.readBatch = options.readBatch;
    cmd.on('close', () => this.fail(new Error('the command connection closed')));
    this.#livenessTimer = setInterval(this.#refreshLiveness, Math.max(100, Math.floor(options.livenessTtlMs / 3)));
    this.#livenessTimer.unref();
  }

  static async open(
    base: IORedisOptions,
    options: RedisOptions,
    capabilities: Capabilities,
    hooks: SessionHooks,
  ): Promise<RedisSession> {
    const cmd = withScripts(await openRedis(base, `${options.connectionName}:cmd`));
    const session = new RedisSession(cmd, base, options, capabilities, hooks);
    try {
      await cmd.set(session.keys.alive(session.sessionId), '1', 'PX', options.livenessTtlMs);
    } catch (error) {
      session.#stop();
      throw mapRedisError(error, 'starting a session');
    }
    return session;
  }

  get usable(): boolean {
    return this.#state === 'open' || this.#state === 'closing';
  }

  deadSessionList(): string {
    return deadSessionList;
  }

  readonly #refreshLiveness = (): void => {
    if (this.#state !== 'open') return;
    this.cmd
      .set(this.keys.alive(this.sessionId), '1', 'PX', this.options.livenessTtlMs)
      .catch((error) => this.fail(error));
  };

  /** The session is lost: report once, stop everything, and let core open a new one. */
  fail(error: unknown): void {
    if (this.#state !== 'open' && this.#state !== 'closing') return;
    const wasClosing = this.#state === 'closing';
    this.#state = 'lost';
    markDead(this.sessionId);
    this.#stop();
    if (!wasClosing) this.hooks.lost(mapRedisError(error, 'the session'));
  }

  #stop(): void {
    clearInterval(this.#livenessTimer);
    for (const { timer } of this.#expiryTimers.values()) clearTimeout(timer);
    this.#expiryTimers.clear();
    for (const subscription of this.#subscriptions) subscription.abandon();
    for (const reader of this.#readers) reader.disconnect();
    this.cmd.disconnect();
  }

  async openReader(suffix: string): Promise<Redis> {
    const reader = await openRedis(this.base, `${this.options.connectionName}:${suffix}`);
    if (!this.usable) {
      reader.disconnect();
      throw new ConnectionError('The Redis session was closed while a consumer was starting.');
    }
    this.#readers.add(reader);
    reader.on('end', () => this.#readers.delete(reader));
    return reader;
  }

  #open(): void {
    if (this.#state !== 'open') {
      throw new ConnectionError('The Redis connection is closed or lost; warren reconnects by itself where it can.');
    }
  }

  async #call<T>(what: string, run: () => Promise<T>): Promise<T> {
    this.#open();
    try {
      return await run();
    } catch (error) {
      throw this.#translate(error, what);
    }
  }

  #translate(error: unknown, what: string): Error {
    const message = error instanceof Error ? error.message : String(error);
    const code = /WARREN_(\w+)/.exec(message)?.[1];
    switch (code) {
      case 'WRONGTYPE':
        return new PreconditionFailedError(
          `${what}: Redis key "${/WARREN_WRONGTYPE (\w+)/.exec(message)?.[1] ? this.#keyOf(what) : ''}" holds a ${/WARREN_WRONGTYPE (\w+)/.exec(message)?.[1]}, not a stream. Remove the key, or use another queue name or prefix.`,
        );
      case 'ABSENT':
        return new NotFoundError(`${what}: it does not exist. Declare it first.`);
      case 'INUSE':
        return new PreconditionFailedError(`${what}: it is in use (ifUnused); not deleted.`);
      case 'NOTEMPTY':
        return new PreconditionFailedError(`${what}: it is not empty (ifEmpty); not deleted.`);
      case 'NOSOURCE':
        return new NotFoundError(`${what}: the source exchange does not exist. Declare it before binding to it.`);
      case 'NODEST':
        return new NotFoundError(`${what}: the destination does not exist. Declare it before binding it.`);
    }
    const mapped = mapRedisError(error, what);
    if (mapped instanceof ConnectionError) this.fail(error);
    return mapped;
  }

  /** The stream key named in a queue operation's description, for error messages. */
  #keyOf(what: string): string {
    const name = /queue "([^"]*)"/.exec(what)?.[1] ?? '';
    return this.keys.stream(name);
  }

  // ---- topology ---------------------------------------------------------------------------------------

  /** The current snapshot, loading it when none is cached (one load at a time). */
  #currentSnapshot(): Promise<TopologySnapshot> {
    if (this.#snapshot) return Promise.resolve(this.#snapshot);
    this.#loading ??= this.#loadSnapshot().finally(() => {
      this.#loading = undefined;
    });
    return this.#loading;
  }

  async #loadSnapshot(): Promise<TopologySnapshot> {
    const results = await this.cmd
      .multi()
      .get(this.keys.version)
      .hgetall(this.keys.exchanges)
      .hgetall(this.keys.queues)
      .hkeys(this.keys.bindings)
      .exec();
    if (!results) throw new ConnectionError('Reading the topology from Redis was aborted.');
    for (const [error] of results) if (error) throw error;
    const [version, exchanges, queues, bindings] = results.map((r) => r[1]) as [
      string | null,
      Record<string, string>,
      Record<string, string>,
      string[],
    ];
    const snapshot = TopologySnapshot.build(
      version ?? '0',
      exchanges,
      queues,
      bindings,
      this.keys,
      (key) => JSON.parse(key) as NormalizedQueueArguments,
    );
    this.#snapshot = snapshot;
    return snapshot;
  }

  /** After our own topology change: the next publish reads the topology anew. */
  #changed(): void {
    this.#snapshot = undefined;
  }

  async declareExchange(spec: Required<Pick<ExchangeSpec, 'name' | 'type'>> & ExchangeSpec): Promise<void> {
    if (spec.name === '') return;
    if (!this.capabilities.exchangeTypes.includes(spec.type)) {
      throw new UnsupportedFeatureError(`redis:// has no ${spec.type} exchanges.`);
    }
    const definition = {
      name: spec.name,
      type: spec.type,
      durable: spec.durable ?? true,
      autoDelete: spec.autoDelete ?? false,
      internal: spec.internal ?? false,
      arguments: spec.arguments ?? {},
    };
    const what = `declaring exchange "${spec.name}"`;
    const existing = await this.#call(what, () =>
      this.cmd.warrenDeclareExchange(
        2,
        this.keys.exchanges,
        this.keys.version,
        spec.name,
        exchangeRecord(definition),
        '',
      ),
    );
    if (typeof existing === 'string') {
      const parsed = JSON.parse(existing) as { type: typeof spec.type; durable: boolean };
      checkExchangeEquivalent({ name: spec.name, type: parsed.type, durable: parsed.durable }, definition);
    } else this.#changed();
  }

  /** Resolves if the exchange exists; NotFoundError otherwise. Never creates it. */
  async checkExchange(name: string): Promise<void> {
    if (name === '') return;
    await this.#call(`checking exchange "${name}"`, () =>
      this.cmd.warrenDeclareExchange(2, this.keys.exchanges, this.keys.version, name, '', '1'),
    );
  }

  async deleteExchange(name: string, options: DeleteExchangeOptions): Promise<void> {
    await this.#call(`deleting exchange "${name}"`, () =>
      this.cmd.warrenDeleteExchange(
        3,
        this.keys.exchanges,
        this.keys.bindings,
        this.keys.version,
        name,
        options.ifUnused ? '1' : '',
      ),
    );
    this.#changed();
  }

  async declareQueue(spec: QueueSpec): Promise<QueueInfo> {
    return this.#declareQueue(spec, false);
  }

  /** The queue's counts if it exists; NotFoundError otherwise. Never creates it. */
  async checkQueue(name: string): Promise<QueueInfo> {
    return this.#declareQueue({ name }, true);
  }

  async #declareQueue(spec: QueueSpec, passive: boolean): Promise<QueueInfo> {
    const name = spec.name || `amq.gen-${randomBytes(8).toString('hex')}`;
    const args = normalizeQueueArguments(spec.arguments);
    if (args.maxPriority !== undefined) {
      throw new UnsupportedFeatureError(
        `Queue "${name}": redis:// has no priority queues (maxPriority); a stream delivers in order. Leave maxPriority out, or use a broker with priorities (amqp://).`,
      );
    }
    if (args.maxLengthBytes !== undefined) {
      throw new UnsupportedFeatureError(
        `Queue "${name}": redis:// limits queues by message count only; use maxLength instead of maxLengthBytes.`,
      );
    }
    const argumentsKey = queueArgumentsKey(args);
    const record: QueueRecord = {
      d: spec.durable ?? false,
      a: argumentsKey,
      o: spec.exclusive ? this.sessionId : null,
      ad: spec.autoDelete ?? false,
    };
    const what = `declaring queue "${name}"`;
    const existing = await this.#call(what, () =>
      this.cmd.warrenDeclareQueue(
        3,
        this.keys.queues,
        this.keys.stream(name),
        this.keys.version,
        name,
        JSON.stringify(record),
        GROUP,
        this.sessionId,
        deadSessionList,
        this.alivePrefix,
        passive ? '1' : '',
      ),
    );
    if (typeof existing === 'string') {
      const current = JSON.parse(existing) as QueueRecord;
      if (!passive)
        checkQueueEquivalent(
          name,
          { durable: current.d, argumentsKey: current.a },
          { durable: record.d, argumentsKey },
        );
      this.#checkOwner(name, current);
      if (current.o === this.sessionId) this.#ownedExclusive.add(name);
      // Messages that expired while nobody looked are counted out (and dead-lettered) before counting.
      const currentArgs = JSON.parse(current.a) as NormalizedQueueArguments;
      await this.#sweepQueue(name, currentArgs.deadLetterExchange !== undefined);
    } else {
      this.#changed();
      if (record.o) this.#ownedExclusive.add(name);
    }
    return this.#queueInfo(name);
  }

  #checkOwner(name: string, record: QueueRecord): void {
    if (typeof record.o === 'string' && record.o !== this.sessionId) {
      throw new ResourceLockedError(
        `Queue "${name}" is exclusive to another connection. Use another queue name, or consume from the connection that declared it.`,
      );
    }
  }

  async #queueInfo(name: string): Promise<QueueInfo> {
    const [ready, consumers] = (await this.#call(`counting queue "${name}"`, () =>
      this.cmd.warrenQueueInfo(1, this.keys.stream(name), GROUP),
    )) as [number, number];
    return { queue: name, messageCount: Math.max(0, ready), consumerCount: consumers };
  }

  async deleteQueue(name: string, options: DeleteQueueOptions): Promise<number> {
    await this.#requireOwnerIfExclusive(name);
    const count = (await this.#call(`deleting queue "${name}"`, () =>
      this.cmd.warrenDeleteQueue(
        5,
        this.keys.queues,
        this.keys.stream(name),
        this.keys.outbox(name),
        this.keys.version,
        this.keys.bindings,
        name,
        GROUP,
        options.ifUnused ? '1' : '',
        options.ifEmpty ? '1' : '',
      ),
    )) as number;
    this.#ownedExclusive.delete(name);
    this.#changed();
    return Math.max(0, count);
  }

  /** The queue's record; NotFoundError when there is none. */
  async #queueRecord(name: string): Promise<QueueRecord> {
    const json = await this.#call(`reading queue "${name}"`, () => this.cmd.hget(this.keys.queues, name));
    if (json === null) {
      throw new NotFoundError(
        `Queue "${name}" does not exist. Declare it first (a Consumer declares its queue unless declare: false).`,
      );
    }
    return JSON.parse(json) as QueueRecord;
  }

  async #requireOwnerIfExclusive(name: string): Promise<void> {
    const json = await this.#call(`reading queue "${name}"`, () => this.cmd.hget(this.keys.queues, name));
    if (json !== null) this.#checkOwner(name, JSON.parse(json) as QueueRecord);
  }

  async purgeQueue(name: string): Promise<number> {
    this.#checkOwner(name, await this.#queueRecord(name));
    return (await this.#call(`purging queue "${name}"`, () =>
      this.cmd.warrenPurge(1, this.keys.stream(name), GROUP),
    )) as number;
  }

  async bindQueue(binding: QueueBinding): Promise<void> {
    await this.#requireOwnerIfExclusive(binding.queue);
    await this.#bind(binding.exchange, 'queue', binding.queue, binding.routingKey, binding.arguments, true);
  }

  async unbindQueue(binding: QueueBinding): Promise<void> {
    await this.#bind(binding.exchange, 'queue', binding.queue, binding.routingKey, binding.arguments, false);
  }

  async bindExchange(binding: ExchangeBinding): Promise<void> {
    await this.#bind(binding.source, 'exchange', binding.destination, binding.routingKey, binding.arguments, true);
  }

  async unbindExchange(binding: ExchangeBinding): Promise<void> {
    await this.#bind(binding.source, 'exchange', binding.destination, binding.routingKey, binding.arguments, false);
  }

  async #bind(
    source: string,
    kind: 'queue' | 'exchange',
    destination: string,
    routingKey: string | undefined,
    args: Record<string, unknown> | undefined,
    bind: boolean,
  ): Promise<void> {
    if (source === '') {
      if (!bind) return;
      throw new PreconditionFailedError('The default exchange cannot be bound to: it routes by queue name already.');
    }
    const what = `${bind ? 'binding' : 'unbinding'} ${kind} "${destination}" ${bind ? 'to' : 'from'} exchange "${source}"`;
    await this.#call(what, () =>
      this.cmd.warrenBind(
        4,
        this.keys.exchanges,
        kind === 'queue' ? this.keys.queues : this.keys.exchanges,
        this.keys.bindings,
        this.keys.version,
        source,
        destination,
        bindingField(source, kind, destination, routingKey ?? '', args),
        bind ? '1' : '0',
      ),
    );
    this.#changed();
  }

  // ---- publishing ---------------------------------------------------------------------------------------

  publish(message: OutboundMessage): Promise<void> {
    if (this.#state !== 'open') {
      return Promise.reject(
        new ConnectionError('The Redis connection is closed or lost; the message was not sent. Send it again.'),
      );
    }
    const outgoing: Outgoing = {
      exchange: message.exchange,
      routingKey: message.routingKey,
      content: message.content,
      properties: message.properties,
      mandatory: message.mandatory,
      guardKey: this.keys.version,
      guardId: '',
    };
    const tracked = this.#send(outgoing, 0);
    this.#inFlight.add(tracked);
    return tracked.finally(() => this.#inFlight.delete(tracked));
  }

  /**
   * Routes with the cached snapshot and writes every copy in one script call, which first checks that the
   * topology version is still the one routed with; when it is not, the snapshot is read again and the message
   * routed again. So a binding made by another process is seen by the next publish here.
   */
  #send(outgoing: Outgoing, attempt: number): Promise<void> {
    const snapshot = this.#snapshot;
    if (!snapshot) return this.#currentSnapshot().then(() => this.#send(outgoing, attempt), this.#publishFailed);
    let targets: string[];
    let missing: Error | undefined;
    try {
      targets = snapshot.route(outgoing.exchange, outgoing.routingKey, outgoing.properties.headers);
    } catch (error) {
      // No such exchange in this snapshot: confirm with the version check before saying so.
      targets = [];
      missing = error as Error;
    }
    if (targets.length === 1 && outgoing.guardId === '' && outgoing.properties.expiration === undefined) {
      const queue = snapshot.queues.get(targets[0] as string) as QueueState;
      if (queue.mode === '' && !queue.hasTtl) {
        return this.cmd
          .warrenPublishOne(
            2,
            this.keys.version,
            queue.streamKey,
            snapshot.version,
            encodeProperties(outgoing.properties),
            outgoing.exchange,
            outgoing.routingKey,
            payloadArgument(outgoing.content),
          )
          .then(
            (result) => (result === -1 ? this.#routeAgain(outgoing, snapshot, attempt) : undefined),
            this.#publishFailed,
          );
      }
    }
    const fields = messageFields(outgoing.content, outgoing.properties, outgoing.exchange, outgoing.routingKey);
    const keys: string[] = [this.keys.version, outgoing.guardKey];
    const args: Array<string | Buffer | number> = [snapshot.version, outgoing.guardId, fields.length, ...fields];
    let now = 0;
    let deadLetters = false;
    for (const name of targets) {
      const queue = snapshot.queues.get(name) as QueueState;
      keys.push(queue.streamKey, queue.outboxKey);
      let expires = '';
      if (queue.hasTtl || outgoing.properties.expiration !== undefined) {
        now ||= Date.now();
        const at = messageExpiresAt(queue.args, outgoing.properties, now);
        if (at !== Number.POSITIVE_INFINITY) {
          expires = String(at);
          this.#scheduleSweep(queue.name, at);
        }
      }
      if (queue.hasDeadLetterExchange) deadLetters = true;
      args.push(queue.mode, queue.overflow?.maxLength ?? 0, queue.hasDeadLetterExchange ? '1' : '', expires);
    }
    return this.cmd.warrenPublish(keys.length, ...keys, ...args).then((result) => {
      const code = Number(result);
      if (code === -1) return this.#routeAgain(outgoing, snapshot, attempt);
      if (code & 2 && deadLetters) for (const name of targets) this.deadLettered(name);
      if (missing && outgoing.guardId === '') throw missing;
      if (code & 1) {
        throw new MessageNackedError(
          `A queue bound to exchange "${outgoing.exchange}" is full (overflow reject-publish) and refused the message. Send it again later, or make room in the queue.`,
        );
      }
      if (targets.length === 0 && outgoing.mandatory) {
        throw new NoRouteError(
          `No queue is bound to exchange "${outgoing.exchange}" for routing key "${outgoing.routingKey}"; the mandatory message was returned. Declare and bind a queue first.`,
        );
      }
      return undefined;
    }, this.#publishFailed);
  }

  /** The topology changed since `snapshot` was read: read it again and route the message again. */
  #routeAgain(outgoing: Outgoing, snapshot: TopologySnapshot, attempt: number): Promise<void> {
    if (attempt >= MAX_ROUTE_ATTEMPTS) {
      throw new ConnectionError(
        'The topology kept changing while publishing; the message was not sent. Send it again.',
      );
    }
    if (this.#snapshot === snapshot) this.#snapshot = undefined;
    return this.#send(outgoing, attempt + 1);
  }

  readonly #publishFailed = (error: unknown): never => {
    throw this.#translate(error, 'publishing');
  };

  // ---- dead-lettering and expiry ------------------------------------------------------------------------

  /**
   * Forwards what died in `queue` (the outbox) through its dead-letter exchange, one script call per message
   * that deletes the outbox entry and writes the copies in one step: a message is never lost nor doubled
   * between the two. Core's rules say where it goes and with which x-death headers. One drain per queue at once.
   */
  deadLettered(queue: string): void {
    if (!this.usable) return;
    if (this.#draining.has(queue)) {
      this.#draining.set(queue, true);
      return;
    }
    this.#draining.set(queue, false);
    this.#drain(queue)
      .catch((error) => {
        if (this.usable) this.hooks.warning(mapRedisError(error, `dead-lettering from queue "${queue}"`));
      })
      .finally(() => {
        const again = this.#draining.get(queue);
        this.#draining.delete(queue);
        if (again) this.deadLettered(queue);
      });
  }

  async #drain(queue: string): Promise<void> {
    const outboxKey = this.keys.outbox(queue);
    for (;;) {
      const entries = (await this.cmd.xrangeBuffer(outboxKey, '-', '+', 'COUNT', 100)) as RawEntry[];
      if (entries.length === 0) return;
      const snapshot = await this.#currentSnapshot();
      const state = snapshot.queues.get(queue);
      const args = state?.args ?? { other: {} };
      const sends: Promise<void>[] = [];
      for (const [rawId, fields] of entries) {
        const id = rawId.toString();
        const entry = decodeEntry(id, fields);
        const reason = (entry.reason ?? 'rejected') as DeathReason;
        const route = deadLetterRoute(queue, args, entry, reason);
        const outgoing: Outgoing = route
          ? {
              exchange: route.exchange,
              routingKey: route.routingKey,
              content: entry.content,
              properties: route.properties,
              mandatory: false,
              guardKey: outboxKey,
              guardId: id,
            }
          : // Dropped by the rules: the script only deletes the outbox entry.
            {
              exchange: '',
              routingKey: '',
              content: entry.content,
              properties: entry.properties,
              mandatory: false,
              guardKey: outboxKey,
              guardId: id,
            };
        sends.push(
          this.#send(outgoing, 0).catch((error) => {
            // A dead-letter exchange that does not exist drops the message, as in RabbitMQ.
            if (error instanceof NotFoundError) return;
            throw error;
          }),
        );
      }
      await Promise.all(sends);
    }
  }

  /** Arms one timer per queue for the soonest expiry this session knows of. */
  #scheduleSweep(queue: string, at: number): void {
    const armed = this.#expiryTimers.get(queue);
    if (armed && armed.at <= at) return;
    if (armed) clearTimeout(armed.timer);
    const timer = setTimeout(
      () => {
        this.#expiryTimers.delete(queue);
        this.sweep(queue).catch(() => {});
      },
      Math.max(0, at - Date.now()) + 5,
    );
    timer.unref();
    this.#expiryTimers.set(queue, { at, timer });
  }

  /** Expires ready messages of `queue` whose time has come (dead-lettering them), and re-arms for the next. */
  async sweep(queue: string): Promise<void> {
    if (!this.usable) return;
    const snapshot = await this.#currentSnapshot();
    await this.#sweepQueue(queue, snapshot.queues.get(queue)?.hasDeadLetterExchange ?? false);
  }

  async #sweepQueue(queue: string, hasDeadLetterExchange: boolean): Promise<void> {
    const [moved, , soonest] = (await this.cmd.warrenExpire(
      2,
      this.keys.stream(queue),
      this.keys.outbox(queue),
      GROUP,
      Date.now(),
      hasDeadLetterExchange ? '1' : '',
      1000,
    )) as [number, number, number];
    if (moved > 0) this.deadLettered(queue);
    if (soonest > 0) this.#scheduleSweep(queue, soonest);
  }

  // ---- consuming ----------------------------------------------------------------------------------------

  #subscriptionQueue(name: string, record: QueueRecord): SubscriptionQueue {
    const args = JSON.parse(record.a) as NormalizedQueueArguments;
    return {
      name,
      streamKey: this.keys.stream(name),
      outboxKey: this.keys.outbox(name),
      hasDeadLetterExchange: args.deadLetterExchange !== undefined,
      hasTtl: args.messageTtl !== undefined,
    };
  }

  async consume(
    queueName: string,
    options: ConsumeOptions,
    onDelivery: (delivery: Delivery) => void,
  ): Promise<TransportConsumer> {
    const record = await this.#queueRecord(queueName);
    this.#checkOwner(queueName, record);
    if (options.exclusive) {
      const info = await this.#queueInfo(queueName);
      if (info.consumerCount > 0) {
        throw new ResourceLockedError(`Queue "${queueName}" already has consumers; it cannot be consumed exclusively.`);
      }
    }
    this.#consumers += 1;
    const tag = options.consumerTag ?? `redis.ctag-${this.sessionId}-${this.#consumers}`;
    const subscription = new RedisSubscription(
      this,
      this.#subscriptionQueue(queueName, record),
      tag,
      consumerName(this.sessionId, this.#consumers),
      options.prefetch,
      options.noAck,
      onDelivery,
    );
    this.#subscriptions.add(subscription);
    try {
      await subscription.start();
    } catch (error) {
      this.#subscriptions.delete(subscription);
      subscription.abandon();
      throw this.#translate(error, `consuming from queue "${queueName}"`);
    }
    this.deadLettered(queueName);
    return subscription;
  }

  async get(queueName: string, options: { noAck: boolean }): Promise<Delivery | null> {
    const record = await this.#queueRecord(queueName);
    this.#checkOwner(queueName, record);
    let getter = this.#getters.get(queueName);
    if (!getter) {
      getter = new RedisSubscription(
        this,
        this.#subscriptionQueue(queueName, record),
        '',
        consumerName(this.sessionId, 'get'),
        0,
        false,
        undefined,
      );
      this.#getters.set(queueName, getter);
      this.#subscriptions.add(getter);
    }
    const stream = this.keys.stream(queueName);
    for (let attempt = 0; attempt < 100; attempt++) {
      const taken = (await this.#call(`fetching from queue "${queueName}"`, async () => {
        const claimed = (await this.cmd.warrenClaimBuffer(
          1,
          stream,
          GROUP,
          getter.name,
          this.alivePrefix,
          1,
          deadSessionList,
        )) as RawEntry[];
        if (claimed.length > 0) return { entries: claimed, claimed: true };
        const reply = (await this.cmd.xreadgroupBuffer(
          'GROUP',
          GROUP,
          getter.name,
          'COUNT',
          1,
          'STREAMS',
          stream,
          '>',
        )) as Array<[Buffer, RawEntry[]]> | null;
        return { entries: reply?.[0]?.[1] ?? [], claimed: false };
      })) as { entries: RawEntry[]; claimed: boolean };
      if (taken.entries.length === 0) return null;
      const delivery = getter.deliverAll(taken.entries, taken.claimed);
      // An expired message was dead-lettered instead: take the next.
      if (!delivery) continue;
      if (options.noAck) await getter.ack(delivery);
      return delivery;
    }
    return null;
  }

  consumerCancelled(tag: string, error: Error): void {
    this.hooks.consumerCancelled(tag, error);
  }

  forget(subscription: RedisSubscription): void {
    this.#subscriptions.delete(subscription);
    if (this.#getters.get(subscription.queue.name) === subscription) this.#getters.delete(subscription.queue.name);
  }

  /** An auto-delete queue whose last consumer left is deleted. */
  consumerGone(queue: string): void {
    if (!this.usable) return;
    this.#autoDelete(queue).catch(() => {});
  }

  async #autoDelete(queue: string): Promise<void> {
    const json = await this.cmd.hget(this.keys.queues, queue);
    if (json === null || !(JSON.parse(json) as QueueRecord).ad) return;
    await this.cmd.warrenDeleteQueue(
      5,
      this.keys.queues,
      this.keys.stream(queue),
      this.keys.outbox(queue),
      this.keys.version,
      this.keys.bindings,
      queue,
      GROUP,
      '1',
      '',
    );
    this.#changed();
  }

  // ---- closing ------------------------------------------------------------------------------------------

  async close(): Promise<void> {
    if (this.#state === 'closed') return;
    if (this.#state === 'lost') {
      this.#state = 'closed';
      return;
    }
    if (this.#state === 'closing') return;
    this.#state = 'closing';
    try {
      await Promise.allSettled([...this.#inFlight]);
      for (const subscription of [...this.#subscriptions]) await subscription.close();
      for (const name of this.#ownedExclusive) {
        await this.cmd
          .warrenDeleteQueue(
            5,
            this.keys.queues,
            this.keys.stream(name),
            this.keys.outbox(name),
            this.keys.version,
            this.keys.bindings,
            name,
            GROUP,
            '',
            '',
          )
          .catch(() => {});
      }
      await this.cmd.del(this.keys.alive(this.sessionId)).catch(() => {});
    } finally {
      if (this.#state === 'closing') {
        this.#state = 'closed';
        markDead(this.sessionId);
        this.#stop();
      }
    }
  }

  localPorts(): number[] {
    const ports: number[] = [];
    const own = this.cmd.stream?.localPort;
    if (own) ports.push(own);
    for (const reader of this.#readers) {
      const port = reader.stream?.localPort;
      if (port) ports.push(port);
    }
    return ports;
  }
}
