/**
 * warren over Redis against raw ioredis doing the same reliable pattern, and against BullMQ, in the same run
 * (1 KiB JSON):
 * - publish: raw XADD pipelined with 1000 in flight; warren `send` with 1000 in flight; BullMQ `addBulk` of 1000;
 * - consume with ack: raw XREADGROUP COUNT 100 + one XACK per batch; warren prefetch 100 and `ack` of each;
 *   BullMQ Worker with concurrency 100 (completed jobs removed);
 * - end-to-end: both at once.
 * Each runs twice after a warm-up and keeps its best (the box has 2 cores and a shared Redis). Keys live under a
 * prefix of this run and are deleted afterwards.
 *
 *   npx tsx bench/redis.ts          (after npm run build; WARREN_REDIS_URL picks another Redis)
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import '@warren/redis';
import { type Connection, Consumer, connect, Publisher } from '@warren/core';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { listening } from './listening.js';
import { type BenchRow, kibibyteBody } from './payload.js';

const URL_ = process.env.WARREN_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WINDOW = 1000;
const PREFETCH = 100;
const MESSAGES = Number(process.env.WARREN_BENCH_MESSAGES ?? 20_000);
const RUN = randomBytes(3).toString('hex');
const PREFIX = `warren-bench:${RUN}:`;
let sequence = 0;
const uniqueName = (label: string) => `${label}.${++sequence}`;

type Scenario = 'publish' | 'consume' | 'e2e';
type Subject = 'raw' | 'warren' | 'bullmq';
const SUBJECTS: readonly Subject[] = ['raw', 'warren', 'bullmq'];
const SCENARIO_NAMES: Record<Scenario, string> = {
  publish: 'publish (1000 in flight)',
  consume: 'consume (prefetch 100, ack)',
  e2e: 'end-to-end',
};

interface Clients {
  raw: Redis;
  reader: Redis;
  conn: Connection;
  bullConnection: { host: string; port: number };
}

/** Runs the Redis benchmarks, prints them with the warren/raw and warren/BullMQ ratios, and returns the rows. */
export async function runRedisBench(messages = MESSAGES): Promise<BenchRow[]> {
  const target = new URL(URL_);
  if (!(await listening(target.hostname || '127.0.0.1', Number(target.port || 6379)))) {
    const where = `${target.hostname}:${target.port || 6379}`;
    if (process.env.CI === 'true') throw new Error(`Redis not reachable at ${where}: the Redis benchmark needs it`);
    console.log(
      `\nredis:// skipped: Redis not reachable at ${where}; start it with docker compose -f docker/compose.yml up -d`,
    );
    return [];
  }
  const clients: Clients = {
    raw: new Redis(URL_),
    reader: new Redis(URL_),
    conn: await connect(`${URL_}${URL_.includes('?') ? '&' : '?'}prefix=${encodeURIComponent(PREFIX)}`),
    bullConnection: { host: target.hostname || '127.0.0.1', port: Number(target.port || 6379) },
  };
  const rows: BenchRow[] = [];
  try {
    for (const scenario of ['publish', 'consume', 'e2e'] as const) {
      for (const subject of SUBJECTS) await measure(scenario, subject, clients, 2_000);
    }
    for (const scenario of ['publish', 'consume', 'e2e'] as const) {
      const best: Record<Subject, Measurement> = {
        raw: { msgsPerSecond: 0, cpuMicros: 0 },
        warren: { msgsPerSecond: 0, cpuMicros: 0 },
        bullmq: { msgsPerSecond: 0, cpuMicros: 0 },
      };
      for (let round = 0; round < 2; round++) {
        for (const subject of SUBJECTS) {
          const result = await measure(scenario, subject, clients, messages);
          if (result.msgsPerSecond > best[subject].msgsPerSecond) best[subject] = result;
        }
      }
      for (const subject of SUBJECTS) {
        rows.push({
          scenario: SCENARIO_NAMES[scenario],
          subject,
          messages,
          msgsPerSecond: best[subject].msgsPerSecond,
          note: `client CPU ${best[subject].cpuMicros.toFixed(0)} µs/msg`,
        });
      }
    }
  } finally {
    await clients.conn.close();
    await deletePrefix(clients.raw, PREFIX);
    await deletePrefix(clients.raw, `bull:warren-bench-${RUN}`);
    clients.raw.disconnect();
    clients.reader.disconnect();
  }
  print(rows);
  return rows;
}

async function deletePrefix(client: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await client.del(...keys);
  } while (cursor !== '0');
}

function print(rows: BenchRow[]): void {
  console.log('\nredis:// on Redis (1 KiB JSON; best of 2 runs each)');
  for (const row of rows) {
    console.log(
      `  ${row.scenario.padEnd(30)} ${row.subject.padEnd(8)} ${Math.round(row.msgsPerSecond).toLocaleString('en-US').padStart(8)} msgs/s  (${row.messages} msgs)  ${row.note ?? ''}`,
    );
  }
  for (const scenario of Object.values(SCENARIO_NAMES)) {
    const of = (subject: Subject) => rows.find((row) => row.scenario === scenario && row.subject === subject);
    const [raw, warren, bull] = [of('raw'), of('warren'), of('bullmq')];
    if (raw && warren && bull) {
      console.log(
        `  ratio ${scenario}: warren/raw ${(warren.msgsPerSecond / raw.msgsPerSecond).toFixed(2)}, warren/BullMQ ${(warren.msgsPerSecond / bull.msgsPerSecond).toFixed(2)}`,
      );
    }
  }
}

