/**
 * zamqp's consumer and producer: a consumer with a callback, run in the background (zamqp's AMQPThread), and a
 * producer called with any serializable message. Every consumer bound to the fanout exchange gets every message.
 *
 *   npx tsx examples/zamqp/consumer-producer.ts                                          # memory://
 *   WARREN_URL=amqp://guest:guest@127.0.0.1:5672/ npx tsx examples/zamqp/consumer-producer.ts
 */
import { connect } from '@warren/core';
import { BackgroundRunner, BroadcastConsumer, createProducer } from '@warren/events';

const url = process.env.WARREN_URL ?? 'memory://';
// zamqp's AMQPProps(host, user, password, ssl, realm) are a URL here; connectProps({ host, user, ... }) builds one.
const connection = await connect(url);
const props = { exchange: 'zamqp.broadcast.fanout', exchangeType: 'fanout' as const };

const messages = ['foo', { any: 'serializable', value: [1, 2, 3] }];
let received = 0;
let allReceived!: () => void;
const done = new Promise<void>((resolve) => {
  allReceived = resolve;
});

// Create the consumer callback, then the consumer, and run it in the background.
function callback(message: unknown): void {
  console.log(`received: ${JSON.stringify(message)}`);
  received += 1;
  if (received === messages.length) allReceived();
}
const consumer = new BroadcastConsumer(connection, props, callback);
const runner = new BackgroundRunner(consumer);
await runner.start(); // resolves once the consumer is subscribed

// Create a producer and send messages: any JSON-serializable value.
const producer = createProducer(connection, props);
for (const message of messages) {
  await producer(message); // resolves once the broker took it
  console.log(`sent: ${JSON.stringify(message)}`);
}

await done;
await runner.stop(); // stops cleanly: callbacks under way finish first
await producer.close();
await connection.close();
console.log('stopped');
