// An application as a user writes it, run from a fresh project that installed the packed tarballs.
import assert from 'node:assert/strict';
import * as core from '@warren/core';
import { ConfigurationError, ConnectionError, Consumer, connect, Publisher } from '@warren/core';
import * as toolkit from '@warren/core/transport';

// The main entry is the user API; what only transport authors need is on @warren/core/transport.
assert.equal('registerTransport' in core, false, 'registerTransport leaked into the main entry');
assert.equal(typeof toolkit.registerTransport, 'function');
console.log('entries: @warren/core and @warren/core/transport');

const conn = await connect('memory://packaging');
const consumer = new Consumer(conn, { queue: 'packaging.esm' });
const received = new Promise((resolve) => {
  consumer.register(async (body, message) => {
    await message.ack();
    resolve(body);
  });
});
await consumer.consume();
await new Publisher(conn, { routingKey: 'packaging.esm' }).send({ hello: 'memory' });
console.log(`memory: received ${JSON.stringify(await received)}`);
await consumer.close();
await conn.close();

await assert.rejects(connect('nosuch://host'), ConfigurationError);
console.log('unknown scheme: ConfigurationError');

// connect() loads @warren/amqp by itself for amqp://; its errors are instances of the one installed core's classes.
await assert.rejects(
  connect({ url: 'amqp://127.0.0.1:1/', reconnect: { retries: 0 } }),
  (error) => error instanceof ConnectionError && !String(error.message).includes('docker/compose.yml'),
);
console.log('amqp refused: ConnectionError from the same core');
