import { SerializationError } from '@warren/core';
import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame, encodeTextFrame } from './frame.js';

describe('channel frames', () => {
  it('round-trips a content type and any payload bytes, newlines included', () => {
    const payload = Buffer.from([0x0a, 0x00, 0xff, 0x0a, 0x41]);
    const frame = encodeFrame('application/x-msgpack', payload);
    expect(frame.toString('latin1', 0, 22)).toBe('application/x-msgpack\n');
    const decoded = decodeFrame(frame);
    expect(decoded.contentType).toBe('application/x-msgpack');
    expect(decoded.payload.equals(payload)).toBe(true);
  });

  it('writes a text payload as the same bytes, as a string', () => {
    const text = encodeTextFrame('application/json', '{"ü":"\\n"}');
    expect(Buffer.from(text).equals(encodeFrame('application/json', Buffer.from('{"ü":"\\n"}')))).toBe(true);
    expect(decodeFrame(Buffer.from(text)).payload.toString()).toBe('{"ü":"\\n"}');
    expect(() => encodeTextFrame('a\nb', '')).toThrow(SerializationError);
  });

  it('keeps an empty payload', () => {
    const decoded = decodeFrame(encodeFrame('text/plain', Buffer.alloc(0)));
    expect(decoded).toEqual({ contentType: 'text/plain', payload: Buffer.alloc(0) });
  });

  it('refuses bytes that are no frame', () => {
    expect(() => decodeFrame(Buffer.from('{"hello":"world"}'))).toThrow(SerializationError);
    expect(() => decodeFrame(Buffer.from('\n{}'))).toThrow(/not written by a warren channel/);
    expect(() => decodeFrame(Buffer.from(`${'x'.repeat(300)}\n{}`))).toThrow(SerializationError);
  });

  it('refuses a content type holding a newline', () => {
    expect(() => encodeFrame('text/plain\nx', Buffer.alloc(0))).toThrow(SerializationError);
  });
});
