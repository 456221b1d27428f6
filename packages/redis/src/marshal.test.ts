import { describe, expect, it } from 'vitest';
import { decodeEntry, encodeProperties, messageFields, UNREADABLE_CONTENT_TYPE, UNREADABLE_HEADER } from './marshal.js';

/** Fields as ioredis gives them back: Buffers. */
const asRead = (fields: Array<string | Buffer>): Buffer[] =>
  fields.map((f) => (Buffer.isBuffer(f) ? f : Buffer.from(f)));

describe('marshal', () => {
  it('round-trips content, properties, exchange and routing key', () => {
    const properties = {
      headers: { a: 1, nested: { when: new Date(5), raw: Buffer.from([1, 2]) }, list: [new Date(6)] },
      contentType: 'application/json',
      messageId: 'm1',
      timestamp: new Date(1_700_000_000_000),
      persistent: true,
      priority: 3,
    };
    const fields = messageFields(Buffer.from('{"n":1}'), properties, 'ex', 'rk');
    const entry = decodeEntry('1-0', asRead(fields));
    expect(entry.readable).toBe(true);
    expect(entry.content.toString()).toBe('{"n":1}');
    expect(entry.exchange).toBe('ex');
    expect(entry.routingKey).toBe('rk');
    expect(entry.properties).toEqual(properties);
    expect(entry.expiresAt).toBe(Number.POSITIVE_INFINITY);
    expect(entry.requeued).toBe(false);
  });

  it('reads the expiry, requeue mark and death reason', () => {
    const fields = [...messageFields(Buffer.alloc(0), { headers: {} }, '', 'q'), 'x', '1234', 'r', '1', 'w', 'expired'];
    const entry = decodeEntry('1-0', asRead(fields));
    expect(entry.expiresAt).toBe(1234);
    expect(entry.requeued).toBe(true);
    expect(entry.reason).toBe('expired');
  });

  it('keeps properties JSON free of undefined and Date objects', () => {
    const json = encodeProperties({ headers: {}, timestamp: new Date(7), messageId: undefined } as never);
    expect(JSON.parse(json)).toEqual({ headers: {}, timestamp: { $date: 7 } });
  });

  it('turns an entry warren did not write into an unreadable message that says why', () => {
    const garbage = decodeEntry('9-1', asRead(['foo', 'bar']));
    expect(garbage.readable).toBe(false);
    expect(garbage.properties.contentType).toBe(UNREADABLE_CONTENT_TYPE);
    expect(garbage.properties.headers[UNREADABLE_HEADER]).toMatch(/9-1 was not written by warren/);
    expect(JSON.parse(garbage.content.toString())).toEqual({ foo: 'bar' });
    const badJson = decodeEntry('9-2', asRead(['p', '{nope', 'e', '', 'k', 'q', 'b', 'x']));
    expect(badJson.readable).toBe(false);
    expect(badJson.properties.headers[UNREADABLE_HEADER]).toMatch(/properties are not warren's JSON/);
    expect(decodeEntry('9-3', null).readable).toBe(false);
  });
});
