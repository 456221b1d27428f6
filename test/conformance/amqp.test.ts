import '@warren/amqp';
import { requireBroker, runConformanceSuite } from '@warren/conformance';
import { connect } from '@warren/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AMQP_URL, closeOwnAmqpConnection } from '../support/rabbitmq.js';

// The whole suite against the real RabbitMQ, restartable: the recovery case cuts connections mid-run.
if (await requireBroker('RabbitMQ', AMQP_URL)) {
  runConformanceSuite({
    name: 'amqp (RabbitMQ)',
    connect: () => connect(AMQP_URL, { reconnect: { retries: 20, minDelayMs: 50, maxDelayMs: 1000 } }),
    test: { describe, it, expect, beforeAll, afterAll },
    cutConnection: closeOwnAmqpConnection,
    timeScale: 3,
  });
} else {
  describe.skip('warren conformance: amqp (RabbitMQ not reachable)', () => {
    it('skipped', () => {});
  });
}
