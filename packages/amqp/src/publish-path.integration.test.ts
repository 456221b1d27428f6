import type { MessageProperties } from '@warren/core';
import type { Delivery, TransportSession } from '@warren/core/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { brokerAvailable, openSession, outbound, unique, within } from './test-support/broker.js';

/**
 * The publish path writes its own frames to the socket (frame-encoder.ts, publish-writer.ts): what RabbitMQ
 * makes of them, with bodies split over many frames, and with other channels writing at the same time.
 */
describe.skipIf(!(await brokerAvailable()))('amqp publish path against RabbitMQ', () => {
  let session: TransportSession;
  const queues: string[] = [];

  beforeAll(async () => {
    ({ session } = await openSession({ options: { frameMax: 4096 } }));
  });

  afterAll(async () => {
    for (const queue of queues) await session.deleteQueue(queue, {}).catch(() => undefined);
    await session?.close();
  });

  async function queue(label: string): Promise<string> {
    const name = unique(label);
    queues.push(name);
    await session.declareQueue({ name, durable: false });
    return name;
  }

  it('carries bodies over frame-max, exactly frame-max and empty, with every property', async () => {
    const name = await queue('split');
    const properties: MessageProperties = {
      contentType: 'application/octet-stream',
      contentEncoding: 'binary',
      headers: { n: 1, s: 'é', list: [1, 'two'], table: { a: true } },
      messageId: 'm',
      correlationId: 'c',
      replyTo: 'r',
      priority: 3,
      expiration: 600_000,
      timestamp: new Date(1_700_000_000_000),
      persistent: true,
      type: 't',
      appId: 'a',
      userId: 'guest',
    };
    const large = Buffer.alloc(100_000);
    for (let i = 0; i < large.length; i++) large[i] = i % 253;
    const bodies = [large, Buffer.alloc(4088, 7), Buffer.alloc(0)];
    for (const content of bodies)
      await session.publish({ exchange: '', routingKey: name, content, properties, mandatory: false });
    for (const content of bodies) {
      const delivery = (await session.get(name, { noAck: true })) as Delivery;
      expect(delivery.content.equals(content)).toBe(true);
      expect(delivery.properties).toMatchObject(properties);
    }
  });

  it('keeps every message whole while consumers ack and topology calls run on other channels', async () => {
    const target = await queue('busy-target');
    const side = await queue('busy-side');
    await Promise.all(Array.from({ length: 500 }, (_, i) => session.publish(outbound('', side, `side-${i}`))));
    let acked = 0;
    const consumer = await session.consume(side, { prefetch: 50, noAck: false, exclusive: false }, (delivery) => {
      delivery.settler.ack(delivery);
      acked++;
    });
    const body = Buffer.alloc(6000, 'b'); // two body frames each
    const publishes = Array.from({ length: 3000 }, () => session.publish(outbound('', target, body)));
    const topology = Array.from({ length: 50 }, (_, i) =>
      session.declareQueue({ name: `${target}.extra.${i}`, durable: false, autoDelete: true }).then(async (info) => {
        await session.deleteQueue(info.queue, {});
      }),
    );
    await within(Promise.all([...publishes, ...topology]), 30_000, 'every publish and topology call');
    await within(
      (async () => {
        while (acked < 500) await new Promise((resolve) => setTimeout(resolve, 10));
      })(),
      30_000,
      'every side message acked',
    );
    await consumer.close();
    expect((await session.declareQueue({ name: target, durable: false })).messageCount).toBe(3000);
    const sample = (await session.get(target, { noAck: true })) as Delivery;
    expect(sample.content.equals(body)).toBe(true);
  });
});
