import net from 'node:net';
import { inspect } from 'node:util';
import { requireBroker } from '@warren/conformance';
import { AccessRefusedError, ConnectionError } from '@warren/core';
import { afterEach, describe, expect, it } from 'vitest';
import { REDIS_URL, uniquePrefix } from '../test-support/channels.js';
import { DurableChannel } from './durable-channel.js';
import { RemoteChannel } from './remote-channel.js';

/** A port nothing listens on (bound then released). */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe.skipIf(!(await requireBroker('Redis', REDIS_URL, 'channel connection tests')))(
  'channel connection errors',
  () => {
    const opened: Array<{ end(): Promise<void> }> = [];
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((c) => c.end()));
    });

    it('a wrong ACL user or password is an AccessRefusedError that shows no password', async () => {
      const url = new URL(REDIS_URL);
      url.username = 'warren-no-such-user';
      url.password = 'hunter2-secret';
      const remote = new RemoteChannel('x', { redis: url.href, prefix: uniquePrefix('auth') });
      opened.push(remote);
      const error = await remote.send('hello').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AccessRefusedError);
      expect((error as Error).message).toMatch(/wrong user name or password/);
      expect(inspect(error, { depth: 10 })).not.toContain('hunter2');

      const durable = new DurableChannel('y', { redis: url.href, prefix: uniquePrefix('auth') });
      const reported: Error[] = [];
      durable.on('error', (e) => reported.push(e));
      opened.push(durable);
      const sendError = await durable.send({ content: 1, to: 'z' }).catch((e: unknown) => e);
      expect(sendError).toBeInstanceOf(AccessRefusedError);
      expect(inspect(sendError, { depth: 10 })).not.toContain('hunter2');
      expect(inspect(reported, { depth: 10 })).not.toContain('hunter2');
    });

    it('a refused port is a ConnectionError naming host:port, for send, listen and receive', async () => {
      const port = await freePort();
      const redis = { host: '127.0.0.1', port };
      const options = {
        redis,
        prefix: uniquePrefix('refused'),
        reconnect: { retries: 1, minDelayMs: 10, maxDelayMs: 10 },
      };
      const remote = new RemoteChannel('x', options);
      opened.push(remote);
      await expect(remote.send('x')).rejects.toThrow(ConnectionError);
      await expect(remote.listen(() => undefined)).rejects.toThrow(`127.0.0.1:${port}`);
      const durable = new DurableChannel('y', options);
      durable.on('error', () => undefined);
      opened.push(durable);
      await expect(durable.send({ content: 1, to: 'z' })).rejects.toBeInstanceOf(ConnectionError);
      await expect(durable.receive({ timeoutMs: 100 })).rejects.toBeInstanceOf(ConnectionError);
    });
  },
);
