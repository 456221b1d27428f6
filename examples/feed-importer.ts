/**
 * carrot's feed importer, on warren.
 *
 *   npx tsx examples/feed-importer.ts                                              # memory:// (no broker needed)
 *   WARREN_URL=amqp://guest:guest@127.0.0.1:5672/ npx tsx examples/feed-importer.ts   # any broker, by URL
 *
 * 1. A plain Publisher sends an "import feed" message; a plain Consumer with a registered callback gets it and
 *    acks it (carrot's `register_callback` + `wait`).
 * 2. The same with subclasses: FeedPublisher / FeedConsumer carry their exchange, queue and routing key as fields,
 *    FeedPublisher.importFeed() sends, FeedConsumer.receive() handles.
 * 3. `fetch`: take one message without subscribing, then `purge` (carrot's discard_all) what is left.
 */
import { Consumer, connect, type Message, Publisher } from '@warren/core';

const url = process.env.WARREN_URL ?? 'memory://';
const FEED_URL = 'http://cnn.com/rss/edition.rss';

// ---------------------------------------------------------------------------------------------- the subclassed kind

class FeedPublisher extends Publisher {
  override exchange = 'feed';
  override routingKey = 'importer';

  importFeed(feedUrl: string) {
    return this.send({ action: 'import_feed', feed_url: feedUrl });
  }
}

class FeedConsumer extends Consumer {
  override queue = 'feed';
  override exchange = 'feed';
  override routingKey = 'importer';
  /** Fired with each imported feed URL (the example uses it to know when to stop). */
  onImported: (feedUrl: string) => void = () => {};

  override async receive(body: unknown, message: Message): Promise<void> {
    const data = body as { action?: string; feed_url?: string };
    if (data.action === 'import_feed') {
      console.log(`FeedConsumer: importing ${data.feed_url}`);
      await message.ack();
      this.onImported(String(data.feed_url));
    } else {
      // Throwing rejects the message and reports the error through the consumer's 'error' event.
      throw new Error(`Unknown action: ${String(data.action)}`);
    }
  }
}

// ------------------------------------------------------------------------------------------------------------ main

const conn = await connect(url);
console.log(`connected to ${url.replace(/\/\/[^@/]*@/, '//')}`);
try {
  // 1. Plain Publisher and Consumer ----------------------------------------------------------------------------
  const consumer = new Consumer(conn, { queue: 'feed', exchange: 'feed', routingKey: 'importer' });
  const stop = new AbortController();
  consumer.register(async (body, message) => {
    const feedUrl = (body as { import_feed?: string }).import_feed;
    console.log(`Got feed import message for: ${feedUrl}`);
    await message.ack();
    if (feedUrl === FEED_URL) stop.abort();
  });
  consumer.on('error', (error) => console.error(`consumer error: ${error.message}`));
  await consumer.consume(); // declares exchange 'feed', queue 'feed' and the binding, then subscribes

  const publisher = new Publisher(conn, { exchange: 'feed', routingKey: 'importer' });
  await publisher.send({ import_feed: FEED_URL });
  console.log(`Publisher: sent import_feed ${FEED_URL}`);
  await publisher.close();

  await consumer.wait({ signal: stop.signal }); // carrot's consumer loop, until the callback says stop
  await consumer.close();
  console.log('plain Publisher/Consumer: done');

  // 2. Subclassed FeedPublisher and FeedConsumer ---------------------------------------------------------------
  const feedConsumer = new FeedConsumer(conn);
  const stopFeed = new AbortController();
  feedConsumer.onImported = (feedUrl) => {
    if (feedUrl === FEED_URL) stopFeed.abort();
  };
  feedConsumer.on('error', (error) => console.error(`FeedConsumer error: ${error.message}`));
  await feedConsumer.consume();

  const feedPublisher = new FeedPublisher(conn);
  await feedPublisher.importFeed(FEED_URL);
  console.log(`FeedPublisher: sent import_feed ${FEED_URL}`);
  await feedConsumer.wait({ signal: stopFeed.signal });
  await feedConsumer.close();
  console.log('subclassed FeedPublisher/FeedConsumer: done');

  // 3. fetch one message without subscribing, then purge the rest ---------------------------------------------
  const feeds = ['http://example.org/one.rss', 'http://example.org/two.rss', 'http://example.org/three.rss'];
  for (const feed of feeds) await feedPublisher.importFeed(feed);
  await feedPublisher.close();
  console.log(`FeedPublisher: sent ${feeds.length} more`);

  const fetcher = new FeedConsumer(conn);
  const message = await fetcher.fetch();
  if (message) {
    console.log(`fetch: got ${(message.body as { feed_url: string }).feed_url}`);
    await message.ack();
  } else {
    console.log('fetch: queue was empty');
  }
  const discarded = await fetcher.purge();
  console.log(`purge: discarded ${discarded} message(s)`);
  await fetcher.close();
} finally {
  await conn.close();
  console.log('connection closed');
}
