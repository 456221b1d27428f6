/**
 * The frames of one basic.publish (method, content header, body frames split at the connection's frame-max),
 * written into a caller's buffer, one message after the other. This is the publish hot path's own encoder:
 * amqplib allocates three zeroed buffers per message and copies them again, and walks an empty headers table
 * into the frame for every message; here a message costs a size estimate and one pass of writes.
 *
 * The wire form is amqplib's (its codec decodes what this writes, see frame-encoder.test.ts): properties as in
 * marshal.ts (`expiration` a string of milliseconds, `timestamp` whole seconds, `persistent` delivery-mode 2 or 1),
 * and header values typed as amqplib types them (strings 'S', integers the smallest of b/s/I/l, other numbers 'd',
 * booleans 't', null 'V', Buffers 'x', arrays 'A', objects 'F', and `{ '!': type, value }` for an explicit type).
 */
import type { MessageProperties } from '@warren/core';
import type { OutboundMessage } from '@warren/core/transport';

const FRAME_METHOD = 1;
const FRAME_HEADER = 2;
const FRAME_BODY = 3;
const FRAME_END = 0xce;
const CLASS_BASIC = 60;
const METHOD_PUBLISH = 40;
/** Type, channel and size before a frame's payload, and the end octet after it. */
const FRAME_OVERHEAD = 8;

// Property flags of the basic class, highest bit first, in the order their values follow.
const FLAG_CONTENT_TYPE = 0x8000;
const FLAG_CONTENT_ENCODING = 0x4000;
const FLAG_HEADERS = 0x2000;
const FLAG_DELIVERY_MODE = 0x1000;
const FLAG_PRIORITY = 0x0800;
const FLAG_CORRELATION_ID = 0x0400;
const FLAG_REPLY_TO = 0x0200;
const FLAG_EXPIRATION = 0x0100;
const FLAG_MESSAGE_ID = 0x0080;
const FLAG_TIMESTAMP = 0x0040;
const FLAG_TYPE = 0x0020;
const FLAG_USER_ID = 0x0010;
const FLAG_APP_ID = 0x0008;

/** Largest headers table accepted (RabbitMQ's and amqplib's limit for the whole header frame is frame-max). */
const MAX_TABLE = 65_536;

/** Whether a headers object has at least one key with a value (an empty table is left out of the frame). */
function hasHeaders(headers: Record<string, unknown> | undefined): headers is Record<string, unknown> {
  if (headers === undefined) return false;
  for (const key in headers) if (headers[key] !== undefined) return true;
  return false;
}

/**
 * Encodes basic.publish frames. One per publish channel: it keeps the headers table of the message being
 * encoded between `measure` and `encode`, in a scratch buffer reused for every message.
 */
export class PublishFrameEncoder {
  readonly #channel: number;
  /** Largest body payload per body frame. */
  readonly #bodyChunk: number;
  readonly #scratch = Buffer.allocUnsafe(MAX_TABLE);
  /** Bytes of the measured message's headers table in the scratch buffer; 0 when it has none. */
  #tableSize = 0;

  /** `frameMax` is the negotiated frame-max of the connection (0: no limit, which RabbitMQ never grants). */
  constructor(channel: number, frameMax: number) {
    this.#channel = channel;
    this.#bodyChunk = (frameMax === 0 ? 131_072 : frameMax) - FRAME_OVERHEAD;
  }

