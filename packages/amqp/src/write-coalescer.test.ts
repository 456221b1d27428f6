import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WriteCoalescer } from './write-coalescer.js';

/** A real loopback TCP pair: the client socket to coalesce, and what the server side receives. */
async function socketPair(): Promise<{ client: net.Socket; received: () => Buffer; close: () => Promise<void> }> {
  const chunks: Buffer[] = [];
  const server = net.createServer((socket) => socket.on('data', (chunk) => chunks.push(chunk)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((resolve) => client.once('connect', resolve));
  return {
    client,
    received: () => Buffer.concat(chunks),
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(() => setImmediate(resolve)));

describe('WriteCoalescer', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
  });

  it('corks on the first write of a turn and uncorks after the turn, sending everything in one writev', async () => {
    const pair = await socketPair();
    close = pair.close;
    const coalescer = new WriteCoalescer(pair.client);
    let writevCalls = 0;
    let writeCalls = 0;
    const originalWritev = pair.client._writev?.bind(pair.client);
    const originalWrite = pair.client._write.bind(pair.client);
    pair.client._writev = (chunks, callback) => {
      writevCalls++;
      originalWritev?.(chunks, callback);
    };
    pair.client._write = (chunk, encoding, callback) => {
      writeCalls++;
      originalWrite(chunk, encoding, callback);
    };
    // As in a session: frames are handed to amqplib (wrote()) before its multiplexer writes them to the socket.
    for (let i = 0; i < 50; i++) {
      coalescer.wrote();
      pair.client.write(Buffer.from([i]));
    }
    expect(pair.client.writableCorked).toBe(1);
    await nextTurn();
    expect(pair.client.writableCorked).toBe(0);
    expect(writevCalls).toBe(1);
    expect(writeCalls).toBe(0);
    await new Promise<void>((resolve) => {
      const check = () => (pair.received().length >= 50 ? resolve() : setImmediate(check));
      check();
    });
    expect([...pair.received()]).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
