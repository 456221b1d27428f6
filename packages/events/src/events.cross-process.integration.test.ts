/**
 * Two Node processes exchanging events over a real broker: this one notifies RemoteEvents, the child
 * (test-support/event-process.ts) rebuilds and notifies them, refuses a bad one, and sends one back.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { requireBroker } from '@warren/conformance';
import { type Connection, connect, Publisher } from '@warren/core';
import { afterAll, describe, expect, it } from 'vitest';
import { EventConsumer, EventRegistry, RemoteEvent } from './index.js';
import { MyEvent, myEventSchema } from './test-support/my-event.js';

const require = createRequire(import.meta.url);
const tsx = require.resolve('tsx/cli');
const child = fileURLToPath(new URL('./test-support/event-process.ts', import.meta.url));
const AMQP_URL = process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const REDIS_URL = process.env.WARREN_REDIS_URL ?? 'redis://127.0.0.1:6379';

const transports = [
  {
    name: 'RabbitMQ',
    url: AMQP_URL,
    ready: await requireBroker('RabbitMQ', AMQP_URL, '@warren/events cross-process tests'),
  },
  {
    name: 'Redis',
    url: REDIS_URL,
    ready: await requireBroker('Redis', REDIS_URL, '@warren/events cross-process tests'),
  },
];

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** Starts the child and gives its output lines as they come. */
function startChild(url: string, exchange: string, count: number) {
  const proc = spawn(process.execPath, [tsx, child, url, exchange, String(count)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(proc);
  const lines: string[] = [];
  let stderr = '';
  const waiters: Array<() => void> = [];
  let buffer = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    buffer += chunk;
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    lines.push(...parts.filter(Boolean));
    for (const wake of waiters.splice(0)) wake();
  });
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => proc.on('close', (code) => resolve(code)));
  /** Resolves when a line passes `test`; rejects if the child ends first. */
  const waitFor = async (test: (line: string) => boolean): Promise<string> => {
    for (;;) {
      const found = lines.find(test);
      if (found) return found;
      const more = new Promise<void>((resolve) => waiters.push(resolve));
      const ended = await Promise.race([more.then(() => false), exited.then(() => true)]);
      if (ended && !lines.some(test))
        throw new Error(`the child ended first\nstdout:\n${lines.join('\n')}\nstderr:\n${stderr}`);
    }
  };
  return { lines, waitFor, exited, stderr: () => stderr };
}

describe.each(transports)('events across two processes over $name', ({ url, ready }) => {
  it.skipIf(!ready)(
    'the child rebuilds and notifies each event, refuses a bad one, and sends one back',
    async () => {
      const exchange = `warren.events-test.${randomBytes(4).toString('hex')}`;
      const registry = new EventRegistry();
      registry.registerEvent('MyEvent', MyEvent, myEventSchema);
      const conn: Connection = await connect(url);
      try {
        // Our side listens for the reply before the child can send it.
        const replies: MyEvent[] = [];
        let gotReply!: () => void;
        const replied = new Promise<void>((resolve) => {
          gotReply = resolve;
        });
        registry.subscribers.push((event) => {
          if (event instanceof MyEvent) {
            replies.push(event);
            gotReply();
          }
        });
        const back = new EventConsumer(conn, { exchange: `${exchange}.back`, registry });
        await back.consume();

        const other = startChild(url, exchange, 3);
        await other.waitFor((line) => line === 'ready');

        // A payload that fails the schema, and an unregistered type: refused there, never notified.
        const raw = new Publisher(conn, { exchange, exchangeType: 'fanout' });
        await raw.send({ type: 'MyEvent', data: { name: '', seq: -1 } });
        await raw.send({ type: 'Unregistered', data: {} });
        for (let seq = 0; seq < 3; seq++) {
          await registry.notify(new RemoteEvent(conn, new MyEvent('from-parent', seq), { exchange, registry }));
        }
        await other.waitFor((line) => line === 'replied');
        expect(await other.exited).toBe(0);
        await replied;

        const received = other.lines
          .filter((l) => l.includes('"received"'))
          .map((l) => JSON.parse(l) as { received: string; instance: boolean; pid: number });
        expect(received.map((r) => r.received)).toEqual(['from-parent#0', 'from-parent#1', 'from-parent#2']);
        expect(received.every((r) => r.instance && r.pid !== process.pid)).toBe(true);
        const refused = other.lines
          .filter((l) => l.includes('"refused"'))
          .map((l) => JSON.parse(l) as { refused: string; message: string });
        expect(refused.map((r) => r.refused)).toEqual(['ValidationError', 'ValidationError']);
        expect(refused[0]?.message).toMatch(/does not match its schema/);
        expect(refused[1]?.message).toMatch(/Unknown event type "Unregistered"/);

        expect(replies).toHaveLength(1);
        expect(replies[0]).toBeInstanceOf(MyEvent);
        expect(replies[0]?.label()).toBe('from-child#3');
        await back.close();
        await conn.deleteExchange(exchange).catch(() => {});
        await conn.deleteExchange(`${exchange}.back`).catch(() => {});
      } finally {
        await conn.close();
      }
    },
    90_000,
  );
});
