import { Consumer, connect, Publisher } from '@warren/core';
import { type BenchRow, kibibyteBody, printRows } from './payload.js';

/**
 * memory:// end to end (publish, route, deliver, decode, ack) against a baseline that only JSON-encodes, decodes
 * and calls a callback, in the same process; then a slow consumer, to show that the heap stays bounded because
 * `send` waits at the queue's high-water mark.
 */
export async function runMemoryBench(messages = 200_000): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  // Warm both paths up so that neither pays for JIT compilation in its timed run.
  await baseline(20_000);
  await warrenEndToEnd(20_000, 'warm');
  rows.push({
    scenario: 'json encode+decode+callback',
    subject: 'baseline',
    messages,
    msgsPerSecond: await baseline(messages),
  });
  rows.push({
    scenario: 'memory:// end-to-end',
    subject: 'warren',
    messages,
    msgsPerSecond: await warrenEndToEnd(messages, 'timed'),
  });
  const bounded = await slowConsumer(100_000);
  rows.push({
    scenario: 'memory:// slow consumer',
    subject: 'warren',
    messages: 100_000,
    msgsPerSecond: bounded.msgsPerSecond,
    note: `peak queue depth ${bounded.peakDepth} (high-water mark ${bounded.highWaterMark}), heap growth ${bounded.heapGrowthMiB.toFixed(1)} MiB`,
  });
  return rows;
}

async function baseline(messages: number): Promise<number> {
  let received = 0;
  const callback = (body: unknown): void => {
    if (body !== null) received++;
  };
  const started = performance.now();
  for (let i = 0; i < messages; i++) {
    const bytes = Buffer.from(JSON.stringify(kibibyteBody(i)), 'utf8');
    callback(JSON.parse(bytes.toString('utf8')));
  }
  const seconds = (performance.now() - started) / 1000;
  if (received !== messages) throw new Error(`baseline lost messages: ${received}/${messages}`);
  return messages / seconds;
}

async function warrenEndToEnd(messages: number, tag: string): Promise<number> {
  const conn = await connect(`memory://bench-${tag}`);
  const queue = `bench.e2e.${tag}`;
  const publisher = new Publisher(conn, { exchange: 'bench', routingKey: 'e2e' });
  const consumer = new Consumer(conn, { queue, exchange: 'bench', routingKey: 'e2e', prefetch: 100 });
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  consumer.register((_body, message) => {
    message.ack();
    if (++received === messages) done();
  });
  await consumer.consume();
  const started = performance.now();
  await publishAll(publisher, messages);
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await consumer.close();
  await conn.close();
  return messages / seconds;
}

/** Sends with up to `window` sends outstanding, as a producer with publisher confirms would. */
async function publishAll(publisher: Publisher, messages: number, window = 1000): Promise<void> {
  let pending: Promise<void>[] = [];
  for (let i = 0; i < messages; i++) {
    pending.push(publisher.send(kibibyteBody(i)));
    if (pending.length === window) {
      await Promise.all(pending);
      pending = [];
    }
  }
  await Promise.all(pending);
}

async function slowConsumer(
  messages: number,
): Promise<{ msgsPerSecond: number; peakDepth: number; heapGrowthMiB: number; highWaterMark: number }> {
  const highWaterMark = 5_000;
  const conn = await connect(`memory://bench-slow?highWaterMark=${highWaterMark}`);
  const queue = 'bench.slow';
  const publisher = new Publisher(conn, { exchange: 'bench-slow', routingKey: 'slow' });
  const consumer = new Consumer(conn, { queue, exchange: 'bench-slow', routingKey: 'slow', prefetch: 10 });
  let received = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  // The consumer yields to the event loop for every message: much slower than the producer.
  consumer.register(async (_body, message) => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    await message.ack();
    if (++received === messages) done();
  });
  await consumer.consume();
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  let peakHeap = heapBefore;
  let peakDepth = 0;
  const started = performance.now();
  const sampler = setInterval(async () => {
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    const info = await conn.declareQueue({ name: queue, durable: true });
    peakDepth = Math.max(peakDepth, info.messageCount);
  }, 20);
  await publishAll(publisher, messages, 100);
  await finished;
  clearInterval(sampler);
  const seconds = (performance.now() - started) / 1000;
  await consumer.close();
  await conn.close();
  return {
    msgsPerSecond: messages / seconds,
    peakDepth,
    heapGrowthMiB: (peakHeap - heapBefore) / 2 ** 20,
    highWaterMark,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runMemoryBench();
  printRows('memory:// (1 KiB JSON)', rows, [
    { label: 'warren/baseline', warren: 'memory:// end-to-end', baseline: 'json encode+decode+callback' },
  ]);
}
