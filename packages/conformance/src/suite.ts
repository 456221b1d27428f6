import { acknowledgementCases } from './cases/acknowledgement.js';
import { capabilityCases } from './cases/capabilities.js';
import { concurrencyCases } from './cases/concurrency.js';
import { consumerSafetyCases } from './cases/consumer-safety.js';
import { consumerTurnoverCases } from './cases/consumer-turnover.js';
import { declarativeTopologyCases } from './cases/declarative-topology.js';
import { errorCases } from './cases/errors.js';
import { fetchPurgeCases } from './cases/fetch-purge.js';
import { publishSubscribeCases } from './cases/publish-subscribe.js';
import { queueArgumentCases } from './cases/queue-arguments.js';
import { recoveryCases } from './cases/recovery.js';
import { requestReplyCases } from './cases/request-reply.js';
import { routingCases } from './cases/routing.js';
import { serializationCases } from './cases/serialization.js';
import { simpleQueueCases } from './cases/simple-queue.js';
import { SuiteContext } from './context.js';
import type { ConformanceOptions } from './options.js';

/** The themes of the suite, one `describe` block each, in the order they run. */
const THEMES = [
  ['capabilities', capabilityCases],
  ['publish and subscribe', publishSubscribeCases],
  ['routing', routingCases],
  ['declarative topology and checks', declarativeTopologyCases],
  ['acknowledgement', acknowledgementCases],
  ['fetch and purge', fetchPurgeCases],
  ['queue arguments', queueArgumentCases],
  ['serialization', serializationCases],
  ['errors', errorCases],
  ['concurrency', concurrencyCases],
  ['consumer safety', consumerSafetyCases],
  ['consumer turnover', consumerTurnoverCases],
  ['request/reply', requestReplyCases],
  ['SimpleQueue', simpleQueueCases],
  ['recovery', recoveryCases],
] as const;

/**
 * Registers warren's conformance suite with the caller's test runner: call it at the top level of a test file.
 * Each case runs where the transport's capabilities claim what it needs and is skipped otherwise.
 *
 * ```ts
 * import { describe, it, expect, beforeAll, afterAll } from 'vitest';
 * runConformanceSuite({ name: 'memory', connect: () => connect('memory://conformance'), test: { describe, it, expect, beforeAll, afterAll } });
 * ```
 */
export function runConformanceSuite(options: ConformanceOptions): void {
  if (!(options.timeScale === undefined || (Number.isFinite(options.timeScale) && options.timeScale > 0))) {
    throw new RangeError(`runConformanceSuite: timeScale must be a positive number, got ${options.timeScale}`);
  }
  const suite = new SuiteContext(options);
  options.test.describe(`warren conformance: ${options.name}`, () => {
    suite.registerHooks();
    for (const [theme, register] of THEMES) options.test.describe(theme, () => register(suite));
  });
}
