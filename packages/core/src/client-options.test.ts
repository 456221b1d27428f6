import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ConfigurationError,
  type Connection,
  Consumer,
  connect,
  type ExchangeSpec,
  type Message,
  Publisher,
  type SendOptions,
} from './index.js';

let counter = 0;
const unique = (prefix: string) => `${prefix}-${process.pid}-${++counter}`;

/** Records every exchange the connection declares (and declares it), to see what a publisher or consumer asked. */
function watchExchanges(conn: Connection): ExchangeSpec[] {
  const seen: ExchangeSpec[] = [];
  const declare = conn.declareExchange.bind(conn);
  conn.declareExchange = (spec) => {
    seen.push(spec as ExchangeSpec);
    return declare(spec);
  };
  return seen;
}

function configurationError(run: () => unknown): ConfigurationError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ConfigurationError);
  return caught as ConfigurationError;
}

describe('Consumer and Publisher options are strict', () => {
  it('a typo in a Consumer option, a prefetch out of range and an unknown accept entry are ConfigurationErrors', async () => {
    const conn = await connect(`memory://${unique('consumer-options')}`);
    try {
      const typo = configurationError(() => new Consumer(conn, { queue: 'q', prefecth: 10 } as never));
      expect(typo.message).toContain('"prefecth"');
      expect(typo.message).toContain('did you mean "prefetch"?');
      expect(configurationError(() => new Consumer(conn, { prefetch: -1 })).message).toMatch(/prefetch.*got -1/);
      expect(configurationError(() => new Consumer(conn, { prefetch: 1.5 })).message).toMatch(/prefetch.*got 1\.5/);
      const accept = configurationError(() => new Consumer(conn, { accept: ['jsno'] }));
      expect(accept.message).toContain('did you mean "json"?');
      const argument = configurationError(() => new Consumer(conn, { queueArguments: { maxLenght: 5 } }));
      expect(argument.message).toContain('did you mean "maxLength"?');
      // Content types and registered names pass; undefined is "not given".
      new Consumer(conn, { accept: ['json', 'text/plain', 'application/x-custom'], prefetch: undefined });
    } finally {
      await conn.close();
    }
  });

  it('a typo in a Publisher option or a send option is a ConfigurationError, and nothing is sent', async () => {
    const conn = await connect(`memory://${unique('publisher-options')}`);
    try {
      const queue = unique('q');
      await conn.declareQueue({ name: queue });
      const typo = configurationError(() => new Publisher(conn, { exchnage: 'x' } as never));
      expect(typo.message).toContain('did you mean "exchange"?');
      const type = configurationError(() => new Publisher(conn, { exchange: 'x', exchangeType: 'topc' }));
      expect(type.message).toMatch(/exchangeType.*"topc"/);
      const publisher = new Publisher(conn, { routingKey: queue });
      await expect(publisher.send({ n: 1 }, { correlationID: 'c' } as never)).rejects.toThrow(
        /send\(\) option "correlationID".*did you mean "correlationId"\?/,
      );
      expect(await conn.purgeQueue(queue)).toBe(0);
    } finally {
      await conn.close();
    }
  });
});

describe('carrot-style subclass fields', () => {
  it('every Publisher option is honoured as a field: headers, appId, autoDelete, durable, exchangeType', async () => {
    const conn = await connect(`memory://${unique('publisher-fields')}`);
    try {
      const exchange = unique('feed');
      const queue = unique('q');
      class FeedPublisher extends Publisher<{ url: string }> {
        override exchange = exchange;
        override exchangeType = 'topic';
        override routingKey = 'importer.rss';
        override headers = { source: 'carrot' };
        override appId = 'feed-importer';
        override autoDelete = true;
        override durable = false;
      }
      const declared = watchExchanges(conn);
      const publisher = new FeedPublisher(conn);
      await publisher.declare();
      expect(declared).toEqual([{ name: exchange, type: 'topic', durable: false, autoDelete: true }]);
      await conn.declareQueue({ name: queue });
      await conn.bindQueue({ queue, exchange, routingKey: 'importer.#' });
      await publisher.send({ url: 'http://example.org/rss' });
      const consumer = new Consumer(conn, { queue, declare: false });
      const message = await consumer.fetch();
      expect(message?.headers).toMatchObject({ source: 'carrot' });
      expect(message?.properties.appId).toBe('feed-importer');
      await message?.ack();
    } finally {
      await conn.close();
    }
  });

  it('a wrong field value fails at run time with ConfigurationError, before anything is declared', async () => {
    const conn = await connect(`memory://${unique('bad-fields')}`);
    try {
      class Typo extends Publisher {
        override exchange = 'typo';
        override exchangeType = 'topc';
      }
      const declared = watchExchanges(conn);
      await expect(new Typo(conn).send({})).rejects.toThrow(/Typo fields: exchangeType.*"topc"/);
      class BadPrefetch extends Consumer {
        override queue = 'bad-prefetch';
        override prefetch = -5;
      }
      const consumer = new BadPrefetch(conn);
      consumer.register(() => {});
      await expect(consumer.consume()).rejects.toBeInstanceOf(ConfigurationError);
      expect(declared).toEqual([]);
    } finally {
      await conn.close();
    }
  });

  it('every Consumer option is honoured as a field: requeueOnError, exchangeDurable, bindingArguments', async () => {
    const conn = await connect(`memory://${unique('consumer-fields')}`);
    try {
      const exchange = unique('headers');
      const queue = unique('q');
      class Picky extends Consumer<{ n: number }> {
        override queue = queue;
        override exchange = exchange;
        override exchangeType = 'headers';
        override exchangeDurable = false;
        override bindingArguments = { 'x-match': 'all', format: 'pdf' };
        override requeueOnError = true;
        attempts = 0;
        override async receive(_body: { n: number }, message: Message<{ n: number }>): Promise<void> {
          this.attempts += 1;
          if (this.attempts === 1) throw new Error('first attempt fails');
          await message.ack();
        }
      }
      const declared = watchExchanges(conn);
      const consumer = new Picky(conn);
      consumer.on('error', () => {});
      await consumer.consume();
      expect(declared).toEqual([{ name: exchange, type: 'headers', durable: false }]);
      const publisher = new Publisher(conn, { exchange, exchangeType: 'headers', durable: false });
      await publisher.send({ n: 1 }, { headers: { format: 'txt' } }); // not bound: dropped by the exchange
      await publisher.send({ n: 2 }, { headers: { format: 'pdf' } });
      const deadline = Date.now() + 2_000;
      while (consumer.attempts < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      // Requeued after the first failure (requeueOnError as a field), acked on the second attempt.
      expect(consumer.attempts).toBe(2);
      await consumer.close();
      expect((await conn.declareQueue({ name: queue })).messageCount).toBe(0);
    } finally {
      await conn.close();
    }
  });

  it('compiles under exactOptionalPropertyTypes: exchangeType overrides, undefined for optional properties', () => {
    class Topic extends Publisher {
      override exchangeType = 'topic';
    }
    expectTypeOf<Topic['exchangeType']>().toEqualTypeOf<string>();
    const reply = (message: Message): SendOptions => ({
      routingKey: message.properties.replyTo,
      correlationId: message.properties.correlationId,
    });
    expectTypeOf(reply).returns.toEqualTypeOf<SendOptions>();
  });
});
