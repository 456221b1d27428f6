import type { Capabilities, CapabilityFlag, Connection, ExchangeType } from '@warren/core';
import type { ConformanceOptions, ConformanceTestApi, ConformanceTestContext } from './options.js';
import { TestScope } from './scope.js';

/** What a case needs from the transport; it is skipped when the capabilities disclaim any of it. */
export interface Requirements {
  /** Boolean capabilities the case needs, every one of them. */
  capabilities?: readonly CapabilityFlag[];
  /** Exchange types the case declares. */
  exchangeTypes?: readonly ExchangeType[];
}

/** How one conformance case is registered: what it needs, and its timeout. */
export interface CaseOptions extends Requirements {
  /** Base timeout of the whole test in ms, before `timeScale`. Default 10 s. */
  timeoutMs?: number;
}

export type CaseBody = (t: TestScope) => Promise<void>;

const DEFAULT_TIMEOUT_MS = 10_000;

/** The capabilities of `requirements` that `caps` disclaims, as readable names. */
export function missingCapabilities(caps: Capabilities, requirements: Requirements): string[] {
  const missing: string[] = (requirements.capabilities ?? []).filter((flag) => !caps[flag]);
  for (const type of requirements.exchangeTypes ?? []) {
    if (!caps.exchangeTypes.includes(type)) missing.push(`exchangeTypes: ${type}`);
  }
  return missing;
}

/**
 * The suite's state and its way of registering a case: it opens the shared connection before the first case,
 * closes it after the last, gives each case a fresh {@link TestScope} and cleans that up, and skips a case whose
 * requirements the transport disclaims (at collection when capabilities were passed in, at run time otherwise).
 */
export class SuiteContext {
  readonly api: ConformanceTestApi;
  readonly timeScale: number;
  #connection: Connection | undefined;
  #capabilities: Capabilities | undefined;

  constructor(readonly options: ConformanceOptions) {
    this.api = options.test;
    this.timeScale = options.timeScale ?? 1;
    this.#capabilities = options.capabilities;
  }

  /** Registers the hooks that open and close the shared connection; call inside the suite's `describe`. */
  registerHooks(): void {
    this.api.beforeAll(async () => {
      this.#connection = await this.options.connect();
      this.#capabilities ??= this.#connection.capabilities;
    }, this.ms(DEFAULT_TIMEOUT_MS));
    this.api.afterAll(async () => {
      await this.#connection?.close();
    }, this.ms(DEFAULT_TIMEOUT_MS));
  }

  ms(base: number): number {
    return Math.round(base * this.timeScale);
  }

  /** The shared connection; only valid while a case runs. */
  get connection(): Connection {
    if (!this.#connection) throw new Error('The conformance suite has no connection: did the beforeAll hook fail?');
    return this.#connection;
  }

  get capabilities(): Capabilities {
    return this.#capabilities ?? this.connection.capabilities;
  }

  /** Registers one case. */
  test(name: string, options: CaseOptions, body: CaseBody): void {
    const timeout = this.ms(options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const known = this.options.capabilities;
    if (known && missingCapabilities(known, options).length > 0) {
      this.api.it.skip(name, async () => {}, timeout);
      return;
    }
    const knownFailure = this.options.knownFailures?.[name];
    if (knownFailure !== undefined) {
      this.api.it.skip(`${name} [known failure: ${knownFailure}]`, async () => {}, timeout);
      return;
    }
    this.api.it(name, (context) => this.#run(context, options, body), timeout);
  }

  async #run(context: ConformanceTestContext, requirements: Requirements, body: CaseBody): Promise<void> {
    const missing = missingCapabilities(this.capabilities, requirements);
    if (missing.length > 0) {
      context.skip(`the transport disclaims ${missing.join(', ')}`);
      return;
    }
    const scope = new TestScope(
      this.connection,
      this.capabilities,
      this.api.expect,
      this.timeScale,
      this.options.connect,
    );
    let failure: unknown;
    try {
      await body(scope);
    } catch (error) {
      failure = error;
    }
    const cleanupErrors = await scope.dispose();
    if (failure !== undefined) throw failure;
    // A close that throws is a bug of its own, but only worth reporting when the case itself passed.
    if (cleanupErrors.length > 0) {
      throw new AggregateError(
        cleanupErrors,
        `Closing the test's clients failed: ${cleanupErrors.map(String).join('; ')}`,
      );
    }
  }
}
