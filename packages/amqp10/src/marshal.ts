/**
 * Marshaling between warren's messages and AMQP 1.0 messages (rhea's message objects). Pure: no I/O, unit-tested.
 *
 * Mapping (RabbitMQ's AMQP 1.0 plugin maps the same fields to and from AMQP 0-9-1):
 * | warren | AMQP 1.0 |
 * | --- | --- |
 * | content | one `data` section (bytes) |
 * | contentType, contentEncoding, messageId, correlationId, replyTo, userId | properties of the same names |
 * | type | properties.subject |
 * | timestamp | properties.creation_time |
 * | persistent, priority, expiration | header.durable, header.priority, header.ttl (ms) |
 * | headers | application-properties |
 * | appId | message annotation `x-opt-app-id` |
 *
 * A received body that is an `amqp-value` (what most AMQP 1.0 clients send by default) becomes bytes: a string
 * as UTF-8 (`text/plain` unless the sender said otherwise), binary as is, and JSON-like values (numbers,
 * booleans, null, lists, maps with string keys) as JSON (`application/json`). Anything else (an `amqp-sequence`,
 * described or symbol values, maps with other keys) is a {@link SerializationError}.
 */
import { type Headers, type MessageProperties, SerializationError } from '@warren/core';
import rhea, { type Message as RheaMessage } from 'rhea';

/** The message annotation that carries `appId`, which AMQP 1.0 has no property for. */
export const APP_ID_ANNOTATION = 'x-opt-app-id';

/** rhea's tag for a data section, and the type codes of its body wrappers. */
const DATA_SECTION = 0x75;
const AMQP_SEQUENCE = 0x76;
const AMQP_VALUE = 0x77;

/** A warren message as an rhea message with one data section. */
export function toAmqp10(
  content: Buffer,
  properties: MessageProperties,
  annotations?: Record<string, string>,
): RheaMessage {
  const message: RheaMessage = { body: rhea.message.data_section(content) };
  if (properties.contentType !== undefined) message.content_type = properties.contentType;
  if (properties.contentEncoding !== undefined) message.content_encoding = properties.contentEncoding;
  if (properties.messageId !== undefined) message.message_id = properties.messageId;
  if (properties.correlationId !== undefined) message.correlation_id = properties.correlationId;
  if (properties.replyTo !== undefined) message.reply_to = properties.replyTo;
  if (properties.userId !== undefined)
    // AMQP 1.0's user-id is binary; rhea's typings say string.
    message.user_id = Buffer.from(properties.userId, 'utf8') as unknown as string;
  if (properties.type !== undefined) message.subject = properties.type;
  if (properties.timestamp !== undefined) message.creation_time = properties.timestamp;
  if (properties.persistent !== undefined) message.durable = properties.persistent;
  if (properties.priority !== undefined) message.priority = properties.priority;
  if (properties.expiration !== undefined) message.ttl = properties.expiration;
  if (Object.keys(properties.headers).length > 0) message.application_properties = properties.headers;
  if (properties.appId !== undefined) {
    message.message_annotations = { ...annotations, [APP_ID_ANNOTATION]: properties.appId };
  } else if (annotations !== undefined) message.message_annotations = annotations;
  return message;
}

/** A received message's payload bytes and warren properties. */
export interface Amqp10Payload {
  /** The body's bytes. */
  content: Buffer;
  /** The properties, headers included. */
  properties: MessageProperties;
}

/** A received message's payload and properties; throws SerializationError for a body warren cannot read. */
export function fromAmqp10(message: RheaMessage): Amqp10Payload {
  const { content, contentType } = bodyBytes(message.body);
  const properties: MessageProperties = { headers: headersOf(message.application_properties) };
  const type = message.content_type ?? contentType;
  if (type !== undefined) properties.contentType = String(type);
  if (message.content_encoding !== undefined) properties.contentEncoding = String(message.content_encoding);
  if (message.message_id !== undefined) properties.messageId = idText(message.message_id);
  if (message.correlation_id !== undefined) properties.correlationId = idText(message.correlation_id);
  if (message.reply_to !== undefined) properties.replyTo = String(message.reply_to);
  if (message.user_id !== undefined) properties.userId = Buffer.from(message.user_id).toString('utf8');
  if (message.subject !== undefined) properties.type = String(message.subject);
  if (message.creation_time !== undefined) properties.timestamp = new Date(message.creation_time);
  if (message.durable !== undefined) properties.persistent = Boolean(message.durable);
  if (message.priority !== undefined) properties.priority = Number(message.priority);
  if (message.ttl !== undefined) properties.expiration = Number(message.ttl);
  const appId = message.message_annotations?.[APP_ID_ANNOTATION];
  if (typeof appId === 'string') properties.appId = appId;
  return { content, properties };
}

/** AMQP 1.0 ids may be strings, numbers, UUIDs (Buffers) or binary; warren's are strings. */
function idText(id: unknown): string {
  if (Buffer.isBuffer(id)) return id.length === 16 ? uuidText(id) : id.toString('utf8');
  return String(id);
}

function uuidText(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function headersOf(applicationProperties: unknown): Headers {
  if (applicationProperties === undefined || applicationProperties === null) return {};
  return { ...(applicationProperties as Headers) };
}

/** The bytes of a body section, and the content type they imply when the sender gave none. */
function bodyBytes(body: unknown): { content: Buffer; contentType?: string } {
  if (body === undefined || body === null) return { content: Buffer.alloc(0) };
  const section = body as { typecode?: number; content?: unknown; multiple?: boolean };
  if (section.typecode === DATA_SECTION) {
    const bytes = section.content;
    if (section.multiple && Array.isArray(bytes)) return { content: Buffer.concat(bytes.map((b) => Buffer.from(b))) };
    if (Buffer.isBuffer(bytes)) return { content: bytes };
    if (bytes instanceof Uint8Array) return { content: Buffer.from(bytes) };
  }
  if (section.typecode === AMQP_SEQUENCE) {
    throw new SerializationError(
      'The message body is an AMQP sequence section, which warren does not read: send one data section (bytes) or an AMQP value.',
    );
  }
  // rhea hands a plain amqp-value over as the value itself; a described wrapper keeps its typecode.
  const value = section.typecode === AMQP_VALUE ? section.content : body;
  return valueBytes(value);
}

function valueBytes(value: unknown): { content: Buffer; contentType?: string } {
  if (typeof value === 'string') return { content: Buffer.from(value, 'utf8'), contentType: 'text/plain' };
  if (Buffer.isBuffer(value)) return { content: value, contentType: 'application/octet-stream' };
  if (value instanceof Uint8Array) return { content: Buffer.from(value), contentType: 'application/octet-stream' };
  if (isJsonLike(value))
    return { content: Buffer.from(JSON.stringify(value), 'utf8'), contentType: 'application/json' };
  throw new SerializationError(
    `The message body is an AMQP value of a type warren cannot read (${describe(value)}): send bytes in a data section, a string, or JSON-like values (numbers, booleans, null, lists, maps with string keys).`,
  );
}

function isJsonLike(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (value === null || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'string') return true;
  if (Array.isArray(value)) return value.every((item) => isJsonLike(item, depth + 1));
  if (typeof value === 'object') {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) return false;
    return Object.values(value as Record<string, unknown>).every((item) => isJsonLike(item, depth + 1));
  }
  return false;
}

function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value !== 'object' || value === null) return typeof value;
  const typecode = (value as { typecode?: number }).typecode;
  if (typecode !== undefined) return `type code 0x${typecode.toString(16)}`;
  return (value as object).constructor?.name ?? 'object';
}
