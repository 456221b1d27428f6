/**
 * kombu's SimpleQueue on warren: a queue used like a local one.
 *
 *   npx tsx examples/simple-queue.ts                                              # memory:// (no broker needed)
 *   WARREN_URL=amqp://guest:guest@127.0.0.1:5672/ npx tsx examples/simple-queue.ts   # any broker, by URL
 *
 * put three jobs, look at the size, take them one by one with get (acking each), see get give null once the
 * queue is empty, then clear what a last put left.
 */
import { connect, SimpleQueue } from '@warren/core';

const url = process.env.WARREN_URL ?? 'memory://';
const conn = await connect(url);
console.log(`connected to ${conn.url}`);
const name = `jobs.${process.pid}`;

const jobs = new SimpleQueue<{ job: number }>(conn, name);
for (const job of [1, 2, 3]) await jobs.put({ job });
console.log(`put 3 jobs; size ${await jobs.size()}`);

for (let message = await jobs.get({ timeoutMs: 1_000 }); message; message = await jobs.get({ timeoutMs: 200 })) {
  console.log(`got job ${message.body.job}`);
  await message.ack();
}
console.log('get: null, the queue is empty');

await jobs.put({ job: 4 });
console.log(`clear: dropped ${await jobs.clear()} job(s); size ${await jobs.size()}`);

await jobs.close();
await conn.deleteQueue(name);
await conn.close();
console.log('connection closed');
