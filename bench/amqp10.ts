/**
 * warren over AMQP 1.0 (RabbitMQ's AMQP 1.0 plugin) against raw rhea, in the same run with the same settings
 * (1 KiB JSON in one data section, durable messages, a durable queue declared beforehand, heartbeat 60 s):
 * - settled send: 1000 messages in flight, each waiting for the broker's `accepted`;
 * - receive with accept: link credit 100 given back as messages are accepted, one `accepted` per message;
 * - end to end (both at once).
 * Each pair runs raw then warren, twice, and keeps the best of each (the box has 2 cores and a shared broker).
 *
 *   npx tsx bench/amqp10.ts        (after npm run build; WARREN_AMQP10_URL / WARREN_AMQP_URL pick another broker)
 */
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import '@warren/amqp10';
import { type Connection, Consumer, connect, Publisher } from '@warren/core';
import amqplib, { type Channel } from 'amqplib';
import rhea, { type EventContext, type Connection as RheaConnection } from 'rhea';
import { listening } from './listening.js';
import { type BenchRow, kibibyteBody, printRows } from './payload.js';

const AMQP10_URL = process.env.WARREN_AMQP10_URL ?? 'amqp10://guest:guest@127.0.0.1:5672';
const AMQP_URL = process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const WINDOW = 1000;
const PREFETCH = 100;
const MESSAGES = Number(process.env.WARREN_BENCH_MESSAGES ?? 20_000);
const RUN = randomBytes(3).toString('hex');
let sequence = 0;
const uniqueQueue = (label: string) => `warren.bench10.${label}.${RUN}.${++sequence}`;

type Scenario = 'send' | 'receive' | 'e2e';
const SCENARIO_NAMES: Record<Scenario, string> = {
  send: 'settled send (1000 in flight)',
  receive: 'receive with accept (credit 100)',
  e2e: 'end-to-end',
};

/** Opens a raw rhea connection with the settings warren uses (no reconnect, idle timeout 60 s). */
function openRaw(url: URL): Promise<RheaConnection> {
  return new Promise((resolve, reject) => {
    const connection = rhea.create_container().connect({
      host: url.hostname,
      port: Number(url.port || 5672),
      username: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      reconnect: false,
      idle_time_out: 60_000,
    });
    connection.once('connection_open', () => resolve(connection));
    connection.once('disconnected', (context: EventContext) => reject(context.error ?? new Error('disconnected')));
  });
}

/** Runs the AMQP 1.0 benchmarks, prints them with the warren/raw ratios, and returns the rows. */
export async function runAmqp10Bench(messages = MESSAGES): Promise<BenchRow[]> {
  const target = new URL(AMQP10_URL);
  if (!(await listening(target.hostname, Number(target.port || 5672)))) {
    const where = `${target.hostname}:${target.port || 5672}`;
    if (process.env.CI === 'true')
      throw new Error(`RabbitMQ not reachable at ${where}: the AMQP 1.0 benchmark needs it`);
    console.log(`\namqp10:// skipped: RabbitMQ (with rabbitmq_amqp1_0) not reachable at ${where}`);
    return [];
  }
  const raw = await openRaw(target);
  raw.on('error', () => undefined);
  const conn = await connect({ url: AMQP10_URL, heartbeat: 60 });
  const adminModel = await amqplib.connect(AMQP_URL);
  const admin = await adminModel.createChannel();
  const rows: BenchRow[] = [];
  try {
    for (const scenario of ['send', 'receive', 'e2e'] as const) {
      await measure(scenario, 'raw', raw, conn, admin, 2_000);
      await measure(scenario, 'warren', raw, conn, admin, 2_000);
    }
    for (const scenario of ['send', 'receive', 'e2e'] as const) {
      const best: Record<'raw' | 'warren', number> = { raw: 0, warren: 0 };
      const cpu: Record<'raw' | 'warren', number> = { raw: 0, warren: 0 };
      for (let round = 0; round < 2; round++) {
        for (const subject of ['raw', 'warren'] as const) {
          const result = await measure(scenario, subject, raw, conn, admin, messages);
          if (result.msgsPerSecond > best[subject]) {
            best[subject] = result.msgsPerSecond;
            cpu[subject] = result.cpuMicros;
          }
        }
      }
      for (const subject of ['raw', 'warren'] as const) {
        rows.push({
          scenario: SCENARIO_NAMES[scenario],
          subject,
          messages,
          msgsPerSecond: best[subject],
          note: `client CPU ${cpu[subject].toFixed(0)} µs/msg`,
        });
      }
    }
  } finally {
    await conn.close();
    raw.close();
    await adminModel.close();
  }
  printRows('amqp10:// on RabbitMQ 3.10 AMQP 1.0 plugin (1 KiB JSON, durable; best of 2 runs each)', rows, []);
  for (const scenario of Object.values(SCENARIO_NAMES)) {
    const r = rows.find((row) => row.scenario === scenario && row.subject === 'raw');
    const w = rows.find((row) => row.scenario === scenario && row.subject === 'warren');
    if (r && w) console.log(`  ratio warren/raw, ${scenario}: ${(w.msgsPerSecond / r.msgsPerSecond).toFixed(2)}`);
  }
  return rows;
}

