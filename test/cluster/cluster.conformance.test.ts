/**
 * The conformance suite once against the 3-node cluster, through a failover list, with every durable queue the
 * suite declares made a quorum queue (the amqp transport's defaultQueueType). Recovery cases cut our own socket.
 */
import '@warren/amqp';
import { runConformanceSuite } from '@warren/conformance';
import { connect } from '@warren/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireClusterLock, CLUSTER_NODES, requireCluster, resetOwnSocket } from '../support/cluster.js';

const ready = await requireCluster();
// Another checkout's fault tests would kill nodes under this run: hold the cluster's lock throughout.
let release: (() => Promise<void>) | undefined;
beforeAll(async () => {
  if (ready) release = await acquireClusterLock();
}, 16 * 60_000);
afterAll(async () => {
  await release?.();
});

runConformanceSuite({
  name: 'amqp (3-node RabbitMQ cluster, quorum queues)',
  connect: () =>
    connect(
      CLUSTER_NODES.map((node) => node.url),
      { defaultQueueType: 'quorum' },
    ),
  cutConnection: async (connection) => {
    for (const port of connection.localPorts()) await resetOwnSocket(port);
  },
  test: { describe: describe.skipIf(!ready), it, expect, beforeAll, afterAll },
});
