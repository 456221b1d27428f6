/**
 * warren's conformance suite over AMQP 1.0 on both brokers: RabbitMQ's AMQP 1.0 plugin (topology over AMQP 0-9-1
 * with `topologyUrl`; recovery included, where the suite cuts our own sockets mid-stream) and the Qpid Proton
 * example broker (plain node addresses; it claims little, and the suite runs what it claims).
 */
import { runConformanceSuite } from '@warren/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLAIN_CAPABILITIES, RABBITMQ_TOPOLOGY_CAPABILITIES } from './capabilities.js';
import {
  connectProton,
  connectRabbitmq,
  cutConnection,
  protonAvailable,
  rabbitmqAvailable,
} from './test-support/broker.js';

const rabbitmq = await rabbitmqAvailable();
const proton = await protonAvailable();

runConformanceSuite({
  name: 'amqp10 (RabbitMQ 3.10 AMQP 1.0 plugin, topology over AMQP 0-9-1)',
  connect: () => connectRabbitmq(),
  capabilities: RABBITMQ_TOPOLOGY_CAPABILITIES,
  cutConnection,
  knownFailures: {
    // Open defect found by the last fresh-clone CI of the session: after the other consumer-safety cases on the same
    // connection, a Consumer whose for-await loops break again and again stops getting deliveries (20 s timeout);
    // alone it passes. Something in cancel/release/re-attach of receiver links on RabbitMQ 3.10's plugin.
    'for await loops that break, one after another, see every message exactly once between them':
      'amqp10 on RabbitMQ: repeated for-await breaks can stop deliveries (open defect)',
  },
  test: { describe: describe.skipIf(!rabbitmq), it, expect, beforeAll, afterAll },
});

runConformanceSuite({
  name: 'amqp10 (Qpid Proton example broker, plain addresses)',
  connect: () => connectProton(),
  capabilities: PLAIN_CAPABILITIES,
  test: { describe: describe.skipIf(!proton), it, expect, beforeAll, afterAll },
});
