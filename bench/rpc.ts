/**
 * Request/reply over RabbitMQ: warren's RpcServer and RpcClient against raw amqplib doing direct reply-to by hand,
 * in the same run with the same settings (small JSON requests and replies, a non-durable request queue, the
 * server acknowledging each request after its reply, prefetch 100, TCP_NODELAY on both):
 * - sequential: one call at a time (the round trip's latency);
 * - 100 in flight: 100 callers, each calling again as soon as its reply came.
 * Each pair runs raw then warren, three times, and keeps the best of each (the box has 2 cores and a shared broker).
 *
 *   npx tsx bench/rpc.ts          (after npm run build; WARREN_AMQP_URL picks another broker)
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import '@warren/amqp';
import { type Connection, connect, Queue, RpcClient, RpcServer } from '@warren/core';
import amqplib, { type ChannelModel } from 'amqplib';
import type { BenchRow } from './payload.js';

const URL_ = process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const CALLS = Number(process.env.WARREN_BENCH_RPC_CALLS ?? 5_000);
const IN_FLIGHT = 100;
const PREFETCH = 100;
const RUN = randomBytes(3).toString('hex');
let sequence = 0;
const uniqueQueue = (label: string) => `warren.bench.rpc.${label}.${RUN}.${++sequence}`;

type Scenario = 'sequential' | 'parallel';
const SCENARIO_NAMES: Record<Scenario, string> = {
  sequential: 'RPC round trips, sequential',
  parallel: `RPC round trips, ${IN_FLIGHT} in flight`,
};

/** What one subject (raw or warren) offers the measurement: start a server, make a caller, stop both. */
interface RpcSubject {
  call(request: { a: number; b: number }): Promise<number>;
  stop(): Promise<void>;
}

/** amqplib by hand: the server replies on its channel and acks; the client consumes amq.rabbitmq.reply-to. */
async function rawSubject(model: ChannelModel, queue: string): Promise<RpcSubject> {
  const serverChannel = await model.createChannel();
  await serverChannel.assertQueue(queue, { durable: false, autoDelete: true });
  await serverChannel.prefetch(PREFETCH);
  await serverChannel.consume(queue, (message) => {
    if (message === null) return;
    const request = JSON.parse(message.content.toString('utf8')) as { a: number; b: number };
    serverChannel.publish(
      '',
      message.properties.replyTo as string,
      Buffer.from(JSON.stringify(request.a + request.b)),
      {
        correlationId: message.properties.correlationId as string,
        contentType: 'application/json',
        contentEncoding: 'utf-8',
      },
    );
    serverChannel.ack(message);
  });
  const clientChannel = await model.createChannel();
  const waiting = new Map<string, (value: number) => void>();
  await clientChannel.consume(
    'amq.rabbitmq.reply-to',
    (message) => {
      if (message === null) return;
      const id = message.properties.correlationId as string;
      const resolve = waiting.get(id);
      waiting.delete(id);
      resolve?.(JSON.parse(message.content.toString('utf8')) as number);
    },
    { noAck: true },
  );
  let next = 0;
  return {
    call(request) {
      const id = String(++next);
      return new Promise<number>((resolve) => {
        waiting.set(id, resolve);
        clientChannel.publish('', queue, Buffer.from(JSON.stringify(request)), {
          correlationId: id,
          replyTo: 'amq.rabbitmq.reply-to',
          contentType: 'application/json',
          contentEncoding: 'utf-8',
        });
      });
    },
    async stop() {
      await clientChannel.close();
      await serverChannel.close();
    },
  };
}

async function warrenSubject(conn: Connection, queue: string): Promise<RpcSubject> {
  const server = new RpcServer(
    conn,
    { queue: new Queue(queue, { durable: false, autoDelete: true }), prefetch: PREFETCH },
    (request: { a: number; b: number }) => request.a + request.b,
  );
  server.on('error', () => undefined);
  await server.start();
  const client = new RpcClient<{ a: number; b: number }, number>(conn, { routingKey: queue, timeoutMs: 30_000 });
  return {
    call: (request) => client.call(request),
    async stop() {
      await client.close();
      await server.close();
    },
  };
}

/** Calls per second, and the client process's CPU per call (both sides of the RPC run in this process). */
async function measure(scenario: Scenario, subject: RpcSubject, calls: number): Promise<Measurement> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  if (scenario === 'sequential') {
    for (let i = 0; i < calls; i++) await subject.call({ a: i, b: 1 });
  } else {
    let issued = 0;
    const caller = async () => {
      while (issued < calls) {
        const i = issued++;
        await subject.call({ a: i, b: 1 });
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, caller));
  }
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return { callsPerSecond: calls / seconds, cpuMicros: (used.user + used.system) / calls };
}

interface Measurement {
  callsPerSecond: number;
  cpuMicros: number;
}

/** Runs the RPC benchmark, prints it with the warren/raw ratios, and returns the rows. */
export async function runRpcBench(calls = CALLS): Promise<BenchRow[]> {
  let raw: ChannelModel;
  try {
    raw = await amqplib.connect(URL_, { noDelay: true });
  } catch (error) {
    if (process.env.CI === 'true') throw error;
    console.log(
      '\namqp:// request/reply skipped: RabbitMQ not reachable; start it with docker compose -f docker/compose.yml up -d',
    );
    return [];
  }
  raw.on('error', () => undefined);
  const conn = await connect({ url: URL_, heartbeat: 60 });
  const rows: BenchRow[] = [];
  const subjects = {
    raw: await rawSubject(raw, uniqueQueue('raw')),
    warren: await warrenSubject(conn, uniqueQueue('warren')),
  };
  try {
    for (const scenario of ['sequential', 'parallel'] as const) {
      // Warm-up: JIT and the broker's queue processes, for both subjects.
      for (const subject of ['raw', 'warren'] as const) await measure(scenario, subjects[subject], 500);
      const none: Measurement = { callsPerSecond: 0, cpuMicros: 0 };
      const best = { raw: none, warren: none };
      for (let round = 0; round < 3; round++) {
        for (const subject of ['raw', 'warren'] as const) {
          const result = await measure(scenario, subjects[subject], calls);
          if (result.callsPerSecond > best[subject].callsPerSecond) best[subject] = result;
        }
      }
      for (const subject of ['raw', 'warren'] as const) {
        rows.push({
          scenario: SCENARIO_NAMES[scenario],
          subject,
          messages: calls,
          msgsPerSecond: best[subject].callsPerSecond,
          note: `client CPU ${best[subject].cpuMicros.toFixed(0)} µs/call (server and client)`,
        });
      }
    }
  } finally {
    await subjects.raw.stop();
    await subjects.warren.stop();
    await conn.close();
    await raw.close();
  }
  console.log('\namqp:// request/reply on RabbitMQ (direct reply-to; best of 3 runs each)');
  for (const row of rows) {
    console.log(
      `  ${row.scenario.padEnd(34)} ${row.subject.padEnd(8)} ${Math.round(row.msgsPerSecond).toLocaleString('en-US').padStart(8)} calls/s  (${row.messages} calls)  ${row.note ?? ''}`,
    );
  }
  for (const scenario of Object.values(SCENARIO_NAMES)) {
    const rawRow = rows.find((row) => row.scenario === scenario && row.subject === 'raw');
    const warrenRow = rows.find((row) => row.scenario === scenario && row.subject === 'warren');
    if (rawRow && warrenRow) {
      console.log(`  ratio warren/raw, ${scenario}: ${(warrenRow.msgsPerSecond / rawRow.msgsPerSecond).toFixed(2)}`);
    }
  }
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runRpcBench();
