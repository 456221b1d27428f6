/**
 * @warren/pulse and @warren/events across a cut connection (real RabbitMQ): a durable Pulse consumer and an event
 * consumer on a named queue lose nothing when their connection is cut broker-side; core reconnects and redeclares
 * their queues and bindings, and every message is counted.
 */
import { randomBytes } from 'node:crypto';
import { requireBroker } from '@warren/conformance';
import { connect } from '@warren/core';
import { EventConsumer, EventRegistry, RemoteEvent } from '@warren/events';
import { consumers, messages, publishers } from '@warren/pulse';
import { describe, expect, it } from 'vitest';
import { AMQP_URL, closeOwnAmqpConnection } from '../support/rabbitmq.js';
import { nextEvent, until } from '../support/wait.js';

const reachable = await requireBroker('RabbitMQ', AMQP_URL, 'pulse/events fault tests');
const RUN = randomBytes(4).toString('hex');
const reconnect = { reconnect: { retries: 50, minDelayMs: 50, maxDelayMs: 500 } };

describe.skipIf(!reachable)('Pulse and events across a cut connection', () => {
  it('a durable Pulse consumer gets every message sent before, during and after the cut', async () => {
    const publisher = new publishers.GenericPublisher({ url: AMQP_URL, exchange: `faults-${RUN}` });
    await publisher.declare();
    const consumer = new consumers.GenericConsumer({
      url: AMQP_URL,
      connectOptions: reconnect,
      exchange: publisher.exchange,
      applabel: `faults-${RUN}`,
      durable: true,
      topic: 'test',
    });
    const seen = new Set<number>();
    consumer.on('error', () => {}); // an ack cut by the loss: the message comes again
    await consumer.start((body) => {
      seen.add((body.payload as { n: number }).n);
    });
    const send = (n: number) => publisher.publish(new messages.test.TestMessage().setData('n', n));
    try {
      for (let n = 0; n < 50; n++) await send(n);
      const conn = await consumer.connect();
      const reconnected = nextEvent(conn, 'reconnect', 30_000);
      await closeOwnAmqpConnection(conn);
      for (let n = 50; n < 100; n++) await send(n); // while the consumer reconnects: the durable queue keeps them
      await reconnected;
      for (let n = 100; n < 150; n++) await send(n);
      await until(() => seen.size === 150, 30_000, `150 distinct messages (have ${seen.size})`);
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 150 }, (_, n) => n));
    } finally {
      await consumer.deleteQueue().catch(() => {});
      await consumer.disconnect();
      const admin = await connect(AMQP_URL);
      await admin.deleteExchange(publisher.exchange).catch(() => {});
      await admin.close();
      await publisher.disconnect();
    }
  }, 90_000);

  it('an EventConsumer on a named queue gets the events broadcast while its connection was cut', async () => {
    class Tick {
      constructor(readonly n: number) {}
    }
    const registry = new EventRegistry();
    registry.registerEvent('Tick', Tick);
    const seen = new Set<number>();
    registry.subscribers.push((event) => {
      if (event instanceof Tick) seen.add(event.n);
    });
    const exchange = `warren.faults-events.${RUN}`;
    const queue = `warren.faults-events.${RUN}`;
    const consumerConn = await connect(AMQP_URL, reconnect);
    const senderConn = await connect(AMQP_URL);
    const consumer = new EventConsumer(consumerConn, { exchange, queue, registry });
    consumer.on('error', () => {});
    try {
      await consumer.consume();
      const send = (n: number) => registry.notify(new RemoteEvent(senderConn, new Tick(n), { exchange, registry }));
      for (let n = 0; n < 30; n++) await send(n);
      const reconnected = nextEvent(consumerConn, 'reconnect', 30_000);
      await closeOwnAmqpConnection(consumerConn);
      for (let n = 30; n < 60; n++) await send(n);
      await reconnected;
      await until(() => seen.size === 60, 30_000, `60 distinct events (have ${seen.size})`);
      expect(seen.size).toBe(60);
    } finally {
      await consumer.close().catch(() => {});
      await consumerConn.deleteQueue(queue).catch(() => {});
      await consumerConn.deleteExchange(exchange).catch(() => {});
      await consumerConn.close();
      await senderConn.close();
    }
  }, 90_000);
});
