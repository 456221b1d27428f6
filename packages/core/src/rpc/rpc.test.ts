import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ConfigurationError, connect, RpcClient, RpcServer, TimeoutError } from '../test-exports.js';

let counter = 0;
const unique = (prefix: string) => `${prefix}.${process.pid}.${++counter}`;

/** A real collection, so that what the heap holds after it is what is still referenced. */
function collectGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
}

describe('RpcClient', () => {
  it('100,000 timed-out calls leave no pending entry and the heap flat', async () => {
    const conn = await connect(`memory://${unique('rpc-heap')}`);
    try {
      // Nobody serves this key: every request is dropped by the broker and every call times out.
      const client = new RpcClient(conn, { routingKey: unique('nobody') });
      const burst = async (calls: number) => {
        for (let done = 0; done < calls; done += 10_000) {
          const results = await Promise.allSettled(
            Array.from({ length: 10_000 }, () => client.call({ n: done }, { timeoutMs: 1 })),
          );
          // One assertion per batch: expect() per call would cost more than the calls.
          const timedOut = results.filter((r) => r.status === 'rejected' && r.reason instanceof TimeoutError).length;
          expect(timedOut).toBe(results.length);
        }
      };
      await burst(10_000);
      collectGarbage();
      const before = process.memoryUsage().heapUsed;
      await burst(100_000);
      expect(client.pending).toBe(0);
      collectGarbage();
      const grown = process.memoryUsage().heapUsed - before;
      // A leaked entry (promise, callbacks, timer) per call would be tens of MB for 100,000 calls.
      expect(grown).toBeLessThan(4 * 1024 * 1024);
      await client.close();
    } finally {
      await conn.close();
    }
  }, 60_000);

  it('refuses unknown options and bad timeouts, naming them', async () => {
    const conn = await connect(`memory://${unique('rpc-options')}`);
    try {
      expect(() => new RpcClient(conn, { routingKey: 'q', timeout: 5 } as never)).toThrow(/timeout/);
      expect(() => new RpcClient(conn, {} as never)).toThrow(ConfigurationError);
      const client = new RpcClient(conn, { routingKey: 'q' });
      await expect(client.call({}, { timeoutMs: -1 })).rejects.toBeInstanceOf(ConfigurationError);
      await expect(client.call({}, { timout: 5 } as never)).rejects.toThrow(/timout/);
      expect(client.pending).toBe(0);
      await client.close();
      expect(() => new RpcServer(conn, { queue: 'q', prefecth: 1 } as never, () => 1)).toThrow(/prefecth/);
      expect(() => new RpcServer(conn, { queue: '' }, () => 1)).toThrow(ConfigurationError);
    } finally {
      await conn.close();
    }
  });

  it('a handler result that cannot be serialized reaches the caller as a RemoteError', async () => {
    const conn = await connect(`memory://${unique('rpc-unencodable')}`);
    try {
      const queue = unique('q');
      const server = new RpcServer(conn, { queue }, () => ({ big: 10n }));
      await server.start();
      const client = new RpcClient(conn, { routingKey: queue });
      await expect(client.call({})).rejects.toMatchObject({ name: 'RemoteError', remoteName: 'SerializationError' });
      await client.close();
      await server.close();
    } finally {
      await conn.close();
    }
  });
});
