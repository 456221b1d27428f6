import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, Consumer, connect, loadTransportPackageForTest, Publisher } from './test-exports.js';

describe('connect: bad input', () => {
  it('a malformed URL is a ConfigurationError without the password', async () => {
    const error = await connect('amqp://user:s3cret@host:notaport/').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as Error).message).toMatch(/Malformed broker URL/);
    expect(inspect(error, { depth: 5 })).not.toContain('s3cret');
  });
  it('an unknown scheme names the known ones', async () => {
    await expect(connect('carrier-pigeon://coop')).rejects.toThrow(
      /Unknown URL scheme "carrier-pigeon:\/\/".*memory:\/\//,
    );
  });
  it('a known scheme whose package is missing says what to install', async () => {
    await expect(loadTransportPackageForTest('nats', '@warren/not-a-real-package')).rejects.toThrow(
      'The nats:// scheme needs the @warren/not-a-real-package package, which is not installed. Run: npm install @warren/not-a-real-package',
    );
  });
  it('invalid options name the option', async () => {
    await expect(connect({ url: 'memory://', heartbeat: -1 })).rejects.toThrow(/Invalid connection options: heartbeat/);
    await expect(connect('memory://?highWaterMark=lots')).rejects.toThrow(/Invalid memory options: highWaterMark/);
  });
  it('an empty URL list is refused', async () => {
    await expect(connect([])).rejects.toBeInstanceOf(ConfigurationError);
  });
});

describe('Publisher and Consumer defaults', () => {
  it('subclass fields are defaults that constructor options override', async () => {
    const conn = await connect('memory://subclass-defaults');
    class FeedPublisher extends Publisher<{ n: number }> {
      override exchange = 'feed-defaults';
      override routingKey = 'importer';
    }
    class FeedConsumer extends Consumer<{ n: number }> {
      override queue = 'feed-defaults';
      override exchange = 'feed-defaults';
      override routingKey = 'importer';
    }
    const consumer = new FeedConsumer(conn);
    const other = new FeedConsumer(conn, { queue: 'feed-other', routingKey: 'other' });
    await consumer.declare();
    await other.declare();
    await new FeedPublisher(conn).send({ n: 1 });
    await new FeedPublisher(conn, { routingKey: 'other' }).send({ n: 2 });
    expect((await consumer.fetch())?.body).toEqual({ n: 1 });
    expect((await other.fetch())?.body).toEqual({ n: 2 });
    expect(await consumer.fetch()).toBeNull();
    await conn.close();
  });
});

describe('connect: failover list order', () => {
  const urls = Array.from({ length: 8 }, (_, i) => `memory://failover-order-${i}`);

  it('tries the URLs in the order given by default', async () => {
    for (let i = 0; i < 5; i++) {
      const conn = await connect(urls);
      expect(conn.url).toBe(urls[0]);
      await conn.close();
    }
  });

  it("'shuffle' spreads connections over the list (clients of a cluster do not all load its first node)", async () => {
    const firsts = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const conn = await connect(urls, { failover: 'shuffle' });
      firsts.add(conn.url);
      await conn.close();
    }
    // Forty connections all starting on the same one of eight URLs would happen with probability 8^-39.
    expect(firsts.size).toBeGreaterThan(1);
    for (const url of firsts) expect(urls).toContain(url);
  });

  it('refuses an unknown strategy, naming the ones it knows', async () => {
    await expect(connect(urls, { failover: 'random' as 'shuffle' })).rejects.toThrow(/failover/);
  });
});
