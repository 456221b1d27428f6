import { randomBytes } from 'node:crypto';
import { requireBroker } from '@warren/conformance';
import { AccessRefusedError } from '@warren/core';
import { describe, expect, it } from 'vitest';
import { BackgroundRunner, BroadcastConsumer, connectProps, createProducer } from './index.js';

const AMQP_URL = process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const broker = new URL(AMQP_URL);
const props = {
  host: broker.hostname,
  port: Number(broker.port || 5672),
  user: decodeURIComponent(broker.username || 'guest'),
  password: decodeURIComponent(broker.password || 'guest'),
  vhost: decodeURIComponent(broker.pathname.slice(1)) || '/',
};

describe.skipIf(!(await requireBroker('RabbitMQ', AMQP_URL, '@warren/events broadcast tests')))(
  "zamqp's helpers on RabbitMQ",
  () => {
    it('connectProps logs in with zamqp-style props; two consumers each get every broadcast', async () => {
      const conn = await connectProps(props);
      const exchange = `warren.events-broadcast.${randomBytes(4).toString('hex')}`;
      try {
        const got: unknown[][] = [[], []];
        const runners: BackgroundRunner[] = [];
        const all: Promise<void>[] = [];
        for (const list of got) {
          let done!: () => void;
          all.push(
            new Promise<void>((resolve) => {
              done = resolve;
            }),
          );
          const consumer = new BroadcastConsumer(conn, { exchange }, (message) => {
            list.push(message);
            if (list.length === 3) done();
          });
          runners.push(new BackgroundRunner(consumer));
        }
        await Promise.all(runners.map((r) => r.start()));
        const produce = createProducer(conn, { exchange });
        for (const message of ['a', { b: 2 }, [3]]) await produce(message);
        await Promise.all(all);
        expect(got).toEqual([
          ['a', { b: 2 }, [3]],
          ['a', { b: 2 }, [3]],
        ]);
        await Promise.all(runners.map((r) => r.stop()));
        await produce.close();
        await conn.deleteExchange(exchange);
      } finally {
        await conn.close();
      }
    });

    it('a wrong password is an AccessRefusedError that does not show it', async () => {
      const error = await connectProps({ ...props, password: 'not-the-password-123' }, { reconnect: false }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(AccessRefusedError);
      expect(String((error as Error).message)).not.toContain('not-the-password-123');
    });
  },
);
