/**
 * warren's conformance suite on Redis: every case the Redis capabilities claim, including recovery, where the
 * suite cuts connections (ours only, by local port: CLIENT KILL) in the middle of a 10,000-message run.
 */
import { runConformanceSuite } from '@warren/conformance';
import { connect } from '@warren/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS_CAPABILITIES } from './capabilities.js';
import './index.js';
import { brokerAvailable, deletePrefix, killConnections, uniquePrefix, urlWith } from './test-support/broker.js';

const available = await brokerAvailable();
const prefix = uniquePrefix('conformance');
// Dead consumers' messages are taken over within a second or two in this run.
const url = urlWith({ prefix, livenessTtlMs: 1500, claimIntervalMs: 250 });

afterAll(() => (available ? deletePrefix(prefix) : undefined));

runConformanceSuite({
  name: 'redis',
  connect: () => connect(url),
  capabilities: REDIS_CAPABILITIES,
  cutConnection: async (connection) => {
    await killConnections(connection.localPorts());
  },
  test: { describe: describe.skipIf(!available), it, expect, beforeAll, afterAll },
});
