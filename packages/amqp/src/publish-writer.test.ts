import { createRequire } from 'node:module';
import net from 'node:net';
import { dirname, join } from 'node:path';
import type { OutboundMessage } from '@warren/core/transport';
import { afterEach, describe, expect, it } from 'vitest';
import { BATCH_MESSAGES, PublishWriter } from './publish-writer.js';
import { WriteCoalescer } from './write-coalescer.js';

const require = createRequire(import.meta.url);
const { parseFrame } = require(join(dirname(require.resolve('amqplib')), 'lib', 'frame.js')) as {
  parseFrame(bin: Buffer, max: number): false | { type: number; channel: number; size: number; rest: Buffer };
};

/** A loopback TCP pair: the client socket the writer writes to, and the server side that reads (or not). */
async function socketPair() {
  const chunks: Buffer[] = [];
  let serverSide!: net.Socket;
  const server = net.createServer((socket) => {
    serverSide = socket;
    socket.on('data', (chunk) => chunks.push(chunk));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((resolve) => client.once('connect', resolve));
  while (serverSide === undefined) await new Promise((resolve) => setImmediate(resolve));
  return {
    client,
    server: serverSide,
    received: () => Buffer.concat(chunks),
    close: async () => {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const message = (i: number, size = 1000): OutboundMessage => ({
  exchange: '',
  routingKey: `q${i}`,
  content: Buffer.alloc(size, i % 256),
  mandatory: false,
  properties: { headers: {}, persistent: true },
});

/** The types of the whole frames at the start of `bytes` (each on channel 5); the bytes of a partial one are left. */
function frameTypes(bytes: Buffer): number[] {
  const types: number[] = [];
  let rest = bytes;
  while (rest.length > 0) {
    const frame = parseFrame(rest, 0);
    if (frame === false) break;
    expect(frame.channel).toBe(5);
    types.push(frame.type);
    rest = frame.rest;
  }
  return types;
}

const until = async (condition: () => boolean, what: string) => {
  const deadline = Date.now() + 10_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('PublishWriter', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('hands a batch to the socket as soon as it is full, during the loop, and the rest at the end of the turn', async () => {
    const pair = await socketPair();
    close = pair.close;
    const writer = new PublishWriter(pair.client, new WriteCoalescer(pair.client), 5, 131_072, 1 << 20);
    for (let i = 0; i < BATCH_MESSAGES - 1; i++) writer.write(message(i));
    expect(pair.client.bytesWritten).toBe(0);
    writer.write(message(BATCH_MESSAGES));
    // Synchronously, in the same loop: the first batch is on its way.
    expect(pair.client.bytesWritten).toBeGreaterThan(BATCH_MESSAGES * 1000);
    const firstBatch = pair.client.bytesWritten;
    for (let i = 0; i < 3; i++) writer.write(message(100 + i));
    expect(pair.client.bytesWritten).toBe(firstBatch);
    const total = BATCH_MESSAGES + 3;
    await until(() => frameTypes(pair.received()).length === total * 3, 'every frame');
    expect(frameTypes(pair.received())).toEqual(Array.from({ length: total }, () => [1, 2, 3]).flat());
  });

  it('says the socket is backed up once it holds more than the limit unsent, and not after it drained', async () => {
    const pair = await socketPair();
    close = pair.close;
    pair.server.pause();
    const limit = 256 * 1024;
    const writer = new PublishWriter(pair.client, new WriteCoalescer(pair.client), 5, 131_072, limit);
    let written = 0;
    // The kernel's buffers take a few MiB first; then Node's buffer grows until the writer says stop.
    while (!writer.backedUp) {
      writer.write(message(written++, 16 * 1024));
      if (written > 20_000) throw new Error('the writer never reported back-pressure');
      if (written % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    // At most one batch and one message past the limit.
    expect(pair.client.writableLength).toBeLessThan(limit + 2 * 20 * 1024);
    const drained = new Promise<void>((resolve) => pair.client.once('drain', () => resolve()));
    pair.server.resume();
    await drained;
    expect(writer.backedUp).toBe(false);
    writer.flush();
    await until(() => frameTypes(pair.received()).length === written * 3, 'every frame');
  });

  it('splits a body larger than frame-max and keeps the frames of one message together', async () => {
    const pair = await socketPair();
    close = pair.close;
    const writer = new PublishWriter(pair.client, new WriteCoalescer(pair.client), 5, 4096, 1 << 20);
    writer.write(message(1, 100_000));
    writer.write(message(2, 10));
    await until(() => frameTypes(pair.received()).length === 2 + 25 + 3, 'every frame');
    const types = frameTypes(pair.received());
    expect(types.slice(0, 2)).toEqual([1, 2]);
    expect(types.slice(2, 27)).toEqual(Array.from({ length: 25 }, () => 3));
    expect(types.slice(27)).toEqual([1, 2, 3]);
  });

  it('drops an unsent batch once discarded (its channel closed) and writes nothing more', async () => {
    const pair = await socketPair();
    close = pair.close;
    const writer = new PublishWriter(pair.client, new WriteCoalescer(pair.client), 5, 131_072, 1 << 20);
    writer.write(message(1));
    writer.discard();
    writer.flush();
    await new Promise((resolve) => setImmediate(resolve));
    expect(pair.client.bytesWritten).toBe(0);
  });
});