async function measure(
  scenario: Scenario,
  subject: 'raw' | 'warren',
  raw: RheaConnection,
  conn: Connection,
  admin: Channel,
  messages: number,
): Promise<{ msgsPerSecond: number; cpuMicros: number }> {
  const queue = uniqueQueue(`${scenario}-${subject}`);
  await admin.assertQueue(queue, { durable: true });
  try {
    if (scenario === 'receive') await rawSend(raw, queue, messages); // fill, untimed
    const cpu = process.cpuUsage();
    const started = performance.now();
    if (scenario === 'send')
      await (subject === 'raw' ? rawSend(raw, queue, messages) : warrenSend(conn, queue, messages));
    else if (scenario === 'receive')
      await (subject === 'raw' ? rawReceive(raw, queue, messages) : warrenReceive(conn, queue, messages));
    else {
      const received = subject === 'raw' ? rawReceive(raw, queue, messages) : warrenReceive(conn, queue, messages);
      await (subject === 'raw' ? rawSend(raw, queue, messages) : warrenSend(conn, queue, messages));
      await received;
    }
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    return { msgsPerSecond: messages / seconds, cpuMicros: (used.user + used.system) / messages };
  } finally {
    await admin.deleteQueue(queue);
  }
}

/** rhea as its examples do: one sender, `sendable` respected, at most WINDOW unsettled, done on the last `accepted`. */
function rawSend(connection: RheaConnection, queue: string, messages: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const sender = connection.open_sender({ target: { address: `/amq/queue/${queue}` } });
    let sent = 0;
    let accepted = 0;
    const fill = () => {
      while (sent < messages && sent - accepted < WINDOW && sender.sendable()) {
        sender.send({
          body: rhea.message.data_section(Buffer.from(JSON.stringify(kibibyteBody(sent)), 'utf8')),
          content_type: 'application/json',
          content_encoding: 'utf-8',
          durable: true,
        });
        sent++;
      }
    };
    sender.on('sendable', fill);
    sender.on('accepted', () => {
      accepted++;
      if (accepted === messages) {
        sender.close();
        resolve();
      } else fill();
    });
    sender.on('rejected', () => reject(new Error('rejected')));
    sender.on('released', () => reject(new Error('released')));
  });
}

async function warrenSend(conn: Connection, queue: string, messages: number): Promise<void> {
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

/** A receiver with auto-accept off, credit PREFETCH given back one per accepted message. */
function rawReceive(connection: RheaConnection, queue: string, messages: number): Promise<void> {
  return new Promise((resolve) => {
    const session = connection.create_session();
    session.begin();
    const receiver = session.attach_receiver({
      source: { address: `/amq/queue/${queue}` },
      autoaccept: false,
      credit_window: 0,
    });
    receiver.once('receiver_open', () => receiver.add_credit(PREFETCH));
    let received = 0;
    receiver.on('message', (context: EventContext) => {
      const body = context.message?.body as { content: Buffer };
      JSON.parse(body.content.toString('utf8'));
      context.delivery?.accept();
      receiver.add_credit(1);
      if (++received === messages) {
        receiver.close();
        receiver.once('receiver_close', () => {
          session.close();
          resolve();
        });
      }
    });
  });
}

async function warrenReceive(conn: Connection, queue: string, messages: number): Promise<void> {
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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await runAmqp10Bench();
