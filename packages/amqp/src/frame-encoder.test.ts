import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { MessageProperties } from '@warren/core';
import type { OutboundMessage } from '@warren/core/transport';
import { describe, expect, it } from 'vitest';
import { PublishFrameEncoder } from './frame-encoder.js';
import { toPublishOptions } from './marshal.js';

// amqplib's own frame parser, decoder and property encoder (not in its package exports: reached by path).
const require = createRequire(import.meta.url);
const amqplibLib = join(dirname(require.resolve('amqplib')), 'lib');
const frames = require(join(amqplibLib, 'frame.js')) as {
  parseFrame(
    bin: Buffer,
    max: number,
  ): false | { type: number; channel: number; size: number; payload: Buffer; rest: Buffer };
  decodeFrame(frame: unknown): {
    id?: number;
    channel: number;
    fields?: Record<string, unknown>;
    size?: number;
    content?: Buffer;
  };
};
const defs = require(join(amqplibLib, 'defs.js')) as {
  BasicPublish: number;
  BasicProperties: number;
  encodeProperties(id: number, channel: number, size: number, fields: Record<string, unknown>): Buffer;
};

const CHANNEL = 7;

function message(
  overrides: Partial<OutboundMessage> = {},
  properties: MessageProperties = { headers: {} },
): OutboundMessage {
  return {
    exchange: 'ex',
    routingKey: 'key',
    content: Buffer.from('{"hello":"world"}'),
    mandatory: false,
    properties,
    ...overrides,
  };
}

function encode(outbound: OutboundMessage, frameMax = 131_072): Buffer {
  const encoder = new PublishFrameEncoder(CHANNEL, frameMax);
  const size = encoder.measure(outbound);
  const out = Buffer.alloc(size + 16, 0xaa);
  const end = encoder.encode(outbound, out, 3);
  expect(end).toBeLessThanOrEqual(3 + size);
  return out.subarray(3, end);
}

/** Every frame in `bytes`, as amqplib parses and decodes them, with the raw frame kept. */
function decodeAll(bytes: Buffer, frameMax = 131_072) {
  const decoded: Array<ReturnType<typeof frames.decodeFrame> & { type: number; raw: Buffer }> = [];
  let rest = bytes;
  while (rest.length > 0) {
    const frame = frames.parseFrame(rest, frameMax);
    if (frame === false) throw new Error(`a partial frame is left: ${rest.length} bytes`);
    decoded.push({ ...frames.decodeFrame(frame), type: frame.type, raw: rest.subarray(0, frame.size + 8) });
    rest = frame.rest;
  }
  return decoded;
}

const everyProperty: MessageProperties = {
  contentType: 'application/json',
  contentEncoding: 'utf-8',
  headers: {
    text: 'plain',
    unicode: 'é—☃ 🐇',
    byte: -5,
    short: 1_000,
    int: -100_000,
    long: 2 ** 40,
    double: 1.5,
    huge: 2 ** 64,
    yes: true,
    no: false,
    nothing: null,
    skipped: undefined,
    bytes: Buffer.from([0, 1, 2, 255]),
    list: ['a', 1, true, ['nested'], { in: 'table' }],
    table: { a: 'b', n: 7, deeper: { x: 1.25 } },
    emptyTable: {},
    stamp: { '!': 'timestamp', value: 1_700_000_000 },
    float: { '!': 'float', value: 0.5 },
    unsignedByte: { '!': 'uint8', value: 200 },
    unsignedShort: { '!': 'uint16', value: 60_000 },
    unsignedInt: { '!': 'uint32', value: 4_000_000_000 },
    signedByte: { '!': 'int8', value: -1 },
    decimal: { '!': 'decimal', value: { places: 2, digits: 12_345 } },
    x: { '!': 'int64', value: 42 },
  },
  persistent: true,
  priority: 9,
  correlationId: 'corr-1',
  replyTo: 'amq.rabbitmq.reply-to',
  expiration: 60_000.9,
  messageId: 'id-ü',
  timestamp: new Date(1_700_000_000_123),
  type: 'kind',
  userId: 'guest',
  appId: 'warren',
};

