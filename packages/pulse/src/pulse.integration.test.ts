import { randomBytes } from 'node:crypto';
import { AccessRefusedError, type Connection, connect, NotFoundError } from '@warren/core';
import '@warren/amqp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumers, messages, type PulseEnvelope, publishers } from './index.js';
import { AMQP_URL, brokerAvailable, createPulseUser, type PulseUser } from './test-support/pulse-user.js';

const RUN = randomBytes(3).toString('hex');

function commit(repository: string): messages.hg.HgCommitMessage {
  return new messages.hg.HgCommitMessage(repository)
    .setData('who', 'dev@example.com')
    .setData('when', new Date().toISOString())
    .setData('changeset', 'abcdef0123456789')
    .setData('message', 'Bug 2 - test')
    .setData('link', `https://hg.mozilla.org/${repository}/rev/abcdef0123456789`);
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

describe.skipIf(!(await brokerAvailable('@warren/pulse integration tests')))(
  'Pulse on RabbitMQ with Pulse permissions',
  () => {
    let pulse: PulseUser;
    let admin: Connection; // guest: stands for the services that own the preset exchanges
    const repository = `warren-test-${RUN}`; // a repository name of this run only: other runs' messages do not match

    beforeAll(async () => {
      pulse = await createPulseUser('perm');
      admin = await connect(AMQP_URL);
      // The service side: the code exchange exists before consumers look for it, as on Pulse.
      await admin.declareExchange({ name: 'exchange/code', type: 'topic', durable: true });
    }, 120_000);

    afterAll(async () => {
      await admin?.deleteQueue(`queue/${pulse.user}/durable`).catch(() => {});
      await admin?.deleteExchange(`exchange/${pulse.user}/builds`).catch(() => {});
      await admin?.close();
      await pulse?.remove();
    }, 120_000);

    it('a Pulse user consumes a preset exchange through queue/<user>/<applabel>', async () => {
      const consumer = new consumers.HgConsumer({
        url: pulse.url,
        applabel: 'listen',
        topic: `hg.commit.${repository}`,
      });
      expect(consumer.user).toBe(pulse.user);
      const received = deferred<PulseEnvelope>();
      await consumer.start((body) => received.resolve(body));
      const service = new publishers.HgPublisher({ connection: admin });
      await service.publish(commit(repository));
      const body = await received.promise;
      expect(body._meta).toMatchObject({ exchange: 'exchange/code', routing_key: `hg.commit.${repository}` });
      expect(body.payload).toMatchObject({ repository, changeset: 'abcdef0123456789' });
      await consumer.disconnect();
      await service.disconnect();
    });

    it('a durable queue keeps messages across consumers, and purgeExistingMessages drops them', async () => {
      const options = { url: pulse.url, applabel: 'durable', durable: true, topic: `hg.commit.${repository}` };
      const first = new consumers.CodeConsumer(options);
      await first.start(() => {});
      await first.disconnect();
      const service = new publishers.CodePublisher({ connection: admin });
      await service.publish(commit(repository));
      await service.publish(commit(repository));
      const info = await admin.declareQueue({ name: `queue/${pulse.user}/durable`, durable: true });
      expect(info.messageCount).toBe(2);

      const second = new consumers.CodeConsumer(options);
      await expect(second.purgeExistingMessages()).resolves.toBe(2);
      await service.publish(commit(repository));
      const received = deferred<PulseEnvelope>();
      await second.start((body) => received.resolve(body));
      await expect(received.promise).resolves.toMatchObject({ payload: { repository } });
      await second.disconnect();
      await service.disconnect();
    });

    it('a Pulse user publishes to its own exchange/<user>/<name> and reads it back', async () => {
      const publisher = new publishers.GenericPublisher({ url: pulse.url, exchange: 'builds' });
      expect(publisher.exchange).toBe(`exchange/${pulse.user}/builds`);
      await publisher.publish(new messages.test.TestMessage().setData('n', 0)); // declares the exchange
      const consumer = new consumers.GenericConsumer({ url: pulse.url, exchange: publisher.exchange, topic: 'test' });
      const received = deferred<PulseEnvelope>();
      await consumer.start((body) => received.resolve(body));
      await publisher.publish(new messages.test.TestMessage().setData('n', 1));
      await expect(received.promise).resolves.toMatchObject({ payload: { n: 1 }, _meta: { routing_key: 'test' } });
      await consumer.disconnect();
      await publisher.disconnect();
    });

    it("stepping outside Pulse's permissions is an AccessRefusedError", async () => {
      // Writing to someone else's exchange: a preset publisher as an ordinary user.
      const intruder = new publishers.HgPublisher({ url: pulse.url });
      await expect(intruder.publish(commit(repository))).rejects.toBeInstanceOf(AccessRefusedError);
      await intruder.disconnect();
      // A queue outside queue/<user>/..., and an exchange outside exchange/<user>/..., through the same login.
      const raw = await connect(pulse.url, { reconnect: false });
      await expect(
        raw.declareQueue({ name: `not-pulse-${RUN}`, durable: false, exclusive: true }),
      ).rejects.toBeInstanceOf(AccessRefusedError);
      await expect(
        raw.declareExchange({ name: `exchange/someone-else-${RUN}/x`, type: 'topic' }),
      ).rejects.toBeInstanceOf(AccessRefusedError);
      // And the connection still works within them afterwards.
      await expect(
        raw.declareQueue({
          name: `queue/${pulse.user}/after-${RUN}`,
          exclusive: true,
          durable: false,
          autoDelete: true,
        }),
      ).resolves.toMatchObject({
        messageCount: 0,
      });
      await raw.close();
    });

    it('a Pulse exchange that does not exist is a NotFoundError, and nothing is created', async () => {
      const exchange = `exchange/nobody-${RUN}/missing`;
      const consumer = new consumers.GenericConsumer({
        url: pulse.url,
        exchange,
        applabel: 'never',
        durable: true,
        topic: '#',
        callback: () => {},
      });
      const error = await consumer.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundError);
      expect((error as Error).message).toContain(`Pulse exchange "${exchange}" does not exist`);
      await expect(consumer.queueExists()).resolves.toBe(false); // checked before the queue was declared
      await consumer.disconnect();
      const probe = await connect(AMQP_URL, { reconnect: false });
      await expect(probe.checkExchange(exchange)).rejects.toBeInstanceOf(NotFoundError);
      await probe.close();
    });

    it('a wrong password is an AccessRefusedError that does not show the password', async () => {
      const consumer = new consumers.CodeConsumer({
        url: pulse.url.replace(pulse.password, 'wrong-password-xyz'),
        topic: '#',
        callback: () => {},
        connectOptions: { reconnect: false },
      });
      const error = await consumer.start().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AccessRefusedError);
      expect(String((error as Error).message)).not.toContain('wrong-password-xyz');
      await consumer.disconnect();
    });
  },
);
