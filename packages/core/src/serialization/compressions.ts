import {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  deflateRawSync,
  deflateSync,
  gunzipSync,
  inflateRawSync,
  inflateSync,
} from 'node:zlib';
import { ConfigurationError, SerializationError } from '../errors.js';

/** The message header that names the compression of the body, as kombu writes it. */
export const COMPRESSION_HEADER = 'compression';

/** A body compression: bytes in, bytes out, marked on the message by its `compression` header. */
export interface Compression {
  /** Value of the `compression` header. */
  readonly contentType: string;
  /** Compresses a serialized body. */
  compress(content: Buffer): Buffer;
  /** Restores the bytes `compress` was given; throws on corrupt input. */
  decompress(content: Buffer): Buffer;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * kombu registers zlib's `compress` under `application/x-gzip` (aliases gzip and zlib): its "gzip" bodies are
 * zlib streams, not gzip files. We write the same so that kombu can read ours, and on reading accept both a
 * zlib stream and a real gzip file (from other libraries) by looking at the magic bytes.
 */
const gzip: Compression = {
  contentType: 'application/x-gzip',
  compress: (content) => deflateSync(content),
  decompress: (content) =>
    content[0] === GZIP_MAGIC_0 && content[1] === GZIP_MAGIC_1 ? gunzipSync(content) : inflateSync(content),
};

const BUILT_IN: ReadonlyArray<[string, Compression]> = [
  ['gzip', gzip],
  [
    'deflate',
    {
      contentType: 'application/x-deflate',
      compress: (content) => deflateRawSync(content),
      decompress: (content) => inflateRawSync(content),
    },
  ],
  [
    'brotli',
    {
      contentType: 'application/x-brotli',
      // zlib's default quality (11) takes about a second per MiB; 5 is the usual trade-off for data on the move.
      compress: (content) =>
        brotliCompressSync(content, {
          params: { [constants.BROTLI_PARAM_QUALITY]: 5, [constants.BROTLI_PARAM_SIZE_HINT]: content.length },
        }),
      decompress: (content) => brotliDecompressSync(content),
    },
  ],
];

const ALIASES: Readonly<Record<string, string>> = { zlib: 'gzip', 'application/x-zlib': 'gzip' };

/** Named body compressions, found by name when sending and by the `compression` header when receiving. */
export class CompressionRegistry {
  readonly #byName = new Map<string, Compression>();
  readonly #byContentType = new Map<string, Compression>();

  /** A registry holding `entries` (the built-in gzip, deflate and brotli by default). */
  constructor(entries: Iterable<[string, Compression]> = BUILT_IN) {
    for (const [name, compression] of entries) this.register(name, compression);
  }

  /** Registers (or replaces) the compression `name`. */
  register(name: string, compression: Compression): void {
    if (!name || typeof compression?.compress !== 'function' || typeof compression.decompress !== 'function') {
      throw new ConfigurationError(`Compression "${name}" needs contentType, compress and decompress.`);
    }
    this.unregister(name);
    this.#byName.set(name, compression);
    this.#byContentType.set(compression.contentType.toLowerCase(), compression);
  }

  /** Removes the compression `name`; false when there was none. */
  unregister(name: string): boolean {
    const existing = this.#byName.get(name);
    if (!existing) return false;
    this.#byName.delete(name);
    this.#byContentType.delete(existing.contentType.toLowerCase());
    return true;
  }

  /** The names of the registered compressions. */
  names(): string[] {
    return [...this.#byName.keys()];
  }

  /** The compression registered as `name`; a `ConfigurationError` naming the registered ones otherwise. */
  get(name: string): Compression {
    const compression = this.#byName.get(ALIASES[name] ?? name) ?? this.#byContentType.get(name.toLowerCase());
    if (!compression) {
      throw new ConfigurationError(
        `No compression named "${name}" is registered (known: ${this.names().join(', ')}). Register it with compressions.register().`,
      );
    }
    return compression;
  }

  /** Compresses with the compression `name`; returns the bytes and the `compression` header value to send. */
  compress(
    content: Buffer,
    name: string,
  ): {
    /** The compressed bytes. */
    content: Buffer;
    /** The value of the `compression` header to send with them. */
    header: string;
  } {
    const compression = this.get(name);
    return { content: compression.compress(content), header: compression.contentType };
  }

  /** Decompresses by the value of a `compression` header (a content type or a registered name). */
  decompress(content: Buffer, header: string): Buffer {
    const compression = this.#byContentType.get(header.toLowerCase()) ?? this.#byName.get(ALIASES[header] ?? header);
    if (!compression) {
      throw new SerializationError(
        `The message is compressed with "${header}", which is not registered. Register it with compressions.register().`,
      );
    }
    try {
      return compression.decompress(content);
    } catch (error) {
      throw new SerializationError(`Cannot decompress a ${header} body: ${(error as Error).message}.`, {
        cause: error,
      });
    }
  }
}

/** The process-wide compression registry (gzip, deflate, brotli built in). */
export const compressions = new CompressionRegistry();