describe('PublishFrameEncoder against amqplib', () => {
  it('writes method, header and body frames that amqplib decodes to the message', () => {
    const outbound = message({ exchange: 'échange', routingKey: 'a.b.☃', mandatory: true }, everyProperty);
    const [method, header, body, ...more] = decodeAll(encode(outbound));
    expect(more).toEqual([]);
    expect(method?.id).toBe(defs.BasicPublish);
    expect(method?.channel).toBe(CHANNEL);
    expect(method?.fields).toMatchObject({
      exchange: 'échange',
      routingKey: 'a.b.☃',
      mandatory: true,
      immediate: false,
    });
    expect(header?.id).toBe(60);
    expect(header?.size).toBe(outbound.content.length);
    expect(body?.content?.equals(outbound.content)).toBe(true);
    const fields = header?.fields as Record<string, unknown>;
    expect(fields).toMatchObject({
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      deliveryMode: 2,
      priority: 9,
      correlationId: 'corr-1',
      replyTo: 'amq.rabbitmq.reply-to',
      expiration: '60000',
      messageId: 'id-ü',
      timestamp: 1_700_000_000,
      type: 'kind',
      userId: 'guest',
      appId: 'warren',
    });
    const headers = fields.headers as Record<string, unknown>;
    expect(headers).toMatchObject({
      text: 'plain',
      unicode: 'é—☃ 🐇',
      byte: -5,
      short: 1_000,
      int: -100_000,
      long: 2 ** 40,
      double: 1.5,
      huge: 2 ** 64,
      yes: true,
      no: false,
      nothing: null,
      list: ['a', 1, true, ['nested'], { in: 'table' }],
      table: { a: 'b', n: 7, deeper: { x: 1.25 } },
      emptyTable: {},
      stamp: { '!': 'timestamp', value: 1_700_000_000 },
      float: 0.5,
      unsignedByte: 200,
      unsignedShort: 60_000,
      unsignedInt: 4_000_000_000,
      signedByte: -1,
      decimal: { '!': 'decimal', value: { places: 2, digits: 12_345 } },
      x: 42,
    });
    expect((headers.bytes as Buffer).equals(Buffer.from([0, 1, 2, 255]))).toBe(true);
    expect('skipped' in headers).toBe(false);
  });

  it('writes the content header frame byte for byte as amqplib does, for every property and header type', () => {
    const outbound = message({}, everyProperty);
    const header = decodeAll(encode(outbound))[1]?.raw as Buffer;
    const { mandatory: _, ...fields } = toPublishOptions(everyProperty, false);
    const amqplibHeader = defs.encodeProperties(defs.BasicProperties, CHANNEL, outbound.content.length, fields);
    expect(header.equals(amqplibHeader)).toBe(true);
  });

  it('leaves an empty headers table out of the frame (and every unset property)', () => {
    const [, header] = decodeAll(encode(message({}, { headers: {} })));
    // Class, weight, body size (8), flags: nothing after them.
    expect(header?.raw.length).toBe(8 + 14);
    expect(header?.raw.readUInt16BE(7 + 12)).toBe(0);
    const transient = decodeAll(encode(message({}, { headers: { gone: undefined }, persistent: false })))[1];
    const fields = transient?.fields as Record<string, unknown>;
    expect(fields).toMatchObject({ deliveryMode: 1 });
    expect(fields.headers).toBeUndefined();
  });

  it('splits a body larger than frame-max into frames of frame-max, and writes none for an empty body', () => {
    const frameMax = 4096;
    const content = Buffer.alloc(10_000);
    for (let i = 0; i < content.length; i++) content[i] = i % 251;
    const decoded = decodeAll(encode(message({ content }), frameMax), frameMax);
    const bodies = decoded.filter((frame) => frame.type === 3);
    expect(bodies.map((frame) => frame.raw.length)).toEqual([4096, 4096, 10_000 - 2 * 4088 + 8]);
    expect(Buffer.concat(bodies.map((frame) => frame.content as Buffer)).equals(content)).toBe(true);
    expect(decoded.every((frame) => frame.channel === CHANNEL)).toBe(true);

    const exact = decodeAll(encode(message({ content: Buffer.alloc(4088, 1) }), frameMax), frameMax);
    expect(exact.filter((frame) => frame.type === 3)).toHaveLength(1);
    const empty = decodeAll(encode(message({ content: Buffer.alloc(0) })));
    expect(empty.map((frame) => frame.type)).toEqual([1, 2]);
    expect(empty[1]?.size).toBe(0);
  });

  it('writes several messages one after the other into one buffer', () => {
    const encoder = new PublishFrameEncoder(CHANNEL, 131_072);
    const first = message({ routingKey: 'one' });
    const second = message({ routingKey: 'two', content: Buffer.from('x') }, { headers: { n: 1 } });
    const out = Buffer.alloc(encoder.measure(first) + 400);
    let end = encoder.encode(first, out, 0);
    encoder.measure(second);
    end = encoder.encode(second, out, end);
    const decoded = decodeAll(out.subarray(0, end));
    expect(decoded.map((frame) => frame.type)).toEqual([1, 2, 3, 1, 2, 3]);
    expect(decoded[3]?.fields).toMatchObject({ routingKey: 'two' });
    expect(decoded[4]?.fields).toMatchObject({ headers: { n: 1 } });
  });

  it('refuses what AMQP cannot carry, with a message saying what', () => {
    const tooLong = 'k'.repeat(256);
    const encoder = new PublishFrameEncoder(CHANNEL, 131_072);
    const refuse = (outbound: OutboundMessage) => () => {
      const out = Buffer.alloc(encoder.measure(outbound));
      encoder.encode(outbound, out, 0);
    };
    expect(refuse(message({ routingKey: tooLong }))).toThrow(/routing key is longer than 255 bytes/);
    expect(refuse(message({ exchange: 'é'.repeat(128) }))).toThrow(/exchange is longer than 255 bytes/);
    expect(refuse(message({}, { headers: {}, messageId: tooLong }))).toThrow(/messageId/);
    expect(refuse(message({}, { headers: { big: 10n } }))).toThrow(/bigint cannot be encoded/);
    expect(refuse(message({}, { headers: { f: () => 1 } }))).toThrow(/function cannot be encoded/);
    expect(refuse(message({}, { headers: { d: { '!': 'decimal', value: { places: 300, digits: 1 } } } }))).toThrow(
      /decimal/,
    );
    expect(refuse(message({}, { headers: { blob: Buffer.alloc(70_000) } }))).toThrow(/headers table is larger/);
    // A failed message leaves the encoder ready for the next.
    expect(decodeAll(encode(message()))).toHaveLength(3);
  });
});
