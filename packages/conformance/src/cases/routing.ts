import type { SuiteContext } from '../context.js';
import { readQueue } from '../helpers/read-queue.js';
import type { TestScope } from '../scope.js';
import { DIRECT_TABLE, FANOUT_TABLE, HEADERS_TABLE, type RoutingTable, TOPIC_TABLE } from './routing-tables.js';

/** Declares a table's exchange and queues, publishes its messages, and checks what each queue holds. */
async function checkTable(t: TestScope, table: RoutingTable): Promise<void> {
  const exchange = t.exchange(table.type);
  await t.conn.declareExchange({ name: exchange, type: table.type });
  const queues = new Map<string, string>();
  for (const [label, bindings] of Object.entries(table.bindings)) {
    const queue = t.queue(`${table.type}-${label}`);
    queues.set(label, queue);
    await t.declareQueue({ name: queue });
    for (const binding of bindings) {
      await t.conn.bindQueue({ queue, exchange, ...binding });
    }
  }

  const publisher = t.publisher({ exchange, exchangeType: table.type, declare: false });
  for (const message of table.messages) {
    await publisher.send(
      { id: message.id },
      { routingKey: message.routingKey, ...(message.headers && { headers: message.headers }) },
    );
  }

  for (const [label, queue] of queues) {
    const expected = table.expected[label] ?? [];
    const messages = await readQueue(t, queue, { atLeast: expected.length });
    const ids = messages.map((message) => (message.body as { id: string }).id);
    t.expect([...ids].sort(), `${table.type} queue "${label}"`).toEqual([...expected].sort());
  }
}

/** AMQP 0-9-1 routing on every exchange type, the default exchange, exchange-to-exchange bindings and unbinding. */
export function routingCases(suite: SuiteContext): void {
  for (const table of [DIRECT_TABLE, TOPIC_TABLE, FANOUT_TABLE, HEADERS_TABLE]) {
    suite.test(`${table.type} exchange routes by its table`, { exchangeTypes: [table.type] }, (t) =>
      checkTable(t, table),
    );
  }

  suite.test("default exchange '' routes to the queue named by the routing key", {}, async (t) => {
    const queue = t.queue('default-exchange');
    const other = t.queue('default-exchange-other');
    await t.declareQueue({ name: queue });
    await t.declareQueue({ name: other });
    const publisher = t.publisher({ exchange: '', routingKey: queue });
    await publisher.send({ id: 'by-default-key' });
    await publisher.send({ id: 'to-other' }, { routingKey: other });
    // No queue has this name: without mandatory, the message is dropped and the send still succeeds.
    await publisher.send({ id: 'nowhere' }, { routingKey: t.queue('no-such-queue') });

    const inQueue = await readQueue(t, queue, { atLeast: 1 });
    t.expect(inQueue.map((m) => m.body)).toEqual([{ id: 'by-default-key' }]);
    t.expect(inQueue[0]?.deliveryInfo).toMatchObject({ exchange: '', routingKey: queue });
    const inOther = await readQueue(t, other, { atLeast: 1 });
    t.expect(inOther.map((m) => m.body)).toEqual([{ id: 'to-other' }]);
  });

  suite.test(
    'exchange-to-exchange binding forwards what matches its key',
    { capabilities: ['exchangeToExchange'], exchangeTypes: ['topic', 'fanout'] },
    async (t) => {
      const source = t.exchange('e2e-source');
      const destination = t.exchange('e2e-destination');
      await t.conn.declareExchange({ name: source, type: 'topic' });
      await t.conn.declareExchange({ name: destination, type: 'fanout' });
      await t.conn.bindExchange({ destination, source, routingKey: 'orders.#' });
      const viaDestination = t.queue('e2e-via-destination');
      const onSource = t.queue('e2e-on-source');
      await t.declareQueue({ name: viaDestination });
      await t.declareQueue({ name: onSource });
      await t.conn.bindQueue({ queue: viaDestination, exchange: destination });
      await t.conn.bindQueue({ queue: onSource, exchange: source, routingKey: '#' });

      const publisher = t.publisher({ exchange: source, exchangeType: 'topic', declare: false });
      for (const key of ['orders.new', 'refunds.new', 'orders']) await publisher.send({ id: key }, { routingKey: key });

      const forwarded = await readQueue(t, viaDestination, { atLeast: 2 });
      t.expect(forwarded.map((m) => (m.body as { id: string }).id).sort()).toEqual(['orders', 'orders.new']);
      // The routing key travels unchanged through the second exchange.
      t.expect(forwarded.map((m) => m.deliveryInfo.routingKey).sort()).toEqual(['orders', 'orders.new']);
      const direct = await readQueue(t, onSource, { atLeast: 3 });
      t.expect(direct.map((m) => (m.body as { id: string }).id).sort()).toEqual([
        'orders',
        'orders.new',
        'refunds.new',
      ]);
    },
  );

  suite.test('unbindQueue stops routing to the queue', { exchangeTypes: ['direct'] }, async (t) => {
    const exchange = t.exchange('unbind');
    const queue = t.queue('unbind');
    await t.conn.declareExchange({ name: exchange, type: 'direct' });
    await t.declareQueue({ name: queue });
    await t.conn.bindQueue({ queue, exchange, routingKey: 'k' });
    const publisher = t.publisher({ exchange, declare: false, routingKey: 'k' });
    await publisher.send({ id: 'while-bound' });
    await t.conn.unbindQueue({ queue, exchange, routingKey: 'k' });
    await publisher.send({ id: 'after-unbind' });

    const messages = await readQueue(t, queue, { atLeast: 1 });
    t.expect(messages.map((m) => m.body)).toEqual([{ id: 'while-bound' }]);
  });
}
