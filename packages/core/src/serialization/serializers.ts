import { decode as decodeMsgpack, encode as encodeMsgpack } from '@msgpack/msgpack';
import { ConfigurationError, SerializationError } from '../errors.js';

/** Turns values into bytes and back. Encoders throw on values they cannot represent; the registry wraps that. */
export interface Serializer {
  /** MIME type written to the message's `contentType`, and how consumers find the decoder. */
  readonly contentType: string;
  /** Written to `contentEncoding` (`utf-8` for text formats, `binary` otherwise), as kombu does. */
  readonly contentEncoding: string;
  /** Turns a value into bytes; throws on a value the format cannot represent. */
  encode(value: unknown): Buffer;
  /** Turns bytes back into a value; throws on bytes that are not this format. */
  decode(content: Buffer): unknown;
}

/** A body serialized by {@link SerializerRegistry.encode}. */
export interface EncodedBody {
  /** The serialized bytes. */
  content: Buffer;
  /** The serializer's MIME type. */
  contentType: string;
  /** The serializer's content encoding. */
  contentEncoding: string;
}

function encodeJson(value: unknown): Buffer {
  const text = JSON.stringify(value);
  // JSON.stringify(undefined) and of a function give undefined: nothing a consumer could decode.
  if (text === undefined) throw new TypeError(`${typeof value} has no JSON representation`);
  return Buffer.from(text, 'utf8');
}

function encodeText(value: unknown): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (Buffer.isBuffer(value)) return value;
  throw new TypeError(`the text serializer takes a string, got ${typeof value}`);
}

function encodeBinary(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  throw new TypeError(`the binary serializer takes a Buffer, Uint8Array or string, got ${typeof value}`);
}

const BUILT_IN: ReadonlyArray<[string, Serializer]> = [
  [
    'json',
    {
      contentType: 'application/json',
      contentEncoding: 'utf-8',
      encode: encodeJson,
      decode: (content) => JSON.parse(content.toString('utf8')),
    },
  ],
  [
    'text',
    {
      contentType: 'text/plain',
      contentEncoding: 'utf-8',
      encode: encodeText,
      decode: (content) => content.toString('utf8'),
    },
  ],
  [
    'binary',
    {
      contentType: 'application/octet-stream',
      contentEncoding: 'binary',
      encode: encodeBinary,
      decode: (content) => content,
    },
  ],
  [
    'msgpack',
    {
      contentType: 'application/x-msgpack',
      contentEncoding: 'binary',
      encode: (value) => {
        const bytes = encodeMsgpack(value);
        return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      },
      decode: (content) => decodeMsgpack(content),
    },
  ],
];

/** Content types that other libraries write for the built-in formats (kombu's raw bytes are `application/data`). */
const CONTENT_TYPE_ALIASES: Readonly<Record<string, string>> = {
  'application/data': 'binary',
  'application/msgpack': 'msgpack',
  'application/x-json': 'json',
};

/**
 * Named serializers, looked up by name when sending and by content type when receiving. One process-wide
 * instance, `serializers`, is exported; like kombu's registry it is global so that a format registered once
 * is known to every publisher and consumer.
 */
export class SerializerRegistry {
  readonly #byName = new Map<string, Serializer>();
  readonly #nameByContentType = new Map<string, string>();

  /** A registry holding `entries` (the built-in json, text, binary and msgpack by default). */
  constructor(entries: Iterable<[string, Serializer]> = BUILT_IN) {
    for (const [name, serializer] of entries) this.register(name, serializer);
  }

  /** Registers (or replaces) the serializer `name`; consumers find it by its `contentType`. */
  register(name: string, serializer: Serializer): void {
    if (!name) throw new ConfigurationError('A serializer needs a name.');
    if (
      typeof serializer?.encode !== 'function' ||
      typeof serializer.decode !== 'function' ||
      !serializer.contentType
    ) {
      throw new ConfigurationError(`Serializer "${name}" needs contentType, encode and decode.`);
    }
    this.unregister(name);
    this.#byName.set(name, serializer);
    this.#nameByContentType.set(serializer.contentType.toLowerCase(), name);
  }

  /** Removes the serializer `name`; false when there was none. */
  unregister(name: string): boolean {
    const existing = this.#byName.get(name);
    if (!existing) return false;
    this.#byName.delete(name);
    if (this.#nameByContentType.get(existing.contentType.toLowerCase()) === name) {
      this.#nameByContentType.delete(existing.contentType.toLowerCase());
    }
    return true;
  }

  /** The names of the registered serializers. */
  names(): string[] {
    return [...this.#byName.keys()];
  }

  /** The serializer registered under `name`; throws a ConfigurationError naming the registered ones otherwise. */
  get(name: string): Serializer {
    const serializer = this.#byName.get(name);
    if (!serializer) {
      throw new ConfigurationError(
        `No serializer named "${name}" is registered (known: ${this.names().join(', ')}). Register it with serializers.register("${name}", { contentType, contentEncoding, encode, decode }).`,
      );
    }
    return serializer;
  }

  /** The name of the serializer for a content type (aliases included), or undefined. */
  nameForContentType(contentType: string): string | undefined {
    const normalized = stripParameters(contentType);
    return this.#nameByContentType.get(normalized) ?? CONTENT_TYPE_ALIASES[normalized];
  }

  /** Resolves an `accept` entry (a serializer name or a content type) to every content type it admits. */
  contentTypesFor(entry: string): string[] {
    const serializer = this.#byName.get(entry);
    const name = serializer ? entry : this.nameForContentType(entry);
    const types = new Set<string>([serializer ? serializer.contentType.toLowerCase() : stripParameters(entry)]);
    if (name) {
      const byName = this.#byName.get(name);
      if (byName) types.add(byName.contentType.toLowerCase());
      for (const [alias, target] of Object.entries(CONTENT_TYPE_ALIASES)) if (target === name) types.add(alias);
    }
    return [...types];
  }

  /** Serializes `value` with the serializer `name`; a value it cannot represent is a `SerializationError`. */
  encode(value: unknown, name: string): EncodedBody {
    const serializer = this.get(name);
    return {
      content: encodeWith(serializer, value, name),
      contentType: serializer.contentType,
      contentEncoding: serializer.contentEncoding,
    };
  }

  /** Decodes bytes by content type; a missing content type is read as raw bytes, as kombu does. */
  decode(content: Buffer, contentType: string | undefined): unknown {
    if (!contentType) return content;
    const name = this.nameForContentType(contentType);
    if (!name) {
      throw new SerializationError(
        `No serializer is registered for content type "${contentType}". Register one with serializers.register().`,
      );
    }
    try {
      return this.get(name).decode(content);
    } catch (error) {
      throw new SerializationError(
        `Cannot decode a ${contentType} body (${content.length} bytes): ${(error as Error).message}.`,
        { cause: error },
      );
    }
  }
}

/** Runs a serializer's encoder, turning its failure into a SerializationError that says what to do. */
export function encodeWith(serializer: Serializer, value: unknown, name: string): Buffer {
  try {
    return serializer.encode(value);
  } catch (error) {
    throw new SerializationError(
      `Cannot serialize the message body with "${name}": ${(error as Error).message}. Send a value that ${name} can represent (no BigInt, no circular references), or pick another serializer.`,
      { cause: error },
    );
  }
}

function stripParameters(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/** The process-wide serializer registry (json, text, binary, msgpack built in). */
export const serializers = new SerializerRegistry();
