import { ConfigurationError, Exchange, NotFoundError, Queue } from '@warren/core';
import type { SuiteContext } from '../context.js';
import { cuttableConnection } from '../helpers/cut.js';
import { collect } from '../helpers/inbox.js';
import { sendMany } from '../helpers/publish.js';
import { readQueue } from '../helpers/read-queue.js';

/** Checking without creating (passive declares), and kombu's declarative Exchange and Queue objects. */
export function declarativeTopologyCases(suite: SuiteContext): void {
  // Checks need a broker that can tell whether a queue exists and how many messages it holds (what fetch needs);
  // plain AMQP 1.0 node addresses cannot.
  suite.test('checkQueue reports a queue and never creates an absent one', { capabilities: ['fetch'] }, async (t) => {
    const { expect } = t;
    const queue = t.queue('check-queue');
    await expect(t.conn.checkQueue(queue)).rejects.toBeInstanceOf(NotFoundError);
    await expect(t.conn.declareQueue({ name: queue, passive: true })).rejects.toBeInstanceOf(NotFoundError);
    // Still absent: neither check created it.
    await expect(t.conn.checkQueue(queue)).rejects.toBeInstanceOf(NotFoundError);

    await t.declareQueue({ name: queue });
    const publisher = t.publisher({ exchange: '', routingKey: queue });
    await sendMany(publisher, 3, (n) => ({ body: { n } }), 1);
    const info = await t.conn.checkQueue(queue);
    expect(info).toEqual({ queue, messageCount: 3, consumerCount: 0 });
    expect(await t.conn.declareQueue({ name: queue, passive: true })).toEqual(info);
  });

  suite.test(
    'checkExchange finds a declared exchange, refuses an absent one and creates nothing',
    { exchangeTypes: ['direct'] },
    async (t) => {
      const { expect } = t;
      const exchange = t.exchange('check-exchange');
      await expect(t.conn.checkExchange(exchange)).rejects.toBeInstanceOf(NotFoundError);
      await expect(t.conn.checkExchange(exchange)).rejects.toBeInstanceOf(NotFoundError);
      await expect(t.conn.declareExchange({ name: exchange, passive: true })).rejects.toBeInstanceOf(NotFoundError);
      // The default exchange always exists.
      await expect(t.conn.checkExchange('')).resolves.toBeUndefined();
      await t.conn.declareExchange({ name: exchange, type: 'direct' });
      await expect(t.conn.checkExchange(exchange)).resolves.toBeUndefined();
    },
  );

  suite.test(
    'a failed check disturbs nothing else: consumers and publishers carry on',
    { capabilities: ['fetch'], exchangeTypes: ['direct'] },
    async (t) => {
      const { expect } = t;
      const queue = t.queue('check-undisturbed');
      await t.declareQueue({ name: queue });
      const { consumer, inbox } = t.inbox({ queue, declare: false });
      await consumer.consume();
      const publisher = t.publisher({ exchange: '', routingKey: queue });
      await publisher.send({ n: 0 });
      await inbox.until(1, t.ms(5_000));
      for (let i = 0; i < 3; i++) {
        await expect(t.conn.checkQueue(t.queue('absent'))).rejects.toBeInstanceOf(NotFoundError);
        await expect(t.conn.checkExchange(t.exchange('absent'))).rejects.toBeInstanceOf(NotFoundError);
      }
      await sendMany(publisher, 5, (n) => ({ body: { n: n + 1 } }));
      const messages = await inbox.until(6, t.ms(5_000));
      expect(messages.map((m) => (m.body as { n: number }).n).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(inbox.errors).toEqual([]);
      expect((await t.conn.checkQueue(queue)).consumerCount).toBe(1);
    },
  );

  suite.test(
    'a Queue bound with several routing keys gets one binding per key; declare is idempotent',
    { exchangeTypes: ['topic'] },
    async (t) => {
      const { expect } = t;
      const media = new Exchange(t.exchange('media'), { type: 'topic', durable: false });
      const video = new Queue(t.queue('video'), { exchange: media, routingKey: ['video.#', '*.clip'] });
      expect(video.bindings.map((b) => b.routingKey)).toEqual(['video.#', '*.clip']);
      const info = await t.conn.declare(video);
      expect(info.queue).toBe(video.name);
      // Idempotent: a second declare changes nothing and fails on nothing.
      await t.conn.declare(video);
      await expect(t.conn.checkExchange(media.name)).resolves.toBeUndefined();

      const publisher = t.publisher({ exchange: media.name, declare: false });
      for (const key of ['video.hd', 'audio.clip', 'audio.mp3', 'video'])
        await publisher.send({ key }, { routingKey: key });
      const received = await readQueue(t, video.name, { atLeast: 3 });
      expect(received.map((m) => (m.body as { key: string }).key).sort()).toEqual(['audio.clip', 'video', 'video.hd']);
    },
  );

  suite.test(
    'a Queue with bindings over several exchanges, headers arguments included',
    { exchangeTypes: ['topic', 'headers', 'direct'] },
    async (t) => {
      const { expect } = t;
      const media = new Exchange(t.exchange('media'), { type: 'topic', durable: false });
      const formats = new Exchange(t.exchange('formats'), { type: 'headers', durable: false });
      // An exchange named by a string is bound to, not declared: it must exist.
      const billing = t.exchange('billing');
      await t.conn.declareExchange({ name: billing, type: 'direct', durable: false });
      const audit = new Queue(t.queue('audit'), {
        bindings: [
          { exchange: media, routingKey: '#.audit' },
          { exchange: billing, routingKey: ['invoice', 'refund'] },
          { exchange: formats, arguments: { 'x-match': 'all', format: 'pdf' } },
        ],
        durable: false,
      });
      expect(audit.bindings).toHaveLength(4);
      await t.conn.declare(audit);

      await t.publisher({ exchange: media.name, declare: false }).send({ id: 'media' }, { routingKey: 'a.audit' });
      await t.publisher({ exchange: billing, declare: false }).send({ id: 'refund' }, { routingKey: 'refund' });
      await t.publisher({ exchange: billing, declare: false }).send({ id: 'other' }, { routingKey: 'other' });
      const byHeaders = t.publisher({ exchange: formats.name, declare: false });
      await byHeaders.send({ id: 'pdf' }, { headers: { format: 'pdf' } });
      await byHeaders.send({ id: 'png' }, { headers: { format: 'png' } });
      const received = await readQueue(t, audit.name, { atLeast: 3 });
      expect(received.map((m) => (m.body as { id: string }).id).sort()).toEqual(['media', 'pdf', 'refund']);
    },
  );

  suite.test(
    'a Consumer with queues: [Queue, ...] declares each and consumes from all',
    { capabilities: ['fetch'], exchangeTypes: ['direct'] },
    async (t) => {
      const { expect } = t;
      const jobs = new Exchange(t.exchange('jobs'), { type: 'direct', durable: false });
      const first = new Queue(t.queue('first'), { exchange: jobs, routingKey: 'first', durable: false });
      const second = new Queue(t.queue('second'), {
        exchange: jobs,
        routingKey: ['second', 'also-second'],
        durable: false,
      });
      const consumer = t.consumer({ queues: [first, second] });
      const received = collect(consumer, 3, t.ms(5_000));
      // consume() resolves once subscribed (collect started it): every queue and binding exists by then.
      await consumer.consume();
      await expect(t.conn.checkQueue(first.name)).resolves.toMatchObject({ consumerCount: 1 });
      await expect(t.conn.checkQueue(second.name)).resolves.toMatchObject({ consumerCount: 1 });
      const publisher = t.publisher({ exchange: jobs, declare: false });
      for (const key of ['first', 'second', 'also-second']) await publisher.send({ key }, { routingKey: key });
      const messages = await received;
      expect(messages.map((m) => (m.body as { key: string }).key).sort()).toEqual(['also-second', 'first', 'second']);
      const queues = new Set(messages.map((m) => m.deliveryInfo.queue));
      expect(queues).toEqual(new Set([first.name, second.name]));
    },
  );

  suite.test("a Consumer's routingKey array binds its queue once per key", { exchangeTypes: ['direct'] }, async (t) => {
    const { expect } = t;
    const exchange = t.exchange('keys');
    const queue = t.queue('keys');
    t.rememberQueue({ name: queue });
    const { consumer, inbox } = t.inbox({ queue, exchange, routingKey: ['red', 'green'], durable: false });
    await consumer.consume();
    const publisher = t.publisher({ exchange, declare: false });
    for (const key of ['red', 'blue', 'green']) await publisher.send({ key }, { routingKey: key });
    const messages = await inbox.until(2, t.ms(5_000));
    expect(messages.map((m) => (m.body as { key: string }).key).sort()).toEqual(['green', 'red']);
    await expect(t.consumer({ queue, exchange, routingKey: [] }).declare()).rejects.toBeInstanceOf(ConfigurationError);
  });

  suite.test(
    "a Publisher's declare list keeps what is sent before any consumer exists",
    { exchangeTypes: ['topic'] },
    async (t) => {
      const { expect } = t;
      const media = new Exchange(t.exchange('early'), { type: 'topic', durable: false });
      const early = new Queue(t.queue('early'), { exchange: media, routingKey: 'early.#', durable: false });
      const publisher = t.publisher({ exchange: media, declare: [early] });
      await publisher.send({ n: 1 }, { routingKey: 'early.one' });
      await publisher.send({ n: 2 }, { routingKey: 'early.two' });
      expect((await t.conn.checkQueue(early.name)).messageCount).toBe(2);
      const received = await readQueue(t, early.name, { atLeast: 2 });
      expect(received.map((m) => m.body)).toEqual(expect.arrayContaining([{ n: 1 }, { n: 2 }]));

      // A queue that could never get what this publisher sends is refused before anything is declared.
      const unbound = new Queue(t.queue('unbound'));
      const refused = t.publisher({ exchange: media, declare: [unbound] });
      await expect(refused.send({ n: 3 })).rejects.toBeInstanceOf(ConfigurationError);
      await expect(t.conn.checkQueue(unbound.name)).rejects.toBeInstanceOf(NotFoundError);
    },
  );

  suite.test(
    'send(body, { exchange }) sends one message to another exchange',
    { exchangeTypes: ['fanout'] },
    async (t) => {
      const { expect } = t;
      const own = t.queue('own');
      await t.declareQueue({ name: own });
      const broadcast = new Exchange(t.exchange('broadcast'), { type: 'fanout', durable: false });
      const listener = new Queue(t.queue('listener'), { exchange: broadcast, durable: false });
      await t.conn.declare(listener);
      const publisher = t.publisher({ exchange: '', routingKey: own });
      await publisher.send({ to: 'own' });
      await publisher.send({ to: 'broadcast' }, { exchange: broadcast });
      await publisher.send({ to: 'broadcast by name' }, { exchange: broadcast.name });
      await publisher.send({ to: 'own again' });
      expect((await readQueue(t, own, { atLeast: 2 })).map((m) => m.body)).toEqual(
        t.caps.guaranteedOrder
          ? [{ to: 'own' }, { to: 'own again' }]
          : expect.arrayContaining([{ to: 'own' }, { to: 'own again' }]),
      );
      const broadcasted = await readQueue(t, listener.name, { atLeast: 2 });
      expect(broadcasted.map((m) => m.body)).toEqual(
        expect.arrayContaining([{ to: 'broadcast' }, { to: 'broadcast by name' }]),
      );
      expect(broadcasted).toHaveLength(2);
      expect(broadcasted[0]?.deliveryInfo.exchange).toBe(broadcast.name);
    },
  );

  suite.test('a Buffer body with an explicit contentType goes out as those bytes, unserialized', {}, async (t) => {
    const { expect } = t;
    const queue = t.queue('raw-bytes');
    await t.declareQueue({ name: queue });
    const publisher = t.publisher({ exchange: '', routingKey: queue });
    // Bytes that some other producer serialized (kombu writes JSON like this): sent as they are.
    const json = Buffer.from('{"from":"kombu","n":1}', 'utf8');
    await publisher.send(json, { contentType: 'application/json', contentEncoding: 'utf-8' });
    const binary = Buffer.from([0, 1, 2, 254, 255]);
    await publisher.send(binary, { contentType: 'application/octet-stream' });
    // A Buffer that does not say what it is, or a contentType on a value, is refused: nothing is sent.
    await expect(publisher.send(Buffer.from('?'))).rejects.toBeInstanceOf(ConfigurationError);
    await expect(publisher.send({ not: 'bytes' }, { contentType: 'application/json' })).rejects.toBeInstanceOf(
      ConfigurationError,
    );

    const received = await readQueue(t, queue, { atLeast: 2, accept: ['json', 'binary'] });
    expect(received).toHaveLength(2);
    const [first, second] = t.caps.guaranteedOrder
      ? received
      : [...received].sort((a, b) => a.content.length - b.content.length).reverse();
    expect(first?.content.equals(json)).toBe(true);
    expect(first?.contentType).toBe('application/json');
    expect(first?.contentEncoding).toBe('utf-8');
    expect(first?.body).toEqual({ from: 'kombu', n: 1 });
    expect(second?.content.equals(binary)).toBe(true);
    expect(second?.contentType).toBe('application/octet-stream');
  });

  suite.test(
    'Queue objects are recorded topology: declared again after the connection is cut',
    { capabilities: ['restartable', 'exclusiveQueues'], exchangeTypes: ['topic'], timeoutMs: 60_000 },
    async (t) => {
      const { expect } = t;
      const { connection, cutAndAwaitReconnect } = await cuttableConnection(suite, t);
      // Both go with the connection on the broker: only a redeclare brings them back.
      const events = new Exchange(t.exchange('redeclared'), { type: 'topic', durable: false, autoDelete: true });
      const mine = new Queue(t.queue('redeclared'), {
        exchange: events,
        routingKey: ['a.*', 'b.#'],
        exclusive: true,
        autoDelete: true,
        durable: false,
      });
      const { consumer, inbox } = t.inbox({ queues: [mine] }, undefined, connection);
      await consumer.consume();
      const publisher = t.publisher({ exchange: events, declare: false }, connection);
      await publisher.send({ n: 1 }, { routingKey: 'a.x' });
      await inbox.until(1, t.ms(5_000));
      await cutAndAwaitReconnect();
      await publisher.send({ n: 2 }, { routingKey: 'b.y.z' });
      await publisher.send({ n: 3 }, { routingKey: 'c' });
      const messages = await inbox.until(2, t.ms(10_000));
      expect(messages.map((m) => m.body)).toEqual([{ n: 1 }, { n: 2 }]);
      expect((await connection.checkQueue(mine.name)).consumerCount).toBe(1);
    },
  );

  suite.test(
    'fetch over several queues takes from the first that has a message',
    { capabilities: ['fetch', 'acks'] },
    async (t) => {
      const { expect } = t;
      const empty = t.queue('fetch-empty');
      const full = t.queue('fetch-full');
      const later = t.queue('fetch-later');
      for (const name of [empty, full, later]) await t.declareQueue({ name });
      await t.publisher({ exchange: '', routingKey: full }).send({ from: 'full' });
      await t.publisher({ exchange: '', routingKey: later }).send({ from: 'later' });
      const consumer = t.consumer({ queues: [empty, full, later] });
      const first = await consumer.fetch();
      expect(first?.body).toEqual({ from: 'full' });
      expect(first?.deliveryInfo.queue).toBe(full);
      await first?.ack();
      const second = await consumer.fetch();
      expect(second?.body).toEqual({ from: 'later' });
      await second?.ack();
      expect(await consumer.fetch()).toBeNull();
    },
  );
}
