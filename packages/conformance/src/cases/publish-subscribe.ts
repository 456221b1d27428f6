import type { Message } from '@warren/core';
import type { SuiteContext } from '../context.js';
import { range, sendMany } from '../helpers/publish.js';

interface Sent {
  body: { index: number; text: string };
  messageId: string;
  correlationId: string;
  headers: { index: number; tag: string };
}

function makeSent(queue: string, index: number): Sent {
  return {
    body: { index, text: `message ${index}: grüße 🐇` },
    messageId: `${queue}.${index}`,
    correlationId: `correlation-${index}`,
    headers: { index, tag: 'publish-subscribe' },
  };
}

/** Publish and consume in both orders, with the whole message (body and properties) checked on arrival. */
export function publishSubscribeCases(suite: SuiteContext): void {
  suite.test('publish then subscribe: 100 messages, body and properties intact', {}, async (t) => {
    const { expect } = t;
    const queue = t.queue('publish-first');
    await t.declareQueue({ name: queue });
    const publisher = t.publisher({ exchange: '', routingKey: queue });
    const sent = range(100).map((index) => makeSent(queue, index));
    // One at a time, so that the order of arrival can be checked where the transport guarantees it.
    for (const message of sent) {
      await publisher.send(message.body, {
        messageId: message.messageId,
        correlationId: message.correlationId,
        replyTo: `${queue}.reply`,
        headers: message.headers,
      });
    }

    const { consumer, inbox } = t.inbox({ queue, declare: false });
    await consumer.consume();
    const received = await inbox.until(100, t.ms(5_000));

    expect(received).toHaveLength(100);
    const byId = new Map(received.map((message) => [message.properties.messageId, message]));
    expect(byId.size).toBe(100);
    for (const expected of sent) {
      const message = byId.get(expected.messageId);
      expect(message, expected.messageId).toBeDefined();
      expectIntact(t.expect, message as Message, expected, queue);
    }
    if (t.caps.guaranteedOrder) {
      expect(received.map((message) => (message.body as Sent['body']).index)).toEqual(range(100));
    }
  });

  suite.test('subscribe then publish: 100 messages through an exchange', { exchangeTypes: ['direct'] }, async (t) => {
    const { expect } = t;
    const queue = t.queue('subscribe-first');
    const exchange = t.exchange('subscribe-first');
    // The consumer declares the exchange, the queue and the binding itself (declare defaults to true), on a
    // direct exchange: the one type that every transport has.
    const { consumer, inbox } = t.inbox({ queue, exchange, exchangeType: 'direct', routingKey: 'news' });
    await consumer.consume();

    const publisher = t.publisher({ exchange, exchangeType: 'direct', routingKey: 'news' });
    await sendMany(publisher, 100, (index) => ({ body: { index }, options: { messageId: String(index) } }));

    const received = await inbox.until(100, t.ms(5_000));
    expect(received).toHaveLength(100);
    expect(new Set(received.map((message) => (message.body as { index: number }).index))).toEqual(new Set(range(100)));
    for (const message of received) {
      expect(message.deliveryInfo.exchange).toBe(exchange);
      expect(message.deliveryInfo.routingKey).toBe('news');
      expect(message.deliveryInfo.queue).toBe(queue);
      expect(message.acknowledged).toBe(true);
    }
  });
}

function expectIntact(expect: SuiteContext['api']['expect'], message: Message, sent: Sent, queue: string): void {
  expect(message.body).toEqual(sent.body);
  expect(message.contentType).toBe('application/json');
  expect(message.contentEncoding).toBe('utf-8');
  expect(message.content.toString('utf8')).toBe(JSON.stringify(sent.body));
  expect(message.properties.correlationId).toBe(sent.correlationId);
  expect(message.properties.replyTo).toBe(`${queue}.reply`);
  // Brokers may add headers of their own; the ones sent must come back unchanged.
  expect(message.headers).toMatchObject(sent.headers);
  expect(message.deliveryInfo).toMatchObject({ exchange: '', routingKey: queue, queue, redelivered: false });
  expect(message.acknowledged).toBe(true);
}
