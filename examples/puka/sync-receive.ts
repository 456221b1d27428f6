/**
 * puka's synchronous receive, on warren: consume from queue "test" with prefetch 1, take three messages one after
 * the other, ack each, close.
 *
 *   npx tsx examples/puka/sync-receive.ts                                     # memory://
 *   WARREN_URL=amqp://guest:guest@127.0.0.1:5672/ npx tsx examples/puka/sync-receive.ts
 *
 * On a broker, run examples/puka/sync-send.ts a few times first. So that the example also ends by itself on
 * memory:// (an in-process broker that no other process can fill) or on an empty queue, it first sends whatever
 * is missing to make three messages, as sync-send.ts does.
 */
import { Consumer, connect, Publisher } from '@warren/core';

const url = process.env.WARREN_URL ?? 'memory://';
const WANTED = 3;

const client = await connect(url);
try {
  const { messageCount } = await client.declareQueue({ name: 'test', durable: true });
  if (messageCount < WANTED) {
    const publisher = new Publisher(client, { exchange: '', routingKey: 'test' });
    for (let i = messageCount; i < WANTED; i++) await publisher.send('Hello world!');
    await publisher.close();
    console.log(` [*] Queue "test" held ${messageCount} message(s): sent ${WANTED - messageCount} more`);
  }

  console.log(' [*] Waiting for messages.');
  const consumer = new Consumer(client, { queue: 'test', prefetch: 1 });
  let received = 0;
  for await (const message of consumer) {
    received += 1;
    console.log(` [x] Received message ${received}: ${JSON.stringify(message.body)}`);
    await message.ack();
    if (received === WANTED) break; // leaving the loop cancels the subscription
  }
  await consumer.close();
} finally {
  await client.close();
}
