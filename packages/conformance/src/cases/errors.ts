import { ContentDisallowedError, MessageStateError, NoRouteError } from '@warren/core';
import type { SuiteContext } from '../context.js';
import { readQueue } from '../helpers/read-queue.js';
import { waitFor, withTimeout } from '../helpers/wait.js';

/** Misuse and refusals: each is a typed error, and none loses or wedges a message. */
export function errorCases(suite: SuiteContext): void {
  suite.test('a content type outside accept is refused: error event, callback not called', {}, async (t) => {
    const { expect } = t;
    const queue = t.queue('accept');
    await t.declareQueue({ name: queue });
    const { consumer, inbox } = t.inbox({ queue, declare: false, accept: ['json'] });
    await consumer.consume();
    const text = t.publisher({ exchange: '', routingKey: queue, serializer: 'text' });
    const json = t.publisher({ exchange: '', routingKey: queue });
    await text.send('not allowed here', { messageId: 'refused' });
    await json.send({ ok: true }, { messageId: 'accepted' });

    const [reported] = await inbox.untilErrors(1, t.ms(5_000));
    await inbox.until(1, t.ms(5_000));
    expect(reported?.error).toBeInstanceOf(ContentDisallowedError);
    expect(reported?.message?.properties.messageId).toBe('refused');
    // The callback saw the accepted message and only that one.
    expect(inbox.messages.map((m) => m.properties.messageId)).toEqual(['accepted']);
    await consumer.close();
    // The refused message was settled (rejected), not left unacked to come back on close.
    expect(await t.depth(queue)).toBe(0);
    expect(inbox.errors).toHaveLength(1);
  });

  suite.test(
    'a callback that throws: error event, message rejected, the consumer goes on',
    { capabilities: ['acks'] },
    async (t) => {
      const { expect } = t;
      const queue = t.queue('callback-throws');
      await t.declareQueue({ name: queue });
      const consumer = t.consumer({ queue, declare: false });
      const seen: unknown[] = [];
      const errors: Array<{ error: Error; id: string | undefined }> = [];
      let done!: () => void;
      const finished = new Promise<void>((resolve) => {
        done = resolve;
      });
      consumer.register(async (body, message) => {
        seen.push(body);
        if (message.properties.messageId === 'bad') throw new Error('callback failed on purpose');
        await message.ack();
        done();
      });
      consumer.on('error', (error, message) => errors.push({ error, id: message?.properties.messageId }));
      await consumer.consume();
      const publisher = t.publisher({ exchange: '', routingKey: queue });
      await publisher.send({ n: 1 }, { messageId: 'bad' });
      await publisher.send({ n: 2 }, { messageId: 'good' });

      await waitFor(() => errors.length >= 1, t.ms(5_000), 'the error event of the failed callback');
      await withTimeout(finished, t.ms(5_000), 'the second message');
      expect(errors[0]?.error.message).toBe('callback failed on purpose');
      expect(errors[0]?.id).toBe('bad');
      await consumer.close();
      // Rejected without requeue (the default): delivered once, not redelivered, not left in the queue.
      expect(seen).toHaveLength(2);
      expect(await t.depth(queue)).toBe(0);
    },
  );

  suite.test('sending through a closed publisher rejects with MessageStateError', {}, async (t) => {
    const queue = t.queue('closed-publisher');
    await t.declareQueue({ name: queue });
    const publisher = t.publisher({ exchange: '', routingKey: queue });
    await publisher.send({ n: 1 });
    await publisher.close();
    await t.expect(publisher.send({ n: 2 })).rejects.toBeInstanceOf(MessageStateError);
    // Only the message sent before close arrived.
    const messages = await readQueue(t, queue, { atLeast: 1 });
    t.expect(messages.map((m) => m.body)).toEqual([{ n: 1 }]);
  });

  suite.test('settling a message twice throws MessageStateError', { capabilities: ['acks', 'requeue'] }, async (t) => {
    const { expect } = t;
    const queue = t.queue('double-ack');
    await t.declareQueue({ name: queue });
    const { consumer, inbox } = t.inbox({ queue, declare: false }, { settle: 'hold' });
    await consumer.consume();
    const publisher = t.publisher({ exchange: '', routingKey: queue });
    await publisher.send({ n: 1 });
    const [message] = await inbox.until(1, t.ms(5_000));
    if (!message) throw new Error('no message');
    await message.ack();
    // Wrapped in async functions: a synchronous throw and a rejection both count.
    await expect((async () => message.ack())()).rejects.toBeInstanceOf(MessageStateError);
    await expect((async () => message.reject())()).rejects.toBeInstanceOf(MessageStateError);
    await expect((async () => message.requeue())()).rejects.toBeInstanceOf(MessageStateError);
    await consumer.close();
    // The first ack stood: the message is gone and was delivered once.
    expect(inbox.messages).toHaveLength(1);
    expect(await t.depth(queue)).toBe(0);
  });

  suite.test(
    'a mandatory message that no queue takes rejects with NoRouteError',
    { capabilities: ['mandatory'], exchangeTypes: ['direct'] },
    async (t) => {
      const { expect } = t;
      const exchange = t.exchange('mandatory');
      const queue = t.queue('mandatory');
      await t.conn.declareExchange({ name: exchange, type: 'direct' });
      await t.declareQueue({ name: queue });
      await t.conn.bindQueue({ queue, exchange, routingKey: 'routed' });
      const publisher = t.publisher({ exchange, declare: false });

      await expect(publisher.send({ n: 1 }, { routingKey: 'unrouted', mandatory: true })).rejects.toBeInstanceOf(
        NoRouteError,
      );
      // Not mandatory: an unroutable message is dropped and the send succeeds, as in AMQP.
      await publisher.send({ n: 2 }, { routingKey: 'unrouted' });
      await publisher.send({ n: 3 }, { routingKey: 'routed', mandatory: true });
      const always = t.publisher({ exchange: '', mandatory: true });
      await expect(always.send({ n: 4 }, { routingKey: t.queue('no-such-queue') })).rejects.toBeInstanceOf(
        NoRouteError,
      );
      await always.send({ n: 5 }, { routingKey: queue });

      const messages = await readQueue(t, queue, { atLeast: 2 });
      expect(messages.map((m) => m.body)).toEqual(expect.arrayContaining([{ n: 3 }, { n: 5 }]));
      expect(messages).toHaveLength(2);
    },
  );
}
