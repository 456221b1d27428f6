/**
 * One warren scenario against RabbitMQ, for a CPU profile (not part of `npm run bench`):
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/profile-amqp.ts e2e|consume|publish [messages]
 */
import '@warren/amqp';
import { Consumer, connect, Publisher } from '@warren/core';
import { kibibyteBody } from './payload.js';

const scenario = process.argv[2] ?? 'e2e';
const messages = Number(process.argv[3] ?? 20_000);
const conn = await connect({ url: process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/', heartbeat: 0 });
const queue = `warren.profile.${process.pid}`;
await conn.declareQueue({ name: queue, durable: true });

async function publish(): Promise<void> {
  const publisher = new Publisher(conn, { exchange: '', routingKey: queue, persistent: true });
  let sent = 0;
  const worker = async () => {
    while (sent < messages) {
      sent++;
      await publisher.send(kibibyteBody(sent));
    }
  };
  await Promise.all(Array.from({ length: 1000 }, worker));
}

async function consume(): Promise<void> {
  const consumer = new Consumer(conn, { queue, declare: false, prefetch: 100 });
  let received = 0;
  const done = new Promise<void>((resolve) => {
    consumer.register((_body, message) => {
      message.ack();
      if (++received === messages) resolve();
    });
  });
  await consumer.consume();
  await done;
  await consumer.close();
}

const cpu = process.cpuUsage();
const started = performance.now();
if (scenario === 'publish') await publish();
else if (scenario === 'consume') {
  await publish();
  const c = process.cpuUsage();
  const s = performance.now();
  await consume();
  const used = process.cpuUsage(c);
  console.log(
    `consume ${Math.round(messages / ((performance.now() - s) / 1000))} msgs/s, ${((used.user + used.system) / messages).toFixed(1)} µs/msg`,
  );
} else await Promise.all([consume(), publish()]);
const used = process.cpuUsage(cpu);
console.log(
  `${scenario} ${Math.round(messages / ((performance.now() - started) / 1000))} msgs/s, ${((used.user + used.system) / messages).toFixed(1)} µs/msg`,
);
await conn.deleteQueue(queue);
await conn.close();
