import { afterAll, describe, expect, it } from 'vitest';
import { MemorySession } from './memory/session.js';
import { memoryBroker } from './memory/transport.js';
import {
  Consumer,
  connect,
  MEMORY_CAPABILITIES,
  registerTransport,
  type TransportFactory,
  UnsupportedFeatureError,
  unregisterTransport,
} from './test-exports.js';

/** memory:// as a transport without exclusive queues would be (Redis-like): the same broker, fewer claims. */
const capabilities = { ...MEMORY_CAPABILITIES, exclusiveQueues: false };
const shared: TransportFactory<Record<string, unknown>> = {
  name: 'sharedonly',
  schemes: ['sharedonly'],
  capabilities,
  optionsSchema: { safeParse: (input) => ({ success: true, data: input as Record<string, unknown> }) },
  connect: async (request) =>
    new MemorySession(
      memoryBroker(`sharedonly-${request.url.host}`, { highWaterMark: 10_000, highWaterMarkBytes: 2 ** 26 }),
      capabilities,
      1000,
      request.hooks,
    ),
};
registerTransport(shared);
afterAll(() => unregisterTransport('sharedonly'));

describe('exclusive on a transport without exclusive queues', () => {
  it('a Consumer asked for exclusive: true or exclusiveConsumer: true throws UnsupportedFeatureError', async () => {
    const conn = await connect('sharedonly://exclusive');
    try {
      const exclusive = new Consumer(conn, { queue: 'q.exclusive', exclusive: true });
      exclusive.register(() => {});
      await expect(exclusive.consume()).rejects.toBeInstanceOf(UnsupportedFeatureError);
      // Nothing was declared in its place, exclusive or not.
      await expect(conn.purgeQueue('q.exclusive')).rejects.toThrow(/does not exist/);

      const exclusiveConsumer = new Consumer(conn, { queue: 'q.shared', exclusiveConsumer: true });
      exclusiveConsumer.register(() => {});
      await expect(exclusiveConsumer.consume()).rejects.toBeInstanceOf(UnsupportedFeatureError);
      expect(exclusiveConsumer.isConsuming).toBe(false);

      // Not asked for: a server-named queue adapts (it is not exclusive there) and works.
      const anonymous = new Consumer(conn, {});
      anonymous.register(() => {});
      await anonymous.consume();
      expect(anonymous.isConsuming).toBe(true);
      await anonymous.close();
    } finally {
      await conn.close();
    }
  });
});
