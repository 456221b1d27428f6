// A CommonJS program: @warren/* are ES modules, loaded by require() on Node >= 20.19 (require(esm)).
const assert = require('node:assert/strict');
const { Consumer, connect, Publisher, WarrenError } = require('@warren/core');
const { registerTransport } = require('@warren/core/transport');
require('@warren/amqp');

async function main() {
  assert.equal(typeof registerTransport, 'function');
  // require() and import() give the same module: one core, so instanceof holds across both.
  const imported = await import('@warren/core');
  assert.equal(imported.Publisher, Publisher);
  assert.equal(imported.WarrenError, WarrenError);

  const conn = await connect('memory://commonjs');
  const consumer = new Consumer(conn, { queue: 'packaging.cjs' });
  const received = new Promise((resolve) => {
    consumer.register(async (body, message) => {
      await message.ack();
      resolve(body);
    });
  });
  await consumer.consume();
  await new Publisher(conn, { routingKey: 'packaging.cjs' }).send({ hello: 'require' });
  console.log(`commonjs: received ${JSON.stringify(await received)}`);
  await consumer.close();
  await conn.close();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
