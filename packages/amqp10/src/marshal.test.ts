import { SerializationError } from '@warren/core';
import rhea from 'rhea';
import { describe, expect, it } from 'vitest';
import { APP_ID_ANNOTATION, fromAmqp10, toAmqp10 } from './marshal.js';

/** Through rhea's own encoder and decoder, as on the wire. */
const wire = (message: ReturnType<typeof toAmqp10>): ReturnType<typeof toAmqp10> =>
  rhea.message.decode(rhea.message.encode(message)) as unknown as ReturnType<typeof toAmqp10>;

describe('marshal', () => {
  it('round-trips content and every property', () => {
    const properties = {
      headers: { n: 1, s: 'x', b: true, nested: { k: [1, 'two'] } },
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      messageId: 'm-1',
      correlationId: 'c-1',
      replyTo: 'replies',
      priority: 7,
      expiration: 60_000,
      timestamp: new Date('2026-01-02T03:04:05.000Z'),
      persistent: true,
      type: 'feed.imported',
      appId: 'importer',
      userId: 'guest',
    };
    const content = Buffer.from('{"a":1}');
    const back = fromAmqp10(wire(toAmqp10(content, properties)));
    expect(back.content.equals(content)).toBe(true);
    expect(back.properties).toEqual(properties);
  });

  it('keeps stamped annotations beside the app id', () => {
    const message = toAmqp10(Buffer.alloc(0), { headers: {}, appId: 'a' }, { 'x-opt-warren-exchange': 'x' });
    expect(message.message_annotations).toEqual({ 'x-opt-warren-exchange': 'x', [APP_ID_ANNOTATION]: 'a' });
  });

  it('leaves out what was not set', () => {
    const message = toAmqp10(Buffer.from('x'), { headers: {} });
    expect(Object.keys(message)).toEqual(['body']);
    expect(fromAmqp10(wire(message)).properties).toEqual({ headers: {} });
  });

  it('reads AMQP values the way other clients send them', () => {
    expect(fromAmqp10(wire({ body: 'grüße' }))).toMatchObject({
      content: Buffer.from('grüße'),
      properties: { contentType: 'text/plain' },
    });
    expect(fromAmqp10(wire({ body: { a: [1, null, true] } }))).toMatchObject({
      content: Buffer.from('{"a":[1,null,true]}'),
      properties: { contentType: 'application/json' },
    });
    // The sender's content type wins over the one implied by the value.
    expect(fromAmqp10(wire({ body: 'x', content_type: 'text/csv' })).properties.contentType).toBe('text/csv');
    expect(fromAmqp10(wire({ body: rhea.types.wrap_binary(Buffer.from([1, 2])) })).content).toEqual(
      Buffer.from([1, 2]),
    );
    expect(fromAmqp10(wire({ body: null })).content).toEqual(Buffer.alloc(0));
  });

  it('turns UUID and numeric ids into strings', () => {
    const uuid = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
    const back = fromAmqp10(
      // rhea's typings do not admit the typed wrappers that its encoder takes for ids.
      wire({
        body: 'x',
        message_id: rhea.types.wrap_uuid(uuid) as unknown as string,
        correlation_id: rhea.types.wrap_ulong(42) as unknown as string,
      }),
    );
    expect(back.properties.messageId).toBe('01234567-89ab-cdef-0123-456789abcdef');
    expect(back.properties.correlationId).toBe('42');
  });

  it('refuses bodies it cannot read, with a SerializationError that says what to send', () => {
    expect(() => fromAmqp10(wire({ body: rhea.message.sequence_section([1, 2]) }))).toThrow(SerializationError);
    expect(() => fromAmqp10(wire({ body: new Date(0) }))).toThrow(/type warren cannot read \(Date\)/);
  });
});
