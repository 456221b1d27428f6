import { COMPRESSION_HEADER, compressions, serializers } from '@warren/core';
import type { SuiteContext } from '../context.js';
import { bodiesFor, COMPRESSIONS, SERIALIZERS } from './serialization-bodies.js';

/** Binary bodies come back as Buffer (binary) or Uint8Array (msgpack); compare bytes, not classes. */
function comparable(value: unknown): unknown {
  return value instanceof Uint8Array
    ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('hex')
    : value;
}

/** Every serializer with every compression (and none), over unicode, empty and 1 MiB bodies. */
export function serializationCases(suite: SuiteContext): void {
  for (const serializer of SERIALIZERS) {
    for (const compression of COMPRESSIONS) {
      const name = `round trip: ${serializer}${compression ? ` + ${compression}` : ''} (unicode, empty, 1 MiB)`;
      suite.test(name, { timeoutMs: 20_000 }, async (t) => {
        const { expect } = t;
        const bodies = bodiesFor(serializer);
        const queue = t.queue(`serialize-${serializer}-${compression ?? 'plain'}`);
        await t.declareQueue({ name: queue });
        const publisher = t.publisher({
          exchange: '',
          routingKey: queue,
          serializer,
          ...(compression && { compression }),
        });
        for (const [index, { body }] of bodies.entries()) await publisher.send(body, { messageId: String(index) });

        const { consumer, inbox } = t.inbox({ queue, declare: false, accept: [serializer] });
        await consumer.consume();
        // Counting errors too: a body that fails to decode is reported at once instead of waited for.
        await inbox.when(
          (box) => box.messages.length + box.errors.length >= bodies.length,
          t.ms(10_000),
          `${bodies.length} messages`,
        );
        expect(inbox.errors).toEqual([]);
        const received = inbox.messages;
        const codec = serializers.get(serializer);
        for (const [index, { label, body }] of bodies.entries()) {
          const message = received.find((m) => m.properties.messageId === String(index));
          expect(message, label).toBeDefined();
          if (!message) continue;
          expect(comparable(message.body), label).toEqual(comparable(body));
          expect(message.contentType, label).toBe(codec.contentType);
          expect(message.contentEncoding, label).toBe(codec.contentEncoding);
          // `content` is the payload after decompression and before deserialization: the serializer's bytes.
          expect(message.content.equals(codec.encode(body)), `${label}: content bytes`).toBe(true);
          expect(message.headers[COMPRESSION_HEADER], label).toBe(
            compression ? compressions.get(compression).contentType : undefined,
          );
        }
      });
    }
  }
}
