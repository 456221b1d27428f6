import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { brokerEndpoint, brokerReachable, requireBroker } from './broker-availability.js';

/** A port on 127.0.0.1 that nothing listens on: bind port 0, note the port, close. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('broker availability', () => {
  const savedCI = process.env.CI;
  let server: net.Server | undefined;

  beforeEach(() => {
    delete process.env.CI;
  });

  afterEach(async () => {
    if (savedCI === undefined) delete process.env.CI;
    else process.env.CI = savedCI;
    vi.restoreAllMocks();
    if (server) await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
  });

  it('parses host and default ports without keeping credentials', () => {
    expect(brokerEndpoint('amqp://guest:secret@127.0.0.1/')).toEqual({
      host: '127.0.0.1',
      port: 5672,
      label: '127.0.0.1:5672',
    });
    expect(brokerEndpoint('amqps://h').port).toBe(5671);
    expect(brokerEndpoint('redis://:pw@localhost').port).toBe(6379);
    expect(brokerEndpoint('amqp10://localhost').port).toBe(5672);
    expect(brokerEndpoint('redis://[::1]:7000')).toEqual({ host: '::1', port: 7000, label: '[::1]:7000' });
    expect(() => brokerEndpoint('amqp://guest:secret@host:notaport')).toThrow(/malformed/);
    try {
      brokerEndpoint('amqp://guest:secret@host:notaport');
    } catch (error) {
      expect(String(error)).not.toContain('secret');
      expect((error as Error).cause).toBeUndefined();
    }
  });

  it('an open port is reachable', async () => {
    server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    expect(await brokerReachable(`amqp://guest:guest@127.0.0.1:${port}/`)).toBe(true);
    expect(await requireBroker('RabbitMQ', `amqp://127.0.0.1:${port}/`)).toBe(true);
  });

  it('a closed port is not reachable, and requireBroker warns once and returns false outside CI', async () => {
    const port = await closedPort();
    const url = `redis://:secret@127.0.0.1:${port}`;
    expect(await brokerReachable(url, 500)).toBe(false);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect(await requireBroker('Redis', url)).toBe(false);
    expect(warn).toHaveBeenCalledTimes(1);
    const line = String(warn.mock.calls[0]?.[0]);
    expect(line).toContain(`Redis not reachable at 127.0.0.1:${port}: skipping`);
    expect(line).toContain(`docker run -d -p ${port}:6379 redis:7`);
    // Only things a library user has: no file of this repository.
    expect(line).not.toMatch(/compose\.yml|scripts\//);
    expect(line).not.toContain('secret');
  });

  it('a closed port throws under CI=true', async () => {
    const port = await closedPort();
    process.env.CI = 'true';
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    await expect(requireBroker('RabbitMQ', `amqp://guest:secret@127.0.0.1:${port}/`)).rejects.toThrow(
      /RabbitMQ not reachable at 127\.0\.0\.1:\d+, and CI=true/,
    );
    await expect(requireBroker('RabbitMQ', `amqp://guest:secret@127.0.0.1:${port}/`)).rejects.not.toThrow(/secret/);
    expect(warn).not.toHaveBeenCalled();
  });
});
