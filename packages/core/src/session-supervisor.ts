import { backoffDelay, sleep } from './backoff.js';
import {
  AccessRefusedError,
  ConfigurationError,
  ConnectionError,
  TimeoutError,
  toError,
  WarrenError,
} from './errors.js';
import { COMMON_QUERY_OPTIONS, parseOptions, type ReconnectOptions } from './options.js';
import type { Subscription } from './subscription.js';
import type { TopologyRecord } from './topology-record.js';
import type { SessionHooks, TransportFactory, TransportSession } from './transport.js';
import { queryParameters, redactUrl } from './url.js';

/** The connection options the supervisor acts on. */
export interface SupervisorOptions {
  heartbeat: number;
  connectTimeoutMs: number;
  publishTimeoutMs: number;
  reconnect: ReconnectOptions | false;
  transportOptions: Record<string, unknown>;
}

/** What the supervisor needs from its connection: what to restore on a new session, and where to report. */
export interface SupervisedState {
  readonly topology: TopologyRecord;
  readonly subscriptions: Set<Subscription>;
  emitDisconnect(error: Error): void;
  emitReconnect(): void;
  emitError(error: Error): void;
}

type State = 'open' | 'reconnecting' | 'closing' | 'closed' | 'failed';

/**
 * Owns a connection's transport session: opens it (failover list in order), notices its loss, replaces it with
 * backoff, declares the recorded topology again and resumes subscriptions before the new session is used. Anything
 * that needs a session waits here while a reconnect is under way (up to `publishTimeoutMs`).
 */
export class SessionSupervisor {
  readonly #factory: TransportFactory<unknown>;
  readonly #urls: URL[];
  readonly #options: SupervisorOptions;
  readonly #owner: SupervisedState;
  readonly #closing = new AbortController();
  #session: TransportSession | null = null;
  #state: State = 'open';
  #failure: Error | undefined;
  #ready:
    | { promise: Promise<TransportSession>; resolve(s: TransportSession): void; reject(e: Error): void }
    | undefined;
  #urlIndex = 0;
  readonly #lostSessions = new WeakSet<TransportSession>();

  constructor(factory: TransportFactory<unknown>, urls: URL[], options: SupervisorOptions, owner: SupervisedState) {
    this.#factory = factory;
    this.#urls = urls;
    this.#options = options;
    this.#owner = owner;
  }

  /** Opens the first session (throws what connecting threw). */
  async open(): Promise<void> {
    this.#session = await this.#connectOnce(true);
  }

  /** The session to use now, or null while reconnecting, closing, closed or failed. */
  get current(): TransportSession | null {
    return this.#state === 'open' ? this.#session : null;
  }

  /** False once closed or given up. */
  get isOpen(): boolean {
    return this.#state === 'open' || this.#state === 'reconnecting';
  }

  /** True while a session is up (false while reconnecting). */
  get isConnected(): boolean {
    return this.#session !== null && this.#state === 'open';
  }

  /** True while a session exists, open or not yet released (false while reconnecting and once closed). */
  get hasSession(): boolean {
    return this.#session !== null;
  }

  /** True when a lost session is replaced (reconnect is not off). */
  get reconnects(): boolean {
    return this.#options.reconnect !== false;
  }

  get publishTimeoutMs(): number {
    return this.#options.publishTimeoutMs;
  }

  /** The URL in use, password hidden. */
  get url(): string {
    return redactUrl(this.#urls[this.#urlIndex] as URL);
  }

  /** Local TCP ports of the current session's sockets. */
  localPorts(): number[] {
    return this.#session?.localPorts() ?? [];
  }

  /** Closes subscriptions and the session (draining outstanding publishes). */
  async shutdown(): Promise<void> {
    const wasFailed = this.#state === 'failed';
    this.#state = 'closing';
    this.#closing.abort();
    const closed = new ConnectionError('The connection was closed.');
    this.#ready?.reject(closed);
    this.#ready = undefined;
    const session = this.#session;
    this.#session = null;
    const subscriptions = [...this.#owner.subscriptions];
    this.#owner.subscriptions.clear();
    for (const subscription of subscriptions) subscription.markCancelled();
    try {
      if (session && !wasFailed) await session.close();
      // Consumers waiting on these subscriptions (wait(), for await) end now, without an error.
      for (const subscription of subscriptions) subscription.onCancelled(undefined);
    } finally {
      this.#state = 'closed';
    }
  }

  #hooksFor(session: () => TransportSession | undefined): SessionHooks {
    return {
      lost: (error) => {
        const lostSession = session();
        if (!lostSession) return;
        // A session lost while it is being restored is not current yet: remember it, so it is not installed.
        this.#lostSessions.add(lostSession);
        this.sessionLost(lostSession, error);
      },
      consumerCancelled: (consumerTag, error) => {
        for (const subscription of this.#owner.subscriptions) {
          if (subscription.consumerTag === consumerTag) {
            subscription.markCancelled();
            subscription.onCancelled(error);
          }
        }
      },
      warning: (error) => this.#owner.emitError(error),
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
          { ...transportQuery(url), ...this.#options.transportOptions },
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

  /** `session` was lost (or an operation on it failed with a ConnectionError): replace it, unless it already was. */
  sessionLost(session: TransportSession, error: Error): void {
    if (this.#session !== session || this.#state !== 'open') return;
    this.#session = null;
    // Whatever is left of the old session is released in the background; its errors no longer matter.
    session.close().catch(() => {});
    this.#owner.emitDisconnect(error);
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
      this.#owner.emitReconnect();
      return;
    }
  }

  /** Declares the recorded topology and resumes subscriptions on a new session. */
  async #restore(session: TransportSession): Promise<void> {
    const subscriptions = this.#owner.subscriptions;
    const topology = this.#owner.topology;
    await topology.replay(session, (error) => this.#owner.emitError(toError(error)));
    for (const subscription of [...subscriptions]) {
      subscription.retarget(topology.currentName(subscription.queue));
      // One still subscribing for the first time retries by itself (withSession); attaching it here too would
      // subscribe it twice.
      if (!subscription.active || subscription.consumerTag === undefined) continue;
      try {
        await subscription.attach(session);
      } catch (error) {
        if (error instanceof ConnectionError) throw error;
        subscriptions.delete(subscription);
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
    for (const subscription of this.#owner.subscriptions) {
      subscription.markCancelled();
      subscription.onCancelled(error);
    }
    this.#owner.subscriptions.clear();
    this.#owner.emitError(error);
  }

  /** The current session, or the next one once reconnected (TimeoutError after what is left of publishTimeoutMs). */
  awaitSession(startedAt: number): Promise<TransportSession> {
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
  async withSession<T>(operation: (session: TransportSession) => Promise<T>): Promise<T> {
    const startedAt = Date.now();
    const session = await this.awaitSession(startedAt);
    try {
      return await operation(session);
    } catch (error) {
      if (!(error instanceof ConnectionError) || !this.isOpen || this.#options.reconnect === false) throw error;
      if (this.#session === session) this.sessionLost(session, error);
      return operation(await this.awaitSession(startedAt));
    }
  }
}

/** A URL's query parameters that are the transport's (the common ones, such as heartbeat, are core's). */
function transportQuery(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(queryParameters(url))) if (!COMMON_QUERY_OPTIONS.has(key)) out[key] = value;
  return out;
}
