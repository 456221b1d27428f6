/**
 * Message properties between core's form and amqplib's, both ways. Pure functions, on the hot path: one object per
 * call, always of the same shape (V8 keeps such sites monomorphic), and nothing else allocated.
 *
 * Wire form, as kombu and every other AMQP 0-9-1 client read it: `expiration` is a string of milliseconds,
 * `timestamp` whole seconds since the epoch, `persistent` is `delivery-mode` 2 (1 is transient).
 */
import type { DeliveryInfo, Headers, MessageProperties, StreamOffset } from '@warren/core';
import type { MessageProperties as AmqplibProperties, MessageFields, Options } from 'amqplib';

const PERSISTENT = 2;
const TRANSIENT = 1;

/** amqplib's publish options with every field present (undefined where unset), so that all have one shape. */
export type WirePublishOptions = Pick<{ [K in keyof Options.Publish]-?: Options.Publish[K] | undefined }, PublishField>;

type PublishField =
  | 'contentType'
  | 'contentEncoding'
  | 'headers'
  | 'deliveryMode'
  | 'priority'
  | 'correlationId'
  | 'replyTo'
  | 'expiration'
  | 'messageId'
  | 'timestamp'
  | 'type'
  | 'userId'
  | 'appId'
  | 'mandatory';

/** amqplib's publish options for core's properties (amqplib skips the undefined ones). */
export function toPublishOptions(properties: MessageProperties, mandatory: boolean): WirePublishOptions {
  const { expiration, timestamp, persistent } = properties;
  return {
    contentType: properties.contentType,
    contentEncoding: properties.contentEncoding,
    headers: properties.headers,
    deliveryMode: persistent === undefined ? undefined : persistent ? PERSISTENT : TRANSIENT,
    priority: properties.priority,
    correlationId: properties.correlationId,
    replyTo: properties.replyTo,
    expiration: expiration === undefined ? undefined : String(Math.max(0, Math.trunc(expiration))),
    messageId: properties.messageId,
    timestamp: timestamp === undefined ? undefined : Math.floor(timestamp.getTime() / 1000),
    type: properties.type,
    userId: properties.userId,
    appId: properties.appId,
    mandatory,
  };
}

/** Core's properties for the properties of a delivered (or returned) message. */
export function fromAmqplibProperties(raw: AmqplibProperties): MessageProperties {
  const deliveryMode: unknown = raw.deliveryMode;
  return {
    contentType: stringOrUndefined(raw.contentType),
    contentEncoding: stringOrUndefined(raw.contentEncoding),
    headers: (raw.headers as Headers | undefined) ?? {},
    messageId: stringOrUndefined(raw.messageId),
    correlationId: stringOrUndefined(raw.correlationId),
    replyTo: stringOrUndefined(raw.replyTo),
    priority: numberOrUndefined(raw.priority),
    expiration: expirationFromWire(raw.expiration),
    timestamp: timestampFromWire(raw.timestamp),
    persistent: deliveryMode === undefined || deliveryMode === null ? undefined : deliveryMode === PERSISTENT,
    type: stringOrUndefined(raw.type),
    appId: stringOrUndefined(raw.appId),
    userId: stringOrUndefined(raw.userId),
  } as MessageProperties;
}

/**
 * Core's delivery info for a delivered message; `consumerTag` is absent for a basic.get. `deliveryCount` comes from
 * the `x-delivery-count` header that RabbitMQ's quorum queues add to a redelivered message.
 */
export function toDeliveryInfo(fields: MessageFields, queue: string, headers?: Headers | undefined): DeliveryInfo {
  const info: DeliveryInfo = {
    exchange: fields.exchange,
    routingKey: fields.routingKey,
    redelivered: fields.redelivered,
    queue,
  };
  if (fields.consumerTag !== undefined) info.consumerTag = fields.consumerTag;
  const count = integerOrUndefined(headers?.['x-delivery-count']);
  if (count !== undefined) info.deliveryCount = count;
  const offset = integerOrUndefined(headers?.['x-stream-offset']);
  if (offset !== undefined) info.streamOffset = offset;
  return info;
}

/** AMQP's `expiration` is a shortstr of milliseconds; anything that is not a number is left out. */
export function expirationFromWire(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const ms = Number(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** AMQP's `timestamp` is seconds since the epoch (amqplib gives a number). */
export function timestampFromWire(value: unknown): Date | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
  if (typeof value === 'bigint') return new Date(Number(value) * 1000);
  return undefined;
}

function stringOrUndefined(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** A header that holds a count or an offset: RabbitMQ sends a long (a number, or a bigint from amqplib). */
function integerOrUndefined(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  return undefined;
}

/**
 * RabbitMQ's `x-stream-offset` consumer argument for a stream offset: a time goes as an AMQP timestamp (seconds),
 * which amqplib writes for a `{ '!': 'timestamp' }` value.
 */
export function toStreamOffsetArgument(offset: StreamOffset): unknown {
  if (offset instanceof Date) return { '!': 'timestamp', value: Math.floor(offset.getTime() / 1000) };
  return offset;
}
