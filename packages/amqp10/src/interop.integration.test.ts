/**
 * Interop over AMQP 1.0 with another implementation, on both brokers: the Python Qpid Proton client
 * (`/usr/bin/python3`, python3-qpid-proton) sends and warren receives, and the other way, with bodies, properties
 * and application properties compared. And across protocols through RabbitMQ: AMQP 0-9-1 (@warren/amqp) to AMQP
 * 1.0 (@warren/amqp10) and back, body intact.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import '@warren/amqp';
import { collect } from '@warren/conformance';
import { type Connection, Consumer, connect, type Message, Publisher } from '@warren/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AMQP_URL,
  connectProton,
  connectRabbitmq,
  PROTON_URL,
  protonAvailable,
  RABBITMQ_URL,
  rabbitmqAvailable,
  unique,
} from './test-support/broker.js';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const script = (name: string) => fileURLToPath(new URL(`./test-support/${name}`, import.meta.url));

/** Whether the Python client can be imported; under CI=true it must be. */
async function protonClientAvailable(): Promise<boolean> {
  try {
    await run(PYTHON, ['-c', 'import proton']);
    return true;
  } catch {
    if (process.env.CI === 'true') throw new Error('python3-qpid-proton is not importable and CI=true');
    console.warn(
      'python3-qpid-proton not importable: skipping the Python interop tests (apt-get install python3-qpid-proton)',
    );
    return false;
  }
}

const python = await protonClientAvailable();
const brokers = [
  {
    name: 'RabbitMQ',
    available: python && (await rabbitmqAvailable()),
    connect: () => connectRabbitmq(),
    // Python's URL for the broker and its address for a queue.
    pythonUrl: `amqp://${new URL(RABBITMQ_URL).username}:${new URL(RABBITMQ_URL).password}@${new URL(RABBITMQ_URL).host}`,
    address: (queue: string) => `/amq/queue/${queue}`,
  },
  {
    name: 'the Qpid Proton example broker',
    available: python && (await protonAvailable()),
    connect: () => connectProton(),
    pythonUrl: `amqp://${new URL(PROTON_URL).host}`,
    address: (queue: string) => queue,
  },
];

interface PythonMessage {
  body: unknown;
  properties: Record<string, unknown>;
  application_properties: Record<string, unknown>;
}

async function pythonSend(url: string, address: string, items: unknown[]): Promise<void> {
  const { stdout } = await run(PYTHON, [script('proton_send.py'), url, address, JSON.stringify(items)], {
    timeout: 30_000,
  });
  expect(stdout.trim()).toBe(`sent ${items.length}`);
}

async function pythonReceive(url: string, address: string, count: number): Promise<PythonMessage[]> {
  const { stdout } = await run(PYTHON, [script('proton_receive.py'), url, address, String(count)], {
    timeout: 30_000,
  });
  return JSON.parse(stdout) as PythonMessage[];
}