  /**
   * Checks the message and returns an upper bound of the bytes its frames take (so that the caller can make
   * room); throws a TypeError or RangeError for a message that cannot be encoded. Must come right before
   * `encode` of the same message.
   */
  measure(message: OutboundMessage): number {
    const p = message.properties;
    // A short string takes at most 3 bytes per UTF-16 unit; the exact lengths are checked while writing.
    let size =
      FRAME_OVERHEAD +
      4 + // class, method
      2 + // reserved
      2 +
      message.exchange.length * 3 +
      message.routingKey.length * 3 +
      1 + // mandatory, immediate
      FRAME_OVERHEAD +
      14 + // class, weight, body size, property flags
      1 +
      (p.contentType?.length ?? 0) * 3 +
      1 +
      (p.contentEncoding?.length ?? 0) * 3 +
      2 + // delivery mode, priority
      1 +
      (p.correlationId?.length ?? 0) * 3 +
      1 +
      (p.replyTo?.length ?? 0) * 3 +
      1 +
      24 + // expiration: the digits of a number
      1 +
      (p.messageId?.length ?? 0) * 3 +
      8 + // timestamp
      1 +
      (p.type?.length ?? 0) * 3 +
      1 +
      (p.userId?.length ?? 0) * 3 +
      1 +
      (p.appId?.length ?? 0) * 3;
    if (hasHeaders(p.headers)) {
      this.#tableSize = encodeTable(this.#scratch, p.headers, 0);
      size += this.#tableSize;
    } else this.#tableSize = 0;
    const length = message.content.length;
    return size + length + Math.ceil(length / this.#bodyChunk) * FRAME_OVERHEAD;
  }

  /** Writes the frames of the message last measured at `offset`; returns the offset after them. */
  encode(message: OutboundMessage, out: Buffer, offset: number): number {
    const channel = this.#channel;
    // Method frame.
    const methodStart = offset;
    out[offset] = FRAME_METHOD;
    out.writeUInt16BE(channel, offset + 1);
    offset += 7;
    out.writeUInt32BE((CLASS_BASIC << 16) | METHOD_PUBLISH, offset);
    out.writeUInt16BE(0, offset + 4);
    offset = writeShortString(out, offset + 6, message.exchange, 'exchange');
    offset = writeShortString(out, offset, message.routingKey, 'routing key');
    out[offset++] = message.mandatory ? 1 : 0;
    out.writeUInt32BE(offset - methodStart - 7, methodStart + 3);
    out[offset++] = FRAME_END;

    // Content header frame.
    const headerStart = offset;
    const content = message.content;
    out[offset] = FRAME_HEADER;
    out.writeUInt16BE(channel, offset + 1);
    offset += 7;
    out.writeUInt32BE(CLASS_BASIC << 16, offset); // class, weight 0
    out.writeUInt32BE(0, offset + 4); // body size, high half
    out.writeUInt32BE(content.length, offset + 8);
    const flagsAt = offset + 12;
    offset += 14;
    offset = this.#writeProperties(message.properties, out, offset, flagsAt);
    out.writeUInt32BE(offset - headerStart - 7, headerStart + 3);
    out[offset++] = FRAME_END;

    // Body frames.
    const chunk = this.#bodyChunk;
    for (let from = 0; from < content.length; from += chunk) {
      const size = Math.min(chunk, content.length - from);
      out[offset] = FRAME_BODY;
      out.writeUInt16BE(channel, offset + 1);
      out.writeUInt32BE(size, offset + 3);
      offset += 7;
      offset += content.copy(out, offset, from, from + size);
      out[offset++] = FRAME_END;
    }
    return offset;
  }

  #writeProperties(p: MessageProperties, out: Buffer, offset: number, flagsAt: number): number {
    let flags = 0;
    if (p.contentType !== undefined) {
      flags |= FLAG_CONTENT_TYPE;
      offset = writeShortString(out, offset, p.contentType, 'contentType');
    }
    if (p.contentEncoding !== undefined) {
      flags |= FLAG_CONTENT_ENCODING;
      offset = writeShortString(out, offset, p.contentEncoding, 'contentEncoding');
    }
    if (this.#tableSize > 0) {
      flags |= FLAG_HEADERS;
      offset += this.#scratch.copy(out, offset, 0, this.#tableSize);
    }
    if (p.persistent !== undefined) {
      flags |= FLAG_DELIVERY_MODE;
      out[offset++] = p.persistent ? 2 : 1;
    }
    if (p.priority !== undefined) {
      flags |= FLAG_PRIORITY;
      out.writeUInt8(p.priority, offset++);
    }
    if (p.correlationId !== undefined) {
      flags |= FLAG_CORRELATION_ID;
      offset = writeShortString(out, offset, p.correlationId, 'correlationId');
    }
    if (p.replyTo !== undefined) {
      flags |= FLAG_REPLY_TO;
      offset = writeShortString(out, offset, p.replyTo, 'replyTo');
    }
    if (p.expiration !== undefined) {
      flags |= FLAG_EXPIRATION;
      offset = writeShortString(out, offset, String(Math.max(0, Math.trunc(p.expiration))), 'expiration');
    }
    if (p.messageId !== undefined) {
      flags |= FLAG_MESSAGE_ID;
      offset = writeShortString(out, offset, p.messageId, 'messageId');
    }
    if (p.timestamp !== undefined) {
      flags |= FLAG_TIMESTAMP;
      out.writeBigUInt64BE(BigInt(Math.floor(p.timestamp.getTime() / 1000)), offset);
      offset += 8;
    }
    if (p.type !== undefined) {
      flags |= FLAG_TYPE;
      offset = writeShortString(out, offset, p.type, 'type');
    }
    if (p.userId !== undefined) {
      flags |= FLAG_USER_ID;
      offset = writeShortString(out, offset, p.userId, 'userId');
    }
    if (p.appId !== undefined) {
      flags |= FLAG_APP_ID;
      offset = writeShortString(out, offset, p.appId, 'appId');
    }
    out.writeUInt16BE(flags, flagsAt);
    return offset;
  }
}

/** A shortstr: one length octet, then at most 255 bytes of UTF-8. */
function writeShortString(out: Buffer, offset: number, value: string, what: string): number {
  // `measure` made room for 3 bytes per unit, so nothing is cut short here.
  const length = out.write(value, offset + 1, 'utf8');
  if (length > 255) throw new RangeError(`${what} is longer than 255 bytes in UTF-8, the most AMQP allows`);
  out[offset] = length;
  return offset + 1 + length;
}

function checkSpace(buffer: Buffer, offset: number, size: number): void {
  if (offset + size > buffer.length)
    throw new RangeError(`the headers table is larger than ${buffer.length} bytes once encoded`);
}

