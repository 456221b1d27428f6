/**
 * A 3-node RabbitMQ cluster (scripts/cluster.mjs) with a quorum queue: nodes are SIGKILLed or stopped while a
 * publisher sends and a consumer acks, and every message is counted. With the default options no send may fail
 * and nothing confirmed may be lost; duplicates (at-least-once) are counted and reported, not forbidden.
 */
import '@warren/amqp';
import { uniqueName } from '@warren/conformance';
import { type Connection, Consumer, connect, Publisher } from '@warren/core';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CLUSTER_NODES,
  type ClusterNode,
  killNode,
  queueLeader,
  rabbitmqctl,
  requireCluster,
  restartNode,
  withClusterLock,
} from '../support/cluster.js';
import { until } from '../support/wait.js';

const ready = await requireCluster();
const MESSAGES = Number(process.env.WARREN_CLUSTER_MESSAGES ?? 6000);
const IN_FLIGHT = 200;

interface Figures {
  case: string;
  confirmed: number;
  failed: number;
  lost: number;
  duplicates: number;
  redelivered: number;
  msFromFaultToFirstConfirm: number;
  /** 0 when the client did not have to reconnect. */
  msFromFaultToReconnect: number;
}
const figures: Figures[] = [];

/** What happens to the cluster a quarter of the way in, and what comes back afterwards. */
interface Scenario {
  name: string;
  /** The node the client connects to first (the failover list goes on with the others). */
  connectTo: (queueLeader: ClusterNode) => ClusterNode;
  /** The node the fault hits. */
  victim: (connectedTo: ClusterNode, queueLeader: ClusterNode) => ClusterNode;
  fault: (node: ClusterNode) => Promise<void>;
  /** Bring the node back half-way through (otherwise it comes back after the case). */
  comesBackMidStream?: boolean;
}

function runScenario(scenario: Scenario): Promise<Figures> {
  return withClusterLock(() => runLocked(scenario));
}

async function runLocked(scenario: Scenario): Promise<Figures> {
  const queue = uniqueName('cluster.quorum');
  // Declared through the first node; its leader decides where the client connects.
  const setup = await connect(CLUSTER_NODES.map((n) => n.url));
  await setup.declareQueue({
    name: queue,
    durable: true,
    arguments: { queueType: 'quorum', quorumInitialGroupSize: 3 },
  });
  const leader = await queueLeader(queue);
  await setup.close();

  const first = scenario.connectTo(leader);
  const order = [first, ...CLUSTER_NODES.filter((n) => n !== first)];
  const conn: Connection = await connect(
    order.map((n) => n.url),
    { reconnect: { retries: 1000, minDelayMs: Number(process.env.WARREN_CLUSTER_MIN_DELAY ?? 50), maxDelayMs: 1000 } },
  );
  const connectionErrors: Error[] = [];
  conn.on('error', (error) => connectionErrors.push(error));
  let reconnectedAfterMs = 0;
  conn.on('reconnect', () => {
    if (faultAt > 0 && reconnectedAfterMs === 0) reconnectedAfterMs = Date.now() - faultAt;
  });
  const victim = scenario.victim(first, leader);

  const received = new Map<number, number>();
  let redelivered = 0;
  const consumer = new Consumer<{ n: number }>(conn, { queue, declare: false, prefetch: 100 });
  consumer.register(async (body, message) => {
    received.set(body.n, (received.get(body.n) ?? 0) + 1);
    if (message.deliveryInfo.redelivered) redelivered++;
    await message.ack();
  });
  const consumerErrors: Error[] = [];
  consumer.on('error', (error) => consumerErrors.push(error));
  await consumer.consume();

  const publisher = new Publisher<{ n: number }>(conn, { routingKey: queue });
  const confirmed = new Set<number>();
  const failures: Error[] = [];
  let faultAt = 0;
  let firstConfirmAfterFault = 0;
  let faultDone: Promise<void> | null = null;
  let backDone: Promise<void> | null = null;
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < MESSAGES) {
      const n = next++;
      // The last quarter goes out only once the fault has hit, so that it lands mid-stream however long it takes.
      if (n >= (MESSAGES * 3) / 4 && faultDone !== null) await faultDone;
      const sentAfterFault = faultAt > 0;
      try {
        await publisher.send({ n }, { persistent: true });
        confirmed.add(n);
        if (sentAfterFault && firstConfirmAfterFault === 0) firstConfirmAfterFault = Date.now() - faultAt;
      } catch (error) {
        failures.push(error as Error);
      }
      if (faultDone === null && confirmed.size >= MESSAGES / 4) {
        faultAt = Date.now();
        faultDone = scenario.fault(victim);
      }
      if (scenario.comesBackMidStream && backDone === null && faultDone !== null && confirmed.size >= MESSAGES / 2) {
        backDone = faultDone.then(() => restartNode(victim));
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    await faultDone;
    await backDone;
    await until(() => [...confirmed].every((n) => received.has(n)), 120_000, 'every confirmed message delivered');
    await consumer.close();
    await publisher.close();
    await conn.deleteQueue(queue).catch(() => 0);
  } finally {
    await conn.close();
    if (!scenario.comesBackMidStream) await restartNode(victim);
  }
  let duplicates = 0;
  for (const count of received.values()) duplicates += count - 1;
  const result: Figures = {
    case: scenario.name,
    confirmed: confirmed.size,
    failed: failures.length,
    lost: [...confirmed].filter((n) => !received.has(n)).length,
    duplicates,
    redelivered,
    msFromFaultToFirstConfirm: firstConfirmAfterFault,
    msFromFaultToReconnect: reconnectedAfterMs,
  };
  figures.push(result);
  console.log(`[cluster] ${JSON.stringify(result)}${failures[0] ? ` first failure: ${failures[0].message}` : ''}`);
  expect(consumerErrors).toEqual([]);
  return result;
}

