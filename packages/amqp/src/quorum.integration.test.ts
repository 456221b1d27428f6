import { requireBroker, uniqueName } from '@warren/conformance';
import { type Connection, Consumer, connect, type Message, Publisher } from '@warren/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import './index.js';
import { AMQP_URL } from './test-support/broker.js';

const reachable = await requireBroker('RabbitMQ', AMQP_URL);

describe.skipIf(!reachable)('quorum queues on RabbitMQ', () => {
  let conn: Connection;
  beforeAll(async () => {
    conn = await connect(AMQP_URL);
  });
  afterAll(async () => {
    await conn?.close();
  });

  it('shows the delivery count, and dead-letters a message past its delivery limit', async () => {
    const queue = uniqueName('quorum.limit');
    const dead = uniqueName('quorum.dead');
    await conn.declareQueue({ name: dead, durable: true });
    await conn.declareQueue({
      name: queue,
      durable: true,
      arguments: { queueType: 'quorum', deliveryLimit: 2, deadLetterExchange: '', deadLetterRoutingKey: dead },
    });
    await new Publisher<string>(conn, { routingKey: queue }).send('poison');
    const counts: (number | undefined)[] = [];
    const consumer = new Consumer<string>(conn, { queue, declare: false });
    const done = new Promise<void>((resolve) => {
      consumer.register(async (_body, message: Message<string>) => {
        counts.push(message.deliveryInfo.deliveryCount);
        await message.requeue();
        if (counts.length === 3) resolve();
      });
    });
    await consumer.consume();
    await done;
    const reader = new Consumer<string>(conn, { queue: dead, declare: false });
    let deadLettered: Message<string> | null = null;
    for (let i = 0; i < 200 && deadLettered === null; i++) {
      deadLettered = await reader.fetch();
      if (deadLettered === null) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await consumer.close();
    expect(counts).toEqual([undefined, 1, 2]);
    expect(deadLettered?.body).toBe('poison');
    await deadLettered?.ack();
    await reader.close();
    await conn.deleteQueue(queue);
    await conn.deleteQueue(dead);
  });
});
