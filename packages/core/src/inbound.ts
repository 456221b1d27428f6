import { type AcceptList, decodePayload, payloadOf } from './codec.js';
import { Message } from './message.js';
import type { Delivery } from './transport.js';

/**
 * Turns a delivery into a {@link Message}: decompresses, checks the accept list, deserializes. Throws
 * ContentDisallowedError or SerializationError; the caller settles the delivery and reports.
 */
export function decodeDelivery<TBody>(delivery: Delivery, accept: AcceptList, noAck: boolean): Message<TBody> {
  const { contentType, headers } = delivery.properties;
  const payload = payloadOf(delivery.content, contentType, headers, accept);
  return new Message<TBody>(delivery, payload, decodePayload(payload, contentType) as TBody, noAck);
}
