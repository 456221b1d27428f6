/**
 * warren's conformance suite on RabbitMQ: every case the AMQP capabilities claim, including recovery, where the
 * suite cuts connections (ours only, by local port) in the middle of a 10,000-message run.
 */
import { runConformanceSuite } from '@warren/conformance';
import { connect } from '@warren/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AMQP_CAPABILITIES } from './capabilities.js';
import './index.js';
import { AMQP_URL, brokerAvailable, killSocket } from './test-support/broker.js';

const available = await brokerAvailable();

runConformanceSuite({
  name: 'amqp (RabbitMQ)',
  connect: () => connect(AMQP_URL),
  capabilities: AMQP_CAPABILITIES,
  cutConnection: async (connection) => {
    // A kernel reset is immediate: the cut lands mid-stream even on a fast broker.
    for (const port of connection.localPorts()) await killSocket(port);
  },
  test: { describe: describe.skipIf(!available), it, expect, beforeAll, afterAll },
});
