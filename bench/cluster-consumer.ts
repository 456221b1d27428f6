/**
 * One competing consumer of bench/cluster.ts, in its own process: consumes a queue with prefetch 100 and an ack per
 * message, and tells its parent (IPC) how many it acked, until the parent says stop.
 */
import '@warren/amqp';
import { Consumer, connect } from '@warren/core';

const [url, queue] = process.argv.slice(2);
if (!url || !queue || !process.send) throw new Error('usage: a child of bench/cluster.ts (url, queue, IPC)');
const send = process.send.bind(process);

const conn = await connect(url);
const consumer = new Consumer(conn, { queue, declare: false, prefetch: 100 });
let acked = 0;
consumer.register(async (_body, message) => {
  await message.ack();
  acked++;
});
await consumer.consume();
send({ ready: true });
const report = setInterval(() => send({ acked }), 50);
process.on('message', async (message: { stop?: boolean }) => {
  if (!message.stop) return;
  clearInterval(report);
  await consumer.close();
  await conn.close();
  send({ acked, stopped: true });
  process.disconnect();
});
