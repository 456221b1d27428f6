import { isUtf8 } from 'node:buffer';
import type { MessageProperties } from '@warren/core';

/**
 * Messages as stream entries, and back: pure functions, no I/O. An entry's fields:
 * - `p`: the properties as JSON (Dates and Buffers tagged, see {@link encodeProperties});
 * - `e`, `k`: the exchange and routing key it was published with;
 * - `b`: the payload bytes, as they are;
 * - `x` (optional): when it expires, epoch ms (core's rules computed it at publish time);
 * - `r` (optional): `1` when it was put back on the queue (it is then delivered as redelivered);
 * - `w` (optional, outbox only): why it died (`rejected`, `expired`, `maxlen`).
 */

/** The content type given to an entry that warren did not write, so that consumers refuse and report it. */
export const UNREADABLE_CONTENT_TYPE = 'application/x-warren-unreadable-entry';
/** The header that says why an entry could not be read. */
export const UNREADABLE_HEADER = 'x-warren-unreadable';

const DATE_TAG = '$date';
const BYTES_TAG = '$bytes';

/** A message read from a stream entry. */
export interface StoredEntry {
  content: Buffer;
  properties: MessageProperties;
  exchange: string;
  routingKey: string;
  /** Epoch ms, or Infinity. */
  expiresAt: number;
  requeued: boolean;
  /** Outbox entries: why the message died. */
  reason: string | undefined;
  /** False for an entry that warren did not write (its fields are then described in a header). */
  readable: boolean;
}

/**
 * The payload as ioredis writes it fastest: a string when the bytes are valid UTF-8 (they are then written back
 * byte for byte, and ioredis writes an all-string command in one piece), the Buffer itself otherwise.
 */
export function payloadArgument(content: Buffer): string | Buffer {
  return isUtf8(content) ? content.toString('utf8') : content;
}

/** The fields shared by every copy of one published message (`x` is added per target queue). */
export function messageFields(
  content: Buffer,
  properties: MessageProperties,
  exchange: string,
  routingKey: string,
): Array<string | Buffer> {
  return ['p', encodeProperties(properties), 'e', exchange, 'k', routingKey, 'b', payloadArgument(content)];
}

/** Properties as JSON; Dates and Buffers (in `timestamp` or headers) are tagged so they come back as they went. */
export function encodeProperties(properties: MessageProperties): string {
  const { timestamp, headers, ...rest } = properties;
  const out: Record<string, unknown> = rest;
  if (timestamp !== undefined) out.timestamp = { [DATE_TAG]: timestamp.getTime() };
  // Most messages carry no headers, or only plain ones: walk them only when there is something to walk.
  out.headers = hasKeys(headers) ? tagValue(headers) : {};
  return JSON.stringify(out);
}

function hasKeys(object: object | undefined): object is object {
  if (!object) return false;
  for (const _ in object) return true;
  return false;
}

function tagValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return { [DATE_TAG]: value.getTime() };
  if (Buffer.isBuffer(value)) return { [BYTES_TAG]: value.toString('base64') };
  if (Array.isArray(value)) return value.map(tagValue);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[key] = tagValue(inner);
  return out;
}

function revive(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const record = value as Record<string, unknown>;
    if (typeof record[DATE_TAG] === 'number') return new Date(record[DATE_TAG] as number);
    if (typeof record[BYTES_TAG] === 'string') return Buffer.from(record[BYTES_TAG] as string, 'base64');
  }
  return value;
}

/** Properties from their JSON; throws on anything that is not a JSON object. */
export function decodeProperties(json: string): MessageProperties {
  const parsed = json.includes('"$') ? JSON.parse(json, revive) : JSON.parse(json);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('p is not an object');
  const properties = parsed as MessageProperties;
  if (properties.headers === null || typeof properties.headers !== 'object') properties.headers = {};
  return properties;
}

/**
 * An entry's fields (as ioredis returns them: name, value, name, value, ...) as a message. An entry that
 * warren did not write comes back unreadable rather than throwing: the consumer then refuses and reports it,
 * and it is dead-lettered or dropped like any refused message.
 */
export function decodeEntry(id: string, fields: readonly Buffer[] | null): StoredEntry {
  let properties: MessageProperties | undefined;
  let content: Buffer | undefined;
  let exchange: string | undefined;
  let routingKey: string | undefined;
  let expiresAt = Number.POSITIVE_INFINITY;
  let requeued = false;
  let reason: string | undefined;
  let problem: string | undefined;
  const list = fields ?? [];
  for (let i = 0; i + 1 < list.length; i += 2) {
    const name = list[i] as Buffer;
    const value = list[i + 1] as Buffer;
    if (name.length !== 1) continue;
    switch (name[0]) {
      case 0x70: // p
        try {
          properties = decodeProperties(value.toString());
        } catch (error) {
          problem = `its properties are not warren's JSON (${(error as Error).message})`;
        }
        break;
      case 0x62: // b
        content = value;
        break;
      case 0x65: // e
        exchange = value.toString();
        break;
      case 0x6b: // k
        routingKey = value.toString();
        break;
      case 0x78: // x
        expiresAt = Number(value.toString());
        if (Number.isNaN(expiresAt)) expiresAt = Number.POSITIVE_INFINITY;
        break;
      case 0x72: // r
        requeued = true;
        break;
      case 0x77: // w
        reason = value.toString();
        break;
    }
  }
  if (properties && content && exchange !== undefined && routingKey !== undefined) {
    return { content, properties, exchange, routingKey, expiresAt, requeued, reason, readable: true };
  }
  problem ??= `it lacks warren's fields (p, e, k, b)`;
  return {
    content: describeFields(list),
    properties: {
      headers: { [UNREADABLE_HEADER]: `Stream entry ${id} was not written by warren: ${problem}.` },
      contentType: UNREADABLE_CONTENT_TYPE,
    },
    exchange: exchange ?? '',
    routingKey: routingKey ?? '',
    expiresAt,
    requeued,
    reason,
    readable: false,
  };
}

/** The fields of an unreadable entry as JSON, so that whoever gets it can see what came. */
function describeFields(list: readonly Buffer[]): Buffer {
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) out[(list[i] as Buffer).toString()] = (list[i + 1] as Buffer).toString();
  return Buffer.from(JSON.stringify(out));
}
