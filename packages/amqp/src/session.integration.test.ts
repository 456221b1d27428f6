import type { MessageProperties } from '@warren/core';
import type { Delivery, TransportSession } from '@warren/core/transport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  brokerAvailable,
  brokerPeerPorts,
  openSession,
  outbound,
  rabbitmqctlAvailable,
  unique,
  within,
} from './test-support/broker.js';

describe.skipIf(!(await brokerAvailable()))('amqp session against RabbitMQ', () => {
  let session: TransportSession;
  const queues: string[] = [];

  beforeAll(async () => {
    ({ session } = await openSession());
  });

  afterAll(async () => {
    for (const queue of queues) await session.deleteQueue(queue, {}).catch(() => undefined);
    await session?.close();
  });

  async function queue(label: string, args: Record<string, unknown> = {}): Promise<string> {
    const name = unique(label);
    queues.push(name);
    await session.declareQueue({ name, durable: false, arguments: args });
    return name;
  }

  it('confirms every publish and the broker holds every message', async () => {
    const name = await queue('confirm');
    await Promise.all(Array.from({ length: 500 }, (_, i) => session.publish(outbound('', name, `m${i}`))));
    const info = await session.declareQueue({ name, durable: false });
    expect(info.messageCount).toBe(500);
  });

  it('carries every property through publish and delivery', async () => {
    const name = await queue('properties');
    const timestamp = new Date(Math.floor(Date.now() / 1000) * 1000);
    const properties: MessageProperties = {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      headers: { compression: 'application/x-gzip', n: 7, nested: { b: 'c' } },
      messageId: 'id-1',
      correlationId: 'corr-1',
      replyTo: 'replies',
      priority: 5,
      expiration: 600_000,
      timestamp,
      persistent: true,
      type: 'kind',
      appId: 'app',
      userId: 'guest',
    };
    await session.publish({
      exchange: '',
      routingKey: name,
      content: Buffer.from('{"a":1}'),
      mandatory: false,
      properties,
    });
    const delivery = await session.get(name, { noAck: true });
    expect(delivery?.content.toString()).toBe('{"a":1}');
    expect(delivery?.properties).toMatchObject(properties);
    expect(delivery?.info).toEqual({ exchange: '', routingKey: name, redelivered: false, queue: name });
  });

  it('fetches with basic.get: null when empty, settle-able deliveries otherwise', async () => {
    const name = await queue('get');
    expect(await session.get(name, { noAck: false })).toBeNull();
    await session.publish(outbound('', name, 'one'));
    const delivery = (await session.get(name, { noAck: false })) as Delivery;
    expect(delivery.content.toString()).toBe('one');
    expect(delivery.info.consumerTag).toBeUndefined();
    await delivery.settler.reject(delivery, true);
    const again = (await session.get(name, { noAck: false })) as Delivery;
    expect(again.info.redelivered).toBe(true);
    await again.settler.ack(again);
    expect((await session.declareQueue({ name, durable: false })).messageCount).toBe(0);
  });

  it('routes through every exchange type and exchange-to-exchange bindings', async () => {
    const source = unique('x-src');
    const topic = unique('x-topic');
    const headers = unique('x-headers');
    await session.declareExchange({ name: source, type: 'fanout', durable: false, autoDelete: false });
    await session.declareExchange({ name: topic, type: 'topic', durable: false });
    await session.declareExchange({ name: headers, type: 'headers', durable: false });
    await session.bindExchange({ destination: topic, source, routingKey: '' });
    const stocks = await queue('stocks');
    const pdfs = await queue('pdfs');
    await session.bindQueue({ queue: stocks, exchange: topic, routingKey: '*.stock.#' });
    await session.bindQueue({ queue: pdfs, exchange: headers, arguments: { 'x-match': 'all', format: 'pdf' } });
    await session.publish(outbound(source, 'usd.stock', 'a'));
    await session.publish(outbound(source, 'eur.stock.db', 'b'));
    await session.publish(outbound(source, 'stock.nasdaq', 'c'));
    await session.publish({ ...outbound(headers, '', 'pdf'), properties: { headers: { format: 'pdf' } } });
    await session.publish({ ...outbound(headers, '', 'doc'), properties: { headers: { format: 'doc' } } });
    expect((await session.declareQueue({ name: stocks, durable: false })).messageCount).toBe(2);
    expect((await session.declareQueue({ name: pdfs, durable: false })).messageCount).toBe(1);
    await session.unbindExchange({ destination: topic, source, routingKey: '' });
    await session.unbindQueue({ queue: stocks, exchange: topic, routingKey: '*.stock.#' });
    for (const exchange of [source, topic, headers]) await session.deleteExchange(exchange, {});
  });

  it('translates queue arguments: TTL, max length, priorities, dead-lettering, quorum queues', async () => {
    const dlx = unique('dlx');
    await session.declareExchange({ name: dlx, type: 'fanout', durable: false });
    const dead = await queue('dead');
    await session.bindQueue({ queue: dead, exchange: dlx });
    const limited = await queue('limited', {
      maxLength: 2,
      deadLetterExchange: dlx,
      maxPriority: 5,
      messageTtl: 60_000,
    });
    for (const body of ['1', '2', '3']) await session.publish(outbound('', limited, body));
    expect(
      (
        await session.declareQueue({
          name: limited,
          durable: false,
          arguments: { maxLength: 2, deadLetterExchange: dlx, maxPriority: 5, messageTtl: 60_000 },
        })
      ).messageCount,
    ).toBe(2);
    expect((await session.declareQueue({ name: dead, durable: false })).messageCount).toBe(1);
    const quorum = unique('quorum');
    queues.push(quorum);
    const info = await session.declareQueue({ name: quorum, durable: true, arguments: { queueType: 'quorum' } });
    expect(info.queue).toBe(quorum);
    await session.deleteExchange(dlx, {});
  });

  it('declares server-named queues, purges and deletes with counts', async () => {
    const info = await session.declareQueue({ exclusive: true });
    expect(info.queue).toMatch(/^amq\.gen-/);
    for (const body of ['a', 'b', 'c']) await session.publish(outbound('', info.queue, body));
    expect(await session.purgeQueue(info.queue)).toBe(3);
    await session.publish(outbound('', info.queue, 'd'));
    expect(await session.deleteQueue(info.queue, {})).toBe(1);
  });

  it('waits instead of buffering under back-pressure and a small confirm window', async () => {
    const { session: tight } = await openSession({ options: { highWaterMark: 2, maxInFlight: 8 } });
    try {
      const name = unique('pressure');
      await tight.declareQueue({ name, durable: false, autoDelete: false });
      const body = Buffer.alloc(32 * 1024, 'x');
      await within(
        Promise.all(Array.from({ length: 300 }, () => tight.publish(outbound('', name, body)))),
        20_000,
        '300 confirms',
      );
      expect((await tight.declareQueue({ name, durable: false })).messageCount).toBe(300);
      await tight.deleteQueue(name, {});
    } finally {
      await tight.close();
    }
  });

  it('reports the local port of its socket, as the broker sees it', async (context) => {
    if (!(await rabbitmqctlAvailable())) return context.skip();
    const ports = session.localPorts();
    expect(ports).toHaveLength(1);
    expect(await brokerPeerPorts()).toContain(ports[0]);
  });

  it('drains on close: every publish made before close() is confirmed, and close is idempotent', async () => {
    const { session: closing } = await openSession();
    const name = unique('drain');
    await closing.declareQueue({ name, durable: false });
    const sends = Array.from({ length: 300 }, (_, i) => closing.publish(outbound('', name, `d${i}`)));
    const closed = closing.close();
    const results = await Promise.allSettled(sends);
    await closed;
    await closing.close();
    expect(results.every((result) => result.status === 'fulfilled')).toBe(true);
    expect((await session.declareQueue({ name, durable: false })).messageCount).toBe(300);
    await session.deleteQueue(name, {});
    await expect(closing.publish(outbound('', name, 'late'))).rejects.toMatchObject({ name: 'ConnectionError' });
  });
});