/** A field table, as amqplib writes it; returns the bytes written (the 4-byte length included). */
export function encodeTable(buffer: Buffer, table: Record<string, unknown>, offset: number): number {
  const start = offset;
  checkSpace(buffer, offset, 4);
  offset += 4;
  for (const key in table) {
    const value = table[key];
    if (value === undefined) continue;
    const length = Buffer.byteLength(key);
    if (length > 255) throw new RangeError(`the header name "${key.slice(0, 40)}…" is longer than 255 bytes`);
    checkSpace(buffer, offset, 1 + length);
    buffer[offset] = length;
    buffer.write(key, offset + 1, 'utf8');
    offset += 1 + length;
    offset += encodeFieldValue(buffer, value, offset);
  }
  buffer.writeUInt32BE(offset - start - 4, start);
  return offset - start;
}

function encodeArray(buffer: Buffer, values: unknown[], offset: number): number {
  const start = offset;
  checkSpace(buffer, offset, 4);
  offset += 4;
  for (const value of values) offset += encodeFieldValue(buffer, value, offset);
  buffer.writeUInt32BE(offset - start - 4, start);
  return offset - start;
}

/** amqplib's choice for a JS number: a double if it has a fraction (or is out of range), else the smallest integer. */
function numberType(n: number): string {
  if (n >= 0x8000000000000000 || (Math.abs(n) < 0x4000000000000 && Math.floor(n) !== n)) return 'double';
  if (n < 128 && n >= -128) return 'byte';
  if (n >= -0x8000 && n < 0x8000) return 'short';
  if (n >= -0x80000000 && n < 0x80000000) return 'int';
  return 'long';
}

function encodeFieldValue(buffer: Buffer, value: unknown, offset: number): number {
  const start = offset;
  let type: string = typeof value;
  let v: unknown = value;
  if (value !== null && type === 'object' && Object.hasOwn(value as object, '!')) {
    // amqplib's way to name a type: { '!': 'timestamp', value: 1700000000 }.
    v = (value as { value: unknown }).value;
    type = String((value as { '!': unknown })['!']);
  }
  if (type === 'number') type = numberType(v as number);
  const tag = (t: string, size: number) => {
    checkSpace(buffer, offset, 1 + size);
    buffer[offset++] = t.charCodeAt(0);
  };
  switch (type) {
    case 'string': {
      const length = Buffer.byteLength(v as string);
      tag('S', 4 + length);
      buffer.writeUInt32BE(length, offset);
      buffer.write(v as string, offset + 4, 'utf8');
      offset += 4 + length;
      break;
    }
    case 'object':
      if (v === null) tag('V', 0);
      else if (Array.isArray(v)) {
        tag('A', 0);
        offset += encodeArray(buffer, v, offset);
      } else if (Buffer.isBuffer(v)) {
        tag('x', 4 + v.length);
        buffer.writeUInt32BE(v.length, offset);
        offset += 4 + v.copy(buffer, offset + 4);
      } else {
        tag('F', 0);
        offset += encodeTable(buffer, v as Record<string, unknown>, offset);
      }
      break;
    case 'boolean':
      tag('t', 1);
      buffer[offset++] = v ? 1 : 0;
      break;
    case 'double':
    case 'float64':
      tag('d', 8);
      offset = buffer.writeDoubleBE(v as number, offset);
      break;
    case 'byte':
    case 'int8':
      tag('b', 1);
      offset = buffer.writeInt8(v as number, offset);
      break;
    case 'unsignedbyte':
    case 'uint8':
      tag('B', 1);
      offset = buffer.writeUInt8(v as number, offset);
      break;
    case 'short':
    case 'int16':
      tag('s', 2);
      offset = buffer.writeInt16BE(v as number, offset);
      break;
    case 'unsignedshort':
    case 'uint16':
      tag('u', 2);
      offset = buffer.writeUInt16BE(v as number, offset);
      break;
    case 'int':
    case 'int32':
      tag('I', 4);
      offset = buffer.writeInt32BE(v as number, offset);
      break;
    case 'unsignedint':
    case 'uint32':
      tag('i', 4);
      offset = buffer.writeUInt32BE(v as number, offset);
      break;
    case 'long':
    case 'int64':
      tag('l', 8);
      offset = buffer.writeBigInt64BE(BigInt(v as number), offset);
      break;
    case 'timestamp':
      tag('T', 8);
      offset = buffer.writeBigUInt64BE(BigInt(v as number), offset);
      break;
    case 'float':
      tag('f', 4);
      offset = buffer.writeFloatBE(v as number, offset);
      break;
    case 'decimal': {
      const d = v as { places?: unknown; digits?: unknown };
      if (typeof d?.places !== 'number' || typeof d.digits !== 'number' || d.places < 0 || d.places > 255)
        throw new TypeError(
          `a decimal header value must be { places: 0..255, digits: uint32 }, got ${JSON.stringify(v)}`,
        );
      tag('D', 5);
      buffer[offset++] = d.places;
      offset = buffer.writeUInt32BE(d.digits, offset);
      break;
    }
    default:
      throw new TypeError(`a header value of type ${type} cannot be encoded in AMQP`);
  }
  return offset - start;
}
