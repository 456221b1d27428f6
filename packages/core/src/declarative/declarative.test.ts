import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigurationError,
  connect,
  Exchange,
  MEMORY_CAPABILITIES,
  memoryTransport,
  NotFoundError,
  Queue,
  registerTransport,
  UnsupportedFeatureError,
  unregisterTransport,
} from '../test-exports.js';

let counter = 0;
const unique = (prefix: string) => `${prefix}.${process.pid}.${++counter}`;

describe('Exchange', () => {
  it('has kombu and amqplib defaults: direct, durable, not auto-deleted', () => {
    const exchange = new Exchange('media');
    expect(exchange.toSpec()).toEqual({
      name: 'media',
      type: 'direct',
      durable: true,
      autoDelete: false,
      internal: false,
    });
    expect(String(exchange)).toBe('Exchange(media, direct)');
    expect(
      new Exchange('t', { type: 'topic', durable: false, arguments: { 'alternate-exchange': 'ae' } }).toSpec(),
    ).toEqual({
      name: 't',
      type: 'topic',
      durable: false,
      autoDelete: false,
      internal: false,
      arguments: { 'alternate-exchange': 'ae' },
    });
  });

  it('refuses an unknown option, naming it, and a type that is not an exchange type', () => {
    expect(() => new Exchange('x', { tpye: 'topic' } as never)).toThrow(ConfigurationError);
    expect(() => new Exchange('x', { tpye: 'topic' } as never)).toThrow(/tpye/);
    expect(() => new Exchange('x', { type: 'x-delayed' } as never)).toThrow(ConfigurationError);
    expect(() => new Exchange(42 as never)).toThrow(ConfigurationError);
  });
});

describe('Queue', () => {
  const media = new Exchange('media', { type: 'topic' });

  it('binds once per routing key, and over several exchanges with bindings', () => {
    const video = new Queue('video', { exchange: media, routingKey: ['video.#', '*.clip', 'video.#'] });
    expect(video.bindings).toEqual([
      { exchange: media, routingKey: 'video.#' },
      { exchange: media, routingKey: '*.clip' },
    ]);
    const audit = new Queue('audit', {
      exchange: media,
      bindings: [
        { exchange: 'billing', routingKey: 'invoice.*' },
        { exchange: media, routingKey: '#' },
      ],
      arguments: { maxLength: 10 },
    });
    expect(audit.bindings.map((b) => [String(b.exchange), b.routingKey])).toEqual([
      ['Exchange(media, topic)', ''],
      ['billing', 'invoice.*'],
      ['Exchange(media, topic)', '#'],
    ]);
    expect(audit.exchanges).toEqual([media]);
    expect(audit.toSpec()).toEqual({
      name: 'audit',
      durable: true,
      exclusive: false,
      autoDelete: false,
      arguments: { maxLength: 10 },
    });
    expect(String(audit)).toBe('Queue(audit)');
  });

  it('a server-named queue is exclusive, auto-deleted and not durable by default', () => {
    expect(new Queue('').toSpec()).toEqual({ name: '', durable: false, exclusive: true, autoDelete: true });
  });

  it('refuses a routing key or binding arguments with no exchange to bind to', () => {
    expect(() => new Queue('q', { routingKey: 'a' })).toThrow(ConfigurationError);
    expect(() => new Queue('q', { routingKey: 'a' })).toThrow(/needs an exchange/);
    expect(() => new Queue('q', { bindingArguments: { 'x-match': 'all' } })).toThrow(/needs an exchange/);
  });

  it('refuses a binding to the default exchange, an empty key list and unknown options', () => {
    expect(() => new Queue('q', { exchange: '' })).toThrow(/default exchange/);
    expect(() => new Queue('q', { exchange: media, routingKey: [] })).toThrow(ConfigurationError);
    expect(() => new Queue('q', { exhange: media } as never)).toThrow(/exhange/);
    expect(() => new Queue('q', { bindings: [{ exchange: media, routingkey: 'a' }] } as never)).toThrow(
      ConfigurationError,
    );
  });
});

describe('conn.declare', () => {
  // A transport like memory:// but with direct exchanges only, to see a binding to a type it lacks refused.
  beforeAll(() => {
    const capabilities = { ...MEMORY_CAPABILITIES, exchangeTypes: ['direct'] as const };
    registerTransport({
      ...memoryTransport,
      name: 'memory-direct-only',
      schemes: ['memdirect'],
      capabilities,
      // A connection reports its session's capabilities: the memory session, with direct exchanges only.
      connect: async (request) => {
        const session = await memoryTransport.connect(request);
        return new Proxy(session, {
          get: (target, key) => {
            if (key === 'capabilities') return capabilities;
            const value = Reflect.get(target, key, target);
            return typeof value === 'function' ? value.bind(target) : value;
          },
        });
      },
    });
  });
  afterAll(() => {
    unregisterTransport('memory-direct-only');
  });

  it('refuses a binding to an exchange type the transport lacks before declaring anything', async () => {
    const conn = await connect(`memdirect://${unique('direct-only')}`);
    try {
      const topic = new Exchange(unique('topic'), { type: 'topic' });
      const queue = new Queue(unique('q'), {
        bindings: [
          { exchange: new Exchange(unique('direct')), routingKey: 'a' },
          { exchange: topic, routingKey: 'a.#' },
        ],
      });
      const refused = conn.declare(queue);
      await expect(refused).rejects.toBeInstanceOf(UnsupportedFeatureError);
      await expect(refused).rejects.toThrow(/no topic exchanges/);
      await expect(conn.checkQueue(queue.name)).rejects.toBeInstanceOf(NotFoundError);
      await expect(conn.declare(topic)).rejects.toBeInstanceOf(UnsupportedFeatureError);
    } finally {
      await conn.close();
    }
  });

  it('declares the exchanges, the queue and every binding, and again after nothing changed', async () => {
    const conn = await connect(`memory://${unique('declare')}`);
    try {
      const exchange = new Exchange(unique('x'), { type: 'direct' });
      const queue = new Queue(unique('q'), { exchange, routingKey: ['a', 'b'] });
      expect(await conn.declare(queue)).toEqual({ queue: queue.name, messageCount: 0, consumerCount: 0 });
      expect(await conn.declare(queue)).toEqual({ queue: queue.name, messageCount: 0, consumerCount: 0 });
      await expect(conn.declare(exchange)).resolves.toBeUndefined();
      await conn.checkExchange(exchange.name);
    } finally {
      await conn.close();
    }
  });
});
