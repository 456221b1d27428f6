/**
 * puka's synchronous send, on warren: connect, declare queue "test", publish "Hello world!" to it through the
 * default exchange, wait for the broker to take it, close. Each step is awaited in turn.
 *
 *   npx tsx examples/puka/sync-send.ts                                        # memory://
 *   WARREN_URL=amqp://guest:guest@127.0.0.1:5672/ npx tsx examples/puka/sync-send.ts
 */
import { connect, Publisher } from '@warren/core';

const url = process.env.WARREN_URL ?? 'memory://';

const client = await connect(url);
try {
  await client.declareQueue({ name: 'test', durable: true });

  // The default exchange '' routes to the queue named by the routing key (and is never declared).
  const publisher = new Publisher(client, { exchange: '', routingKey: 'test' });
  await publisher.send('Hello world!'); // resolves once the broker has taken responsibility for the message
  console.log(' [*] Message sent');
  await publisher.close();
} finally {
  await client.close();
}