interface Measurement {
  msgsPerSecond: number;
  cpuMicros: number;
}

async function measure(scenario: Scenario, subject: Subject, clients: Clients, messages: number): Promise<Measurement> {
  const name = uniqueName(`${scenario}-${subject}`);
  const target = await prepare(subject, clients, name);
  try {
    if (scenario === 'consume') await target.publish(messages); // fill, untimed
    const cpu = process.cpuUsage();
    const started = performance.now();
    if (scenario === 'publish') await target.publish(messages);
    else if (scenario === 'consume') await target.consume(messages);
    else {
      const consumed = target.consume(messages);
      await target.publish(messages);
      await consumed;
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    return { msgsPerSecond: messages / seconds, cpuMicros: (used.user + used.system) / messages };
  } finally {
    await target.dispose();
  }
}

interface Target {
  publish(messages: number): Promise<void>;
  consume(messages: number): Promise<void>;
  dispose(): Promise<void>;
}

async function prepare(subject: Subject, clients: Clients, name: string): Promise<Target> {
  if (subject === 'raw') return rawTarget(clients, `${PREFIX}raw:${name}`);
  if (subject === 'warren') {
    await clients.conn.declareQueue({ name, durable: true });
    return {
      publish: (messages) => warrenPublish(clients.conn, name, messages),
      consume: (messages) => warrenConsume(clients.conn, name, messages),
      dispose: async () => {
        await clients.conn.deleteQueue(name);
      },
    };
  }
  return bullTarget(clients, `warren-bench-${RUN}-${name.replace(/\./g, '-')}`);
}

const encode = (i: number) => JSON.stringify(kibibyteBody(i));

/** ioredis as a careful user would write a reliable stream queue: pipelined XADD, XREADGROUP + batched XACK. */
async function rawTarget(clients: Clients, stream: string): Promise<Target> {
  await clients.raw.xgroup('CREATE', stream, 'g', '0', 'MKSTREAM');
  return {
    async publish(messages) {
      await new Promise<void>((resolve, reject) => {
        let sent = 0;
        let confirmed = 0;
        const onDone = () => {
          confirmed++;
          if (confirmed === messages) resolve();
          else if (sent < messages) send();
        };
        const send = () => {
          sent++;
          clients.raw.xadd(stream, '*', 'body', encode(sent)).then(onDone, reject);
        };
        while (sent < messages && sent < WINDOW) send();
      });
    },
    async consume(messages) {
      let received = 0;
      while (received < messages) {
        const reply = (await clients.reader.xreadgroup(
          'GROUP',
          'g',
          'c',
          'COUNT',
          PREFETCH,
          'BLOCK',
          1000,
          'STREAMS',
          stream,
          '>',
        )) as Array<[string, Array<[string, string[]]>]> | null;
        const entries = reply?.[0]?.[1];
        if (!entries) continue;
        const ids: string[] = [];
        for (const [id, fields] of entries) {
          JSON.parse(fields[1] as string);
          ids.push(id);
        }
        received += entries.length;
        // Acked as a reliable consumer must (and deleted, as warren does): one pipeline per batch.
        clients.raw
          .pipeline()
          .xack(stream, 'g', ...ids)
          .xdel(stream, ...ids)
          .exec();
      }
    },
    async dispose() {
      await clients.raw.del(stream);
    },
  };
}

/** BullMQ as its documentation shows: `addBulk` from a Queue, a Worker with concurrency that removes completed jobs. */
async function bullTarget(clients: Clients, name: string): Promise<Target> {
  const queue = new Queue(name, { connection: clients.bullConnection });
  return {
    async publish(messages) {
      for (let start = 0; start < messages; start += WINDOW) {
        const jobs = [];
        for (let i = start; i < Math.min(messages, start + WINDOW); i++) {
          jobs.push({ name: 'm', data: kibibyteBody(i), opts: { removeOnComplete: true, removeOnFail: true } });
        }
        await queue.addBulk(jobs);
      }
    },
    async consume(messages) {
      let received = 0;
      let worker: Worker | undefined;
      await new Promise<void>((resolve, reject) => {
        worker = new Worker(
          name,
          async () => {
            if (++received === messages) resolve();
          },
          { connection: clients.bullConnection, concurrency: PREFETCH },
        );
        worker.on('error', reject);
      });
      await worker?.close();
    },
    async dispose() {
      await queue.obliterate({ force: true });
      await queue.close();
    },
  };
}

async function warrenPublish(conn: Connection, queue: string, messages: number): Promise<void> {
  const publisher = new Publisher(conn, { exchange: '', routingKey: queue, persistent: true });
  let sent = 0;
  const worker = async () => {
    while (sent < messages) {
      const i = sent++;
      await publisher.send(kibibyteBody(i));
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, worker));
  await publisher.close();
}

async function warrenConsume(conn: Connection, queue: string, messages: number): Promise<void> {
  const consumer = new Consumer(conn, { queue, declare: false, prefetch: PREFETCH });
  let received = 0;
  const done = new Promise<void>((resolve, reject) => {
    consumer.on('error', reject);
    consumer.register((_body, message) => {
      message.ack();
      if (++received === messages) resolve();
    });
  });
  await consumer.consume();
  await done;
  await consumer.close();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runRedisBench();
