/**
 * warren over RabbitMQ against raw amqplib and @cloudamqp/amqp-client, in the same run with the same settings
 * (1 KiB JSON, persistent messages, durable queue, TCP_NODELAY, no heartbeats in the way):
 * - confirmed publish with 1000 messages in flight;
 * - consume with prefetch 100 and a manual ack of each message;
 * - end to end (both at once);
 * - confirmed publish against a fake broker that acks every publish at once (bench/fake-broker.ts): the client
 *   is then the only limit.
 * Each scenario runs ROUNDS rounds; in each, every subject runs once, in an order that rotates from round to
 * round; the figures are the medians. Client CPU is user + system time of this process per message.
 *
 *   npx tsx bench/amqp.ts          (after npm run build; WARREN_AMQP_URL picks another broker,
 *                                   WARREN_BENCH_MESSAGES and WARREN_BENCH_ROUNDS the sizes,
 *                                   WARREN_BENCH_SCENARIOS=publish,consume,e2e,fake which to run)
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { type AMQPChannel, AMQPClient } from '@cloudamqp/amqp-client';
import '@warren/amqp';
import { type Connection, Consumer, connect, Publisher } from '@warren/core';
import amqplib, { type ChannelModel, type ConfirmChannel } from 'amqplib';
import { spawnFakeBroker } from './fake-broker.js';
import { listening } from './listening.js';
import { type BenchRow, kibibyteBody } from './payload.js';

const URL_ = process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const WINDOW = 1000;
const PREFETCH = 100;
const MESSAGES = Number(process.env.WARREN_BENCH_MESSAGES ?? 20_000);
const ROUNDS = Number(process.env.WARREN_BENCH_ROUNDS ?? 3);
const ALL_SCENARIOS: Scenario[] = ['publish', 'consume', 'e2e', 'fake'];
const SCENARIOS = (process.env.WARREN_BENCH_SCENARIOS?.split(',') as Scenario[] | undefined) ?? ALL_SCENARIOS;
const FRAME_MAX = 131_072;
const RUN = randomBytes(3).toString('hex');
let sequence = 0;
const uniqueQueue = (label: string) => `warren.bench.${label}.${RUN}.${++sequence}`;

type Scenario = 'publish' | 'consume' | 'e2e' | 'fake';
type Subject = 'amqplib' | 'amqp-client' | 'warren';
const SUBJECTS: Subject[] = ['amqplib', 'amqp-client', 'warren'];
const SCENARIO_NAMES: Record<Scenario, string> = {
  publish: 'confirmed publish (window 1000)',
  consume: 'consume (prefetch 100, ack)',
  e2e: 'end-to-end',
  fake: 'confirmed publish, fake broker',
};

/** The three clients, connected to one broker. */
interface Clients {
  amqplib: ChannelModel;
  amqpClient: AMQPClient;
  warren: Connection;
}

async function openClients(url: string): Promise<Clients> {
  const amqpUrl = new URL(url);
  amqpUrl.searchParams.set('frameMax', String(FRAME_MAX));
  const amqpClient = new AMQPClient(amqpUrl.href);
  await amqpClient.connect();
  const rawUrl = new URL(url);
  rawUrl.searchParams.set('heartbeat', '0');
  const raw = await amqplib.connect(rawUrl.href, { noDelay: true });
  raw.on('error', () => undefined);
  const warren = await connect({ url, heartbeat: 0 });
  return { amqplib: raw, amqpClient, warren };
}

async function closeClients(clients: Clients): Promise<void> {
  await clients.warren.close();
  await clients.amqplib.close().catch(() => undefined);
  await clients.amqpClient.close().catch(() => undefined);
}

interface Measurement {
  msgsPerSecond: number;
  /** Client CPU (user + system) per message, in microseconds. */
  cpuMicros: number;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/** Runs the AMQP benchmarks, prints them with ratios, and returns the rows. */
export async function runAmqpBench(messages = MESSAGES): Promise<BenchRow[]> {
  const target = new URL(URL_);
  if (!(await listening(target.hostname, Number(target.port || 5672)))) {
    const where = `${target.hostname}:${target.port || 5672}`;
    if (process.env.CI === 'true') throw new Error(`RabbitMQ not reachable at ${where}: the AMQP benchmark needs it`);
    console.log(`\namqp:// skipped: RabbitMQ not reachable at ${where}; start RabbitMQ there or set WARREN_AMQP_URL`);
    return [];
  }
  const rows: BenchRow[] = [];
  const clients = await openClients(URL_);
  const fake = await spawnFakeBroker();
  const fakeUrl = `amqp://guest:guest@127.0.0.1:${fake.port}/`;
  const fakeClients = await openClients(fakeUrl);
  const admin = await clients.amqplib.createChannel();
  try {
    // Warm-up: JIT and the broker's queue processes, for every subject.
    for (const scenario of SCENARIOS)
      for (const subject of SUBJECTS)
        await measure(scenario, subject, scenario === 'fake' ? fakeClients : clients, admin, 3_000);
    for (const scenario of SCENARIOS) {
      const results: Record<Subject, Measurement[]> = { amqplib: [], 'amqp-client': [], warren: [] };
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < SUBJECTS.length; i++) {
          const subject = SUBJECTS[(i + round) % SUBJECTS.length] as Subject;
          const size = scenario === 'fake' ? messages * 5 : messages;
          results[subject].push(
            await measure(scenario, subject, scenario === 'fake' ? fakeClients : clients, admin, size),
          );
        }
      }
      for (const subject of SUBJECTS) {
        rows.push({
          scenario: SCENARIO_NAMES[scenario],
          subject,
          messages: scenario === 'fake' ? messages * 5 : messages,
          msgsPerSecond: median(results[subject].map((r) => r.msgsPerSecond)),
          note: `client CPU ${median(results[subject].map((r) => r.cpuMicros)).toFixed(1)} µs/msg`,
        });
      }
    }
  } finally {
    await closeClients(fakeClients).catch(() => undefined);
    fake.stop();
    await closeClients(clients);
  }
  print(rows);
  return rows;
}

