import { ConfigurationError, ContentDisallowedError, SerializationError } from '@warren/core';
import { describe, expect, it } from 'vitest';
import { ChannelCodec } from './codec.js';
import { encodeFrame } from './frame.js';

describe('ChannelCodec', () => {
  it('encodes with the chosen serializer and decodes by the content type in the frame', () => {
    const json = new ChannelCodec('json', ['json']);
    // Text formats come as a string, binary ones as a Buffer: the same bytes on the wire either way.
    expect(json.encode({ a: 1 })).toBe('application/json\n{"a":1}');
    expect(json.decode(Buffer.from(json.encode({ a: [1, 'two'] })))).toEqual({ a: [1, 'two'] });
    const msgpack = new ChannelCodec('msgpack', ['msgpack']);
    const packed = msgpack.encode({ n: 3 });
    expect(Buffer.isBuffer(packed)).toBe(true);
    expect(msgpack.decode(Buffer.from(packed))).toEqual({ n: 3 });
  });

  it('refuses a content type its accept list does not hold', () => {
    const sender = new ChannelCodec('msgpack', ['msgpack']);
    const receiver = new ChannelCodec('json', ['json']);
    expect(() => receiver.decode(Buffer.from(sender.encode('x')))).toThrow(ContentDisallowedError);
  });

  it('reports bytes that do not decode, and values that do not encode', () => {
    const codec = new ChannelCodec('json', ['json']);
    expect(() => codec.decode(encodeFrame('application/json', Buffer.from('{nope')))).toThrow(SerializationError);
    expect(() => codec.encode(10n)).toThrow(SerializationError);
  });

  it('refuses an unknown serializer', () => {
    expect(() => new ChannelCodec('yaml', ['json'])).toThrow(ConfigurationError);
  });
});