for (const broker of brokers) {
  describe.skipIf(!broker.available)(`Python Qpid Proton client <-> warren on ${broker.name}`, () => {
    let conn: Connection;
    beforeAll(async () => {
      conn = await broker.connect();
    });
    afterAll(async () => {
      await conn?.close();
    });

    it('Python sends, warren receives: bodies, properties and application properties equal', async () => {
      const queue = unique('from-python');
      await conn.declareQueue({ name: queue, durable: false });
      const applicationProperties = { n: 7, s: 'grüße', b: true };
      await pythonSend(broker.pythonUrl, broker.address(queue), [
        {
          body: 'grüße, warren',
          properties: { id: 'text-1', correlation_id: 'c-1', reply_to: 'replies', subject: 'greeting' },
          application_properties: applicationProperties,
        },
        {
          body: { a: 1, list: [1, 'two', null], nested: { ok: true } },
          properties: { id: 'map-1', content_type: 'application/json' },
          application_properties: applicationProperties,
        },
        { body: { $binary: '00ff10' }, properties: { id: 'binary-1' }, application_properties: {} },
      ]);
      const consumer = new Consumer(conn, {
        queue,
        declare: false,
        accept: ['json', 'text', 'binary'],
        noAck: !conn.capabilities.acks,
      });
      const received = await collect(consumer, 3, 10_000);
      await consumer.close();
      const byId = new Map(received.map((message: Message) => [message.properties.messageId, message]));

      const text = byId.get('text-1');
      expect(text?.body).toBe('grüße, warren');
      expect(text?.contentType).toBe('text/plain');
      expect(text?.properties).toMatchObject({ correlationId: 'c-1', replyTo: 'replies', type: 'greeting' });
      expect(text?.headers).toEqual(applicationProperties);

      const map = byId.get('map-1');
      expect(map?.body).toEqual({ a: 1, list: [1, 'two', null], nested: { ok: true } });
      expect(map?.headers).toEqual(applicationProperties);

      const binary = byId.get('binary-1');
      expect(binary?.contentType).toBe('application/octet-stream');
      expect(Buffer.from(binary?.body as Buffer).toString('hex')).toBe('00ff10');
    });

    it('warren sends, Python receives: bodies, properties and application properties equal', async () => {
      const queue = unique('to-python');
      await conn.declareQueue({ name: queue, durable: false });
      const publisher = new Publisher(conn, { exchange: '', routingKey: queue });
      const headers = { n: 3, s: 'grüße', b: false };
      await publisher.send(
        { hello: 'python', n: [1, 2] },
        { messageId: 'w-1', correlationId: 'wc-1', replyTo: 'back', type: 'hello', headers },
      );
      await publisher.send('plain text', { serializer: 'text', messageId: 'w-2', headers });
      await publisher.close();

      const received = await pythonReceive(broker.pythonUrl, broker.address(queue), 2);
      const [json, text] = received as [PythonMessage, PythonMessage];
      expect(received).toHaveLength(2);
      expect(Buffer.from((json.body as { $binary: string }).$binary, 'hex').toString('utf8')).toBe(
        JSON.stringify({ hello: 'python', n: [1, 2] }),
      );
      expect(json?.properties).toMatchObject({
        id: 'w-1',
        correlation_id: 'wc-1',
        reply_to: 'back',
        subject: 'hello',
        content_type: 'application/json',
        content_encoding: 'utf-8',
      });
      expect(json?.application_properties).toEqual(headers);
      expect(Buffer.from((text.body as { $binary: string }).$binary, 'hex').toString('utf8')).toBe('plain text');
      expect(text?.properties).toMatchObject({ id: 'w-2', content_type: 'text/plain' });
    });
  });
}

describe.skipIf(!(await rabbitmqAvailable()))('AMQP 0-9-1 <-> AMQP 1.0 through RabbitMQ', () => {
  let amqp: Connection;
  let amqp10: Connection;
  beforeAll(async () => {
    amqp = await connect(AMQP_URL);
    amqp10 = await connectRabbitmq();
  });
  afterAll(async () => {
    await amqp10?.close();
    await amqp?.close();
  });

  it('published by @warren/amqp, consumed by @warren/amqp10, and back, body intact', async () => {
    const there = unique('091-to-10');
    const back = unique('10-to-091');
    await amqp.declareQueue({ name: there, durable: false });
    await amqp.declareQueue({ name: back, durable: false });
    const body = { text: 'grüße 🐇', n: [1, 2, 3], nested: { ok: true } };

    const out = new Publisher(amqp, { exchange: '', routingKey: there });
    await out.send(body, { messageId: 'over-091', priority: 3 });
    const reader10 = new Consumer(amqp10, { queue: there, declare: false });
    const [arrived] = await collect(reader10, 1, 10_000);
    await reader10.close();
    expect(arrived?.body).toEqual(body);
    expect(arrived?.contentType).toBe('application/json');
    expect(arrived?.properties).toMatchObject({ messageId: 'over-091', priority: 3, persistent: true });

    const reply = new Publisher(amqp10, { exchange: '', routingKey: back });
    await reply.send(arrived?.body, { messageId: 'over-10' });
    const reader091 = new Consumer(amqp, { queue: back, declare: false });
    const [returned] = await collect(reader091, 1, 10_000);
    await reader091.close();
    expect(returned?.body).toEqual(body);
    expect(returned?.content.toString('utf8')).toBe(JSON.stringify(body));
    expect(returned?.properties.messageId).toBe('over-10');
    await out.close();
    await reply.close();
    await amqp.deleteQueue(there);
    await amqp.deleteQueue(back);
  });
});