function print(rows: BenchRow[]): void {
  console.log(`\namqp:// (1 KiB JSON, persistent, durable queue; medians of ${ROUNDS} rotating rounds)`);
  for (const row of rows) {
    console.log(
      `  ${row.scenario.padEnd(32)} ${row.subject.padEnd(12)} ${Math.round(row.msgsPerSecond).toLocaleString('en-US').padStart(8)} msgs/s  (${row.messages} msgs)  ${row.note ?? ''}`,
    );
  }
  for (const scenario of Object.values(SCENARIO_NAMES)) {
    const rate = (subject: Subject) => rows.find((row) => row.scenario === scenario && row.subject === subject);
    const warren = rate('warren');
    const raw = rate('amqplib');
    const other = rate('amqp-client');
    if (warren && raw && other)
      console.log(
        `  ratio ${scenario}: warren/amqplib ${(warren.msgsPerSecond / raw.msgsPerSecond).toFixed(2)}, warren/amqp-client ${(warren.msgsPerSecond / other.msgsPerSecond).toFixed(2)}, amqp-client/amqplib ${(other.msgsPerSecond / raw.msgsPerSecond).toFixed(2)}`,
      );
  }
}

/** One timed run on a fresh durable queue (the fake broker keeps nothing: no queue there). */
async function measure(
  scenario: Scenario,
  subject: Subject,
  clients: Clients,
  admin: amqplib.Channel,
  messages: number,
): Promise<Measurement> {
  const fake = scenario === 'fake';
  const queue = fake ? 'fake' : uniqueQueue(`${scenario}-${subject}`);
  if (!fake) await admin.assertQueue(queue, { durable: true });
  try {
    if (scenario === 'consume') await publishWith('amqplib', clients, queue, messages); // fill, untimed
    const cpu = process.cpuUsage();
    const started = performance.now();
    if (scenario === 'publish' || fake) await publishWith(subject, clients, queue, messages);
    else if (scenario === 'consume') await consumeWith(subject, clients, queue, messages);
    else {
      const consumed = consumeWith(subject, clients, queue, messages);
      await publishWith(subject, clients, queue, messages);
      await consumed;
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    return { msgsPerSecond: messages / seconds, cpuMicros: (used.user + used.system) / messages };
  } finally {
    if (!fake) await admin.deleteQueue(queue);
  }
}

function publishWith(subject: Subject, clients: Clients, queue: string, messages: number): Promise<void> {
  if (subject === 'amqplib') return rawPublish(clients.amqplib, queue, messages);
  if (subject === 'amqp-client') return amqpClientPublish(clients.amqpClient, queue, messages);
  return warrenPublish(clients.warren, queue, messages);
}

function consumeWith(subject: Subject, clients: Clients, queue: string, messages: number): Promise<void> {
  if (subject === 'amqplib') return rawConsume(clients.amqplib, queue, messages);
  if (subject === 'amqp-client') return amqpClientConsume(clients.amqpClient, queue, messages);
  return warrenConsume(clients.warren, queue, messages);
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

/** amqp-client as its README shows it: confirm mode, basicPublish resolves on the confirm; WINDOW in flight. */
async function amqpClientPublish(client: AMQPClient, queue: string, messages: number): Promise<void> {
  const channel: AMQPChannel = await client.channel();
  try {
    await channel.confirmSelect();
    const properties = { deliveryMode: 2, contentType: 'application/json', contentEncoding: 'utf-8' };
    let sent = 0;
    const worker = async () => {
      while (sent < messages) {
        const i = sent++;
        await channel.basicPublish('', queue, encode(i), properties);
      }
    };
    await Promise.all(Array.from({ length: WINDOW }, worker));
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

async function amqpClientConsume(client: AMQPClient, queue: string, messages: number): Promise<void> {
  const channel = await client.channel();
  try {
    await channel.basicQos(PREFETCH);
    let received = 0;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    const consumer = await channel.basicConsume(queue, { noAck: false }, async (message) => {
      JSON.parse(message.bodyString() ?? 'null');
      await message.ack();
      if (++received === messages) done();
    });
    await finished;
    await consumer.cancel();
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
