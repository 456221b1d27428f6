// The same round trip on RabbitMQ: WARREN_AMQP_URL names it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import '@warren/amqp';
import { Consumer, connect, Publisher } from '@warren/core';

const url = process.env.WARREN_AMQP_URL;
assert.ok(url, 'WARREN_AMQP_URL is required');
const queue = `packaging.amqp.${randomUUID()}`;
const conn = await connect(url);
try {
  await conn.declareQueue({ name: queue, durable: false, autoDelete: false });
  await new Publisher(conn, { routingKey: queue }).send({ hello: 'amqp' });
  const consumer = new Consumer(conn, { queue, durable: false });
  for await (const message of consumer) {
    await message.ack();
    console.log(
      `amqp: received ${JSON.stringify(message.body)} on ${message.deliveryInfo.routingKey === queue ? 'its queue' : '?'}`,
    );
    break;
  }
  await consumer.close();
} finally {
  await conn.deleteQueue(queue).catch(() => undefined);
  await conn.close();
}
