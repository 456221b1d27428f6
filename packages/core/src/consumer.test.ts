import { describe, expect, it } from 'vitest';
import { Consumer, connect, Publisher } from './index.js';

let counter = 0;
const unique = (prefix: string) => `${prefix}.${process.pid}.${++counter}`;

describe('Consumer lifecycle', () => {
  it('wait() returns when the connection is closed, with no error event', async () => {
    const conn = await connect(`memory://${unique('wait-close')}`);
    const consumer = new Consumer(conn, { queue: unique('q') });
    consumer.register(() => {});
    const errors: Error[] = [];
    consumer.on('error', (error) => errors.push(error));
    const waiting = consumer.wait();
    await consumer.consume();
    await conn.close();
    await waiting;
    expect(consumer.isConsuming).toBe(false);
    expect(errors).toEqual([]);
  });

  it('wait({ signal }) returns when the signal fires and cancels the consumer', async () => {
    const conn = await connect(`memory://${unique('wait-signal')}`);
    const consumer = new Consumer(conn, { queue: unique('q') });
    consumer.register(() => {});
    const controller = new AbortController();
    const waiting = consumer.wait({ signal: controller.signal });
    await consumer.consume();
    controller.abort();
    await waiting;
    expect(consumer.isConsuming).toBe(false);
    await conn.close();
  });

  it('for await can run again after a break, and sees the messages left', async () => {
    const conn = await connect(`memory://${unique('iterate')}`);
    const queue = unique('q');
    const consumer = new Consumer<{ n: number }>(conn, { queue, prefetch: 1 });
    await consumer.declare();
    const publisher = new Publisher<{ n: number }>(conn, { routingKey: queue });
    for (let n = 0; n < 4; n++) await publisher.send({ n });
    const seen: number[] = [];
    for await (const message of consumer) {
      seen.push(message.body.n);
      await message.ack();
      if (seen.length === 2) break;
    }
    for await (const message of consumer) {
      seen.push(message.body.n);
      await message.ack();
      if (seen.length === 4) break;
    }
    expect(seen).toEqual([0, 1, 2, 3]);
    await consumer.close();
    await conn.close();
  });
});
