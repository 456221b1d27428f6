/**
 * `@warren/conformance`: the cross-backend conformance suite. A transport's test file calls
 * {@link runConformanceSuite} with a way to connect (and its capabilities), and every case the capabilities claim
 * runs in the caller's own vitest; the helpers (inboxes, waits, broker checks) are exported for a transport's own
 * tests too.
 *
 * @module @warren/conformance
 */
export { brokerEndpoint, brokerReachable, requireBroker } from './broker-availability.js';
export { type CaseOptions, missingCapabilities, type Requirements } from './context.js';
export { collect, Inbox, type InboxOptions, type ReportedError, type Settle } from './helpers/inbox.js';
export { uniqueName } from './helpers/names.js';
export { range, sendMany } from './helpers/publish.js';
export { MARKER_HEADER, type ReadQueueOptions, readQueue } from './helpers/read-queue.js';
export { Condition, WaitTimeoutError, waitFor, withTimeout } from './helpers/wait.js';
export type {
  ConformanceIt,
  ConformanceOptions,
  ConformanceTestApi,
  ConformanceTestBody,
  ConformanceTestContext,
} from './options.js';
export { TestScope } from './scope.js';
export { runConformanceSuite } from './suite.js';
