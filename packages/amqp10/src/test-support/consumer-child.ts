/**
 * A consumer in its own process, for the SIGKILL fault test: consumes `queue` (argv[2]) over AMQP 1.0 with prefetch
 * 20, prints `got <id>` for each message; accepts the first 100 and prints `acked <id>`, and holds the rest
 * unsettled until it is killed.
 */
import { Consumer, connect } from '@warren/core';
import '../index.js';

const url = process.env.WARREN_AMQP10_URL ?? 'amqp10://guest:guest@127.0.0.1:5672';
const queue = process.argv[2] as string;
const conn = await connect({ url, heartbeat: 10 });
const consumer = new Consumer(conn, { queue, declare: false, prefetch: 20 });
let taken = 0;
consumer.register(async (_body, message) => {
  process.stdout.write(`got ${message.properties.messageId}\n`);
  taken += 1;
  if (taken > 100) return new Promise<void>(() => {});
  await message.ack();
  process.stdout.write(`acked ${message.properties.messageId}\n`);
});
await consumer.consume();
process.stdout.write('consuming\n');
