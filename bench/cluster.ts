/**
 * Competing consumers on one quorum queue of the 3-node cluster (scripts/cluster.mjs), each in its own process and
 * connected to the nodes in turn: 1, 2 and 4 processes drain the same prefilled queue (1 KiB JSON, persistent,
 * prefetch 100, an ack per message). Shows where adding consumers stops helping: the queue's leader does the work
 * of every delivery and ack, whichever node the consumer is connected to.
 *
 *   npx tsx bench/cluster.ts        (after npm run build and node scripts/cluster.mjs start)
 */
import { type ChildProcess, fork } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import '@warren/amqp';
import { connect, Publisher } from '@warren/core';
import { listening } from './listening.js';
import { type BenchRow, kibibyteBody, printRows } from './payload.js';

const NODES = [5681, 5682, 5683].map((port) => `amqp://guest:guest@127.0.0.1:${port}/`);
const MESSAGES = Number(process.env.WARREN_BENCH_CLUSTER_MESSAGES ?? 20_000);
const CONSUMER = new URL('./cluster-consumer.ts', import.meta.url);

interface Child {
  process: ChildProcess;
  acked: number;
  ready: Promise<void>;
  stopped: Promise<void>;
}

function startConsumer(url: string, queue: string): Child {
  const child = fork(CONSUMER, [url, queue], { execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  const state: Child = { process: child, acked: 0, ready: Promise.resolve(), stopped: Promise.resolve() };
  state.ready = new Promise((resolve, reject) => {
    child.once('error', reject);
    child.on('message', (message: { ready?: boolean; acked?: number }) => {
      if (message.ready) resolve();
      if (typeof message.acked === 'number') state.acked = message.acked;
    });
  });
  state.stopped = new Promise((resolve) => child.once('exit', () => resolve()));
  return state;
}

async function round(consumers: number): Promise<BenchRow> {
  const queue = `warren.bench.cluster.${process.pid}.${consumers}.${Date.now()}`;
  const conn = await connect(NODES);
  await conn.declareQueue({ name: queue, durable: true, arguments: { queueType: 'quorum' } });
  const publisher = new Publisher(conn, { routingKey: queue });
  let next = 0;
  const lane = async () => {
    while (next < MESSAGES) await publisher.send(kibibyteBody(next++), { persistent: true });
  };
  await Promise.all(Array.from({ length: 500 }, lane));
  const children = Array.from({ length: consumers }, (_, i) => startConsumer(NODES[i % NODES.length] as string, queue));
  await Promise.all(children.map((child) => child.ready));
  const started = performance.now();
  const total = () => children.reduce((sum, child) => sum + child.acked, 0);
  while (total() < MESSAGES) await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = (performance.now() - started) / 1000;
  for (const child of children) child.process.send({ stop: true });
  await Promise.all(children.map((child) => child.stopped));
  await conn.deleteQueue(queue);
  await conn.close();
  return {
    scenario: `${consumers} consumer process${consumers > 1 ? 'es' : ''}`,
    subject: 'warren',
    messages: MESSAGES,
    msgsPerSecond: MESSAGES / seconds,
  };
}

/** Runs the scaling rounds and prints them; skipped (one line) without the cluster, an error under CI. */
export async function runClusterBench(): Promise<BenchRow[]> {
  const up = await Promise.all([5681, 5682, 5683].map((port) => listening('127.0.0.1', port)));
  if (up.includes(false)) {
    if (process.env.CI === 'true')
      throw new Error('the RabbitMQ cluster is not running: node scripts/cluster.mjs start');
    console.log(
      '\ncluster skipped: no RabbitMQ cluster on 127.0.0.1:5681-5683; start it with node scripts/cluster.mjs start',
    );
    return [];
  }
  const rows: BenchRow[] = [];
  for (const consumers of [1, 2, 4]) rows.push(await round(consumers));
  printRows('amqp:// on a 3-node cluster: competing consumers on one quorum queue (1 KiB JSON, prefetch 100)', rows, [
    { label: '2 processes / 1', warren: '2 consumer processes', baseline: '1 consumer process' },
    { label: '4 processes / 1', warren: '4 consumer processes', baseline: '1 consumer process' },
  ]);
  return rows;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runClusterBench();
