/**
 * warren over RabbitMQ against raw amqplib, in the same run with the same settings (1 KiB JSON, persistent
 * messages, durable queue, TCP_NODELAY on both, heartbeat 60 s):
 * - confirmed publish with 1000 messages in flight;
 * - consume with prefetch 100 and a manual ack of each message;
 * - end to end (both at once).
 * Each pair runs raw then warren, twice, and keeps the best of each (the box has 2 cores and a shared broker).
 *
 *   npx tsx bench/amqp.ts          (after npm run build; WARREN_AMQP_URL picks another broker)
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { pathToFileURL } from 'node:url';
import '@warren/amqp';
import { type Connection, Consumer, connect, Publisher } from '@warren/core';
import amqplib, { type Channel, type ChannelModel, type ConfirmChannel } from 'amqplib';
import { type BenchRow, kibibyteBody } from './payload.js';

const URL_ = process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const WINDOW = 1000;
const PREFETCH = 100;
const MESSAGES = Number(process.env.WARREN_BENCH_MESSAGES ?? 20_000);
const RUN = randomBytes(3).toString('hex');
let sequence = 0;
const uniqueQueue = (label: string) => `warren.bench.${label}.${RUN}.${++sequence}`;

type Scenario = 'publish' | 'consume' | 'e2e';
const SCENARIO_NAMES: Record<Scenario, string> = {
  publish: 'confirmed publish (window 1000)',
  consume: 'consume (prefetch 100, ack)',
  e2e: 'end-to-end',
};

/** Whether something listens at the broker's host and port (never prints the URL: it may hold a password). */
function brokerListening(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 5672) });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Runs the AMQP benchmarks, prints them with the warren/raw ratios, and returns the rows. */
export async function runAmqpBench(messages = MESSAGES): Promise<BenchRow[]> {
  const target = new URL(URL_);
  if (!(await brokerListening(target))) {
    const where = `${target.hostname}:${target.port || 5672}`;
    if (process.env.CI === 'true') throw new Error(`RabbitMQ not reachable at ${where}: the AMQP benchmark needs it`);
    console.log(
      `\namqp:// skipped: RabbitMQ not reachable at ${where}; start it with docker compose -f docker/compose.yml up -d`,
    );
    return [];
  }
  const raw = await amqplib.connect(URL_, { noDelay: true });
  const conn = await connect({ url: URL_, heartbeat: 60 });
  raw.on('error', () => undefined);
  const admin = await raw.createChannel();
  const rows: BenchRow[] = [];
  try {
    // Warm-up: JIT and the broker's queue processes, for both subjects.
    for (const scenario of ['publish', 'consume', 'e2e'] as const) {
      await measure(scenario, 'raw', raw, conn, admin, 3_000);
      await measure(scenario, 'warren', raw, conn, admin, 3_000);
    }
    for (const scenario of ['publish', 'consume', 'e2e'] as const) {
      const best: Record<'raw' | 'warren', Measurement> = {
        raw: { msgsPerSecond: 0, cpuMicros: 0 },
        warren: { msgsPerSecond: 0, cpuMicros: 0 },
      };
      for (let round = 0; round < 2; round++) {
        for (const subject of ['raw', 'warren'] as const) {
          const result = await measure(scenario, subject, raw, conn, admin, messages);
          if (result.msgsPerSecond > best[subject].msgsPerSecond) best[subject] = result;
        }
      }
      for (const subject of ['raw', 'warren'] as const) {
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
    await conn.close();
    await raw.close();
  }
  print(rows);
  return rows;
}

function print(rows: BenchRow[]): void {
  console.log('\namqp:// on RabbitMQ (1 KiB JSON, persistent, durable queue; best of 2 runs each)');
  for (const row of rows) {
    console.log(
      `  ${row.scenario.padEnd(34)} ${row.subject.padEnd(8)} ${Math.round(row.msgsPerSecond).toLocaleString('en-US').padStart(8)} msgs/s  (${row.messages} msgs)  ${row.note ?? ''}`,
    );
  }
  for (const scenario of Object.values(SCENARIO_NAMES)) {
    const raw = rows.find((row) => row.scenario === scenario && row.subject === 'raw');
    const warren = rows.find((row) => row.scenario === scenario && row.subject === 'warren');
    if (raw && warren)
      console.log(`  ratio warren/raw, ${scenario}: ${(warren.msgsPerSecond / raw.msgsPerSecond).toFixed(2)}`);
  }
}

interface Measurement {
  msgsPerSecond: number;
  /** Client CPU (user + system) per message, in microseconds: what the broker's share of the box is not. */
  cpuMicros: number;
}

/** One timed run on a fresh durable queue. */
async function measure(
  scenario: Scenario,
  subject: 'raw' | 'warren',
  raw: ChannelModel,
  conn: Connection,
  admin: Channel,
  messages: number,
): Promise<Measurement> {
  const queue = uniqueQueue(`${scenario}-${subject}`);
  await admin.assertQueue(queue, { durable: true });
  try {
    if (scenario === 'consume') await rawPublish(raw, queue, messages); // fill, untimed
    const cpu = process.cpuUsage();
    const started = performance.now();
    if (scenario === 'publish')
      await (subject === 'raw' ? rawPublish(raw, queue, messages) : warrenPublish(conn, queue, messages));
    else if (scenario === 'consume')
      await (subject === 'raw' ? rawConsume(raw, queue, messages) : warrenConsume(conn, queue, messages));
    else {
      const consumed = subject === 'raw' ? rawConsume(raw, queue, messages) : warrenConsume(conn, queue, messages);
      await (subject === 'raw' ? rawPublish(raw, queue, messages) : warrenPublish(conn, queue, messages));
      await consumed;
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    return { msgsPerSecond: messages / seconds, cpuMicros: (used.user + used.system) / messages };
  } finally {
    await admin.deleteQueue(queue);
  }
}

const encode = (i: number) => Buffer.from(JSON.stringify(kibibyteBody(i)), 'utf8');

/** amqplib as its documentation suggests: a confirm channel, a callback per publish, `drain` respected. */
async function rawPublish(model: ChannelModel, queue: string, messages: number): Promise<void> {
  const channel: ConfirmChannel = await model.createConfirmChannel();
  try {
    await new Promise<void>((resolve, reject) => {
      let sent = 0;
      let confirmed = 0;
      let waitingForDrain = false;
      const onConfirm = (error: unknown) => {
        if (error) return reject(error);
        confirmed++;
        if (confirmed === messages) resolve();
        else if (!waitingForDrain) fill();
      };
      const fill = () => {
        while (sent < messages && sent - confirmed < WINDOW) {
          const ok = channel.publish(
            '',
            queue,
            encode(sent),
            { persistent: true, contentType: 'application/json', contentEncoding: 'utf-8' },
            onConfirm,
          );
          sent++;
          if (!ok) {
            waitingForDrain = true;
            channel.once('drain', () => {
              waitingForDrain = false;
              fill();
            });
            return;
          }
        }
      };
      fill();
    });
  } finally {
    await channel.close();
  }
}

async function warrenPublish(conn: Connection, queue: string, messages: number): Promise<void> {
  const publisher = new Publisher(conn, { exchange: '', routingKey: queue, persistent: true });
  let sent = 0;
  // WINDOW sends in flight: each worker sends the next message once its previous one is confirmed.
  const worker = async () => {
    while (sent < messages) {
      const i = sent++;
      await publisher.send(kibibyteBody(i));
    }
  };
  await Promise.all(Array.from({ length: WINDOW }, worker));
  await publisher.close();
}

async function rawConsume(model: ChannelModel, queue: string, messages: number): Promise<void> {
  const channel = await model.createChannel();
  try {
    await channel.prefetch(PREFETCH);
    await new Promise<void>((resolve, reject) => {
      let received = 0;
      channel
        .consume(queue, (message) => {
          if (message === null) return reject(new Error('consumer cancelled'));
          JSON.parse(message.content.toString('utf8'));
          channel.ack(message);
          if (++received === messages) resolve();
        })
        .catch(reject);
    });
  } finally {
    await channel.close();
  }
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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runAmqpBench();
