/**
 * RabbitMQ nacks every publish to a quorum queue on a confirm channel opened while the queue elects a new leader,
 * for as long as that channel lives (../shared/BROKERS.md). warren's publish path retires such a channel and sends
 * the nacked messages again on a new one: no send fails. The channel is made to open at the worst moment on
 * purpose: the queue's leader is killed and, at once, a send to a missing exchange makes the broker close the
 * publish channel, so the next send opens a new one during the election.
 */
import '@warren/amqp';
import { uniqueName } from '@warren/conformance';
import { Consumer, connect, MessageNackedError, NotFoundError, Publisher } from '@warren/core';
import { describe, expect, it } from 'vitest';
import {
  CLUSTER_NODES,
  killNode,
  queueLeader,
  requireCluster,
  restartNode,
  withClusterLock,
} from '../support/cluster.js';

const ready = await requireCluster();

interface Outcome {
  confirmed: number;
  nacked: number;
  otherFailures: string[];
  retryWarnings: number;
  /** What the queue held afterwards. */
  stored: Set<number>;
  lost: number;
}

async function sendThroughElection(options: Record<string, unknown>): Promise<Outcome> {
  const queue = uniqueName('cluster.election');
  const setup = await connect(CLUSTER_NODES.map((n) => n.url));
  await setup.declareQueue({
    name: queue,
    durable: true,
    arguments: { queueType: 'quorum', quorumInitialGroupSize: 3 },
  });
  await setup.close();
  const leader = await queueLeader(queue);
  const others = CLUSTER_NODES.filter((n) => n !== leader);
  const conn = await connect(
    others.map((n) => n.url),
    { reconnect: { retries: 1000, minDelayMs: 50, maxDelayMs: 1000 }, ...options },
  );
  let retryWarnings = 0;
  conn.on('error', (error) => {
    if (error instanceof MessageNackedError) retryWarnings++;
  });
  const publisher = new Publisher<{ n: number }>(conn, { routingKey: queue });
  const outcome: Outcome = { confirmed: 0, nacked: 0, otherFailures: [], retryWarnings: 0, stored: new Set(), lost: 0 };
  try {
    await publisher.send({ n: -1 });
    await killNode(leader);
    // The broker closes the publish channel for this one (404); the sends below open the next channel at once.
    const stray = new Publisher<{ n: number }>(conn, { exchange: uniqueName('missing'), declare: false });
    await expect(stray.send({ n: -2 })).rejects.toBeInstanceOf(NotFoundError);
    const results = await Promise.allSettled(Array.from({ length: 300 }, (_, n) => publisher.send({ n })));
    const confirmed: number[] = [];
    for (const [n, result] of results.entries()) {
      if (result.status === 'fulfilled') confirmed.push(n);
      else if (result.reason instanceof MessageNackedError) outcome.nacked++;
      else outcome.otherFailures.push(String(result.reason));
    }
    outcome.confirmed = confirmed.length;
    outcome.retryWarnings = retryWarnings;
    // Nothing confirmed is missing: read the queue back.
    const reader = new Consumer<{ n: number }>(conn, { queue, declare: false });
    for (let message = await reader.fetch(); message !== null; message = await reader.fetch()) {
      outcome.stored.add(message.body.n);
      await message.ack();
    }
    await reader.close();
    outcome.lost = confirmed.filter((n) => !outcome.stored.has(n)).length;
    await conn.deleteQueue(queue);
  } finally {
    await conn.close();
    await restartNode(leader);
  }
  console.log(
    `[cluster] election nacks with ${JSON.stringify(options)}: ${JSON.stringify({ ...outcome, stored: outcome.stored.size })}`,
  );
  return outcome;
}

describe.skipIf(!ready)('a publish channel opened during a quorum queue leader election', () => {
  // The channel must open within tens of ms of the kill; on a loaded box it now and then opens too late to be
  // poisoned, so the control may take a second try.
  it('without retries, the broker nacks the sends (the broker behaviour the retry exists for)', {
    retry: 2,
    timeout: 300_000,
  }, async () => {
    const outcome = await withClusterLock(() => sendThroughElection({ nackRetries: 0 }));
    expect(outcome.otherFailures).toEqual([]);
    expect(outcome.nacked).toBeGreaterThan(0);
    expect(outcome.lost).toBe(0);
  });

  it('with the default options every send is confirmed: the nacking channel is replaced', async () => {
    const outcome = await withClusterLock(() => sendThroughElection({}));
    // Whether this run's channel did open inside the election window is a race (the control above shows it
    // usually does); retryWarnings in the log says whether the retry was exercised.
    expect(outcome).toMatchObject({ confirmed: 300, nacked: 0, otherFailures: [], lost: 0 });
  }, 300_000);
});
