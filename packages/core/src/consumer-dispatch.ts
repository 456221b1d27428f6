import { decodePayload, payloadOf } from './codec.js';
import type { ConsumerSettings } from './consumer-settings.js';
import { Message } from './message.js';
import { validateBody } from './schema.js';
import type { Delivery } from './transport.js';

/** Decodes a delivery into a Message; throws ContentDisallowedError, SerializationError or ValidationError. */
export function decodeDelivery<TBody>(
  delivery: Delivery,
  settings: Pick<ConsumerSettings, 'accept' | 'schema' | 'noAck'>,
): Message<TBody> {
  const { contentType, headers } = delivery.properties;
  const payload = payloadOf(delivery.content, contentType, headers, settings.accept);
  let body = decodePayload(payload, contentType);
  if (settings.schema) body = validateBody(settings.schema, body, 'consumer');
  return new Message<TBody>(delivery, payload, body as TBody, settings.noAck);
}

/** A stand-in for a delivery that could not be decoded, so that the 'error' event can show what came. */
export function undecodedMessage<TBody>(delivery: Delivery, settings: ConsumerSettings): Message<TBody> {
  return new Message<TBody>(delivery, delivery.content, undefined as TBody, settings.noAck);
}

/** Refused messages are rejected without requeue (dead-lettered where the queue has a DLX), never redelivered in a loop. */
export async function refuseDelivery(delivery: Delivery, settings: ConsumerSettings): Promise<void> {
  if (!settings.noAck) await delivery.settler.reject(delivery, false);
}