const notThe = (node: ClusterNode) => CLUSTER_NODES.find((n) => n !== node) as ClusterNode;

describe.skipIf(!ready)('a RabbitMQ cluster loses a node mid-stream (quorum queue, every message counted)', () => {
  afterAll(() => {
    if (figures.length) console.table(figures);
  });

  it('SIGKILL of the node holding the connection: no send fails, nothing lost', async () => {
    const result = await runScenario({
      name: 'kill the connected node',
      connectTo: (leader) => leader,
      victim: (connectedTo) => connectedTo,
      fault: killNode,
    });
    expect(result).toMatchObject({ confirmed: MESSAGES, failed: 0, lost: 0 });
  }, 300_000);

  it('SIGKILL of the queue leader while connected elsewhere: no send fails, nothing lost', async () => {
    const result = await runScenario({
      name: 'kill the queue leader',
      connectTo: (leader) => notThe(leader),
      victim: (_connectedTo, leader) => leader,
      fault: killNode,
    });
    expect(result).toMatchObject({ confirmed: MESSAGES, failed: 0, lost: 0 });
  }, 300_000);

  it('an orderly stop_app of the connected node: no send fails, nothing lost', async () => {
    const result = await runScenario({
      name: 'stop_app the connected node',
      connectTo: (leader) => leader,
      victim: (connectedTo) => connectedTo,
      fault: async (node) => {
        await rabbitmqctl(node, 'stop_app');
      },
    });
    expect(result).toMatchObject({ confirmed: MESSAGES, failed: 0, lost: 0 });
  }, 300_000);

  it('the killed node comes back mid-stream and rejoins: no send fails, nothing lost', async () => {
    const result = await runScenario({
      name: 'kill, then restart, the connected node',
      connectTo: (leader) => leader,
      victim: (connectedTo) => connectedTo,
      fault: killNode,
      comesBackMidStream: true,
    });
    expect(result).toMatchObject({ confirmed: MESSAGES, failed: 0, lost: 0 });
  }, 300_000);
});
