import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigurationError,
  type Connection,
  ConnectionError,
  Consumer,
  ContentDisallowedError,
  connect,
  type Message,
  MessageStateError,
  Publisher,
  SerializationError,
  UnsupportedFeatureError,
  ValidationError,
} from './index.js';

let counter = 0;
const unique = (prefix: string) => `${prefix}.${process.pid}.${++counter}`;

function nextError<T>(consumer: Consumer<T>, timeoutMs = 2000): Promise<[Error, Message<T> | undefined]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no error event')), timeoutMs);
    consumer.once('error', (error, message) => {
      clearTimeout(timer);
      resolve([error, message]);
    });
  });
}

async function withConnection(run: (conn: Connection) => Promise<void>): Promise<void> {
  const conn = await connect(`memory://${unique('bad-input')}`);
  try {
    await run(conn);
  } finally {
    await conn.close();
  }
}

describe('bad input gives a typed error and loses nothing', () => {
  it('an unregistered serializer is a ConfigurationError; nothing is sent', () =>
    withConnection(async (conn) => {
      const queue = unique('q');
      await conn.declareQueue({ name: queue });
      const publisher = new Publisher(conn, { routingKey: queue });
      await expect(publisher.send({ a: 1 }, { serializer: 'yaml' })).rejects.toBeInstanceOf(ConfigurationError);
      expect(await conn.purgeQueue(queue)).toBe(0);
    }));

  it('a body that cannot be serialized (BigInt, circular) is a SerializationError', () =>
    withConnection(async (conn) => {
      const publisher = new Publisher(conn, { routingKey: unique('q') });
      const circular: { self?: unknown } = {};
      circular.self = circular;
      await expect(publisher.send({ n: 10n })).rejects.toBeInstanceOf(SerializationError);
      await expect(publisher.send(circular)).rejects.toBeInstanceOf(SerializationError);
    }));

  it('a content type outside accept is refused, reported, dead-lettered, never passed on', () =>
    withConnection(async (conn) => {
      const queue = unique('q');
      const dead = unique('dead');
      await conn.declareExchange({ name: 'dlx.bad-input', type: 'fanout' });
      await conn.declareQueue({ name: dead });
      await conn.bindQueue({ queue: dead, exchange: 'dlx.bad-input' });
      await conn.declareQueue({ name: queue, arguments: { deadLetterExchange: 'dlx.bad-input' } });
      const consumer = new Consumer(conn, { queue, accept: ['json'], declare: false });
      const received: unknown[] = [];
      consumer.register((body) => {
        received.push(body);
      });
      await consumer.consume();
      const error = nextError(consumer);
      await new Publisher(conn, { routingKey: queue }).send('plain text', { serializer: 'text' });
      const [reported, message] = await error;
      expect(reported).toBeInstanceOf(ContentDisallowedError);
      expect(reported.message).toMatch(/text\/plain.*accepts only json/);
      expect(message?.content.toString()).toBe('plain text');
      expect(received).toEqual([]);
      const deadLettered = await new Consumer(conn, { queue: dead, declare: false, accept: ['text'] }).fetch();
      expect(deadLettered?.body).toBe('plain text');
      await consumer.close();
    }));

  it('garbage bytes under a JSON content type are reported as SerializationError, not thrown', () =>
    withConnection(async (conn) => {
      const queue = unique('q');
      await conn.declareQueue({ name: queue });
      const consumer = new Consumer(conn, { queue });
      consumer.register(() => {});
      await consumer.consume();
      const error = nextError(consumer);
      await conn.publish({
        exchange: '',
        routingKey: queue,
        content: Buffer.from([0xff, 0x00, 0x7b]),
        properties: { contentType: 'application/json', headers: {} },
        mandatory: false,
      });
      const [reported] = await error;
      expect(reported).toBeInstanceOf(SerializationError);
      await consumer.close();
    }));

  it('a schema failure is a ValidationError on both sides', () =>
    withConnection(async (conn) => {
      const queue = unique('q');
      const schema = z.object({ url: z.string().url() });
      const publisher = new Publisher(conn, { routingKey: queue, schema });
      await expect(publisher.send({ url: 'not a url' })).rejects.toBeInstanceOf(ValidationError);
      const consumer = new Consumer(conn, { queue, schema });
      consumer.register(() => {});
      await consumer.consume();
      const error = nextError(consumer);
      await new Publisher(conn, { routingKey: queue }).send({ url: 42 });
      const [reported] = await error;
      expect(reported).toBeInstanceOf(ValidationError);
      expect(reported.message).toMatch(/url/);
      await consumer.close();
    }));

  it('double ack rejects with MessageStateError; publish after close too', () =>
    withConnection(async (conn) => {
      const queue = unique('q');
      const consumer = new Consumer(conn, { queue });
      await consumer.declare();
      const publisher = new Publisher(conn, { routingKey: queue });
      await publisher.send({ a: 1 });
      const message = await consumer.fetch();
      if (!message) throw new Error('expected a message');
      await message.ack();
      await expect(message.ack()).rejects.toBeInstanceOf(MessageStateError);
      await expect(message.requeue()).rejects.toBeInstanceOf(MessageStateError);
      await publisher.close();
      await expect(publisher.send({ a: 2 })).rejects.toBeInstanceOf(MessageStateError);
      await consumer.close();
      await expect(consumer.consume()).rejects.toBeInstanceOf(MessageStateError);
    }));

  it('sending on a closed connection is a ConnectionError', async () => {
    const conn = await connect(`memory://${unique('closed')}`);
    const publisher = new Publisher(conn, { routingKey: 'x' });
    await conn.close();
    await expect(publisher.send({ a: 1 })).rejects.toBeInstanceOf(ConnectionError);
  });

  it('a callback that throws rejects its message and reports the error', () =>
    withConnection(async (conn) => {
      const queue = unique('q');
      const consumer = new Consumer(conn, { queue });
      consumer.register(() => {
        throw new Error('boom');
      });
      await consumer.consume();
      const error = nextError(consumer);
      await new Publisher(conn, { routingKey: queue }).send({ a: 1 });
      const [reported, message] = await error;
      expect(reported.message).toBe('boom');
      expect(message?.settlement).toBe('reject');
      await consumer.close();
      expect(await conn.purgeQueue(queue)).toBe(0);
    }));

  it('an error event with no listener does not crash: it becomes a process warning', () =>
    withConnection(async (conn) => {
      const queue = unique('q');
      const consumer = new Consumer(conn, { queue });
      consumer.register(() => {
        throw new Error('nobody listens');
      });
      await consumer.consume();
      const warning = new Promise<Error>((resolve) => process.once('warning', resolve));
      await new Publisher(conn, { routingKey: queue }).send({ a: 1 });
      expect((await warning).message).toMatch(/nobody listens/);
      await consumer.close();
    }));

  it('an unknown exchange type is UnsupportedFeatureError', () =>
    withConnection(async (conn) => {
      await expect(conn.declareExchange({ name: 'x', type: 'x-delayed' as 'direct' })).rejects.toBeInstanceOf(
        UnsupportedFeatureError,
      );
    }));
});
