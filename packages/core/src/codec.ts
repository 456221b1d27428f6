import { ContentDisallowedError } from './errors.js';
import type { Headers } from './properties.js';
import { COMPRESSION_HEADER, compressions } from './serialization/compressions.js';
import { encodeWith, serializers } from './serialization/serializers.js';

/** What a message needs to be encoded: the body and how. */
export interface EncodeRequest {
  /** Name of a registered serializer (`json`, `text`, `binary`, `msgpack`, or one you registered). */
  serializer: string;
  /** Name of a registered compression, or undefined for none. */
  compression: string | undefined;
}

/** A body as it goes out: the bytes and the properties that say how to decode them. */
export interface EncodedMessage {
  /** The payload, serialized then compressed. */
  content: Buffer;
  /** The serializer's content type. */
  contentType: string;
  /** The serializer's content encoding. */
  contentEncoding: string;
  /** The value of the `compression` header, when compressed. */
  compression: string | undefined;
}

/** Serializes then compresses a body (kombu's order), for publishers. */
export function encodeBody(body: unknown, request: EncodeRequest): EncodedMessage {
  const serializer = serializers.get(request.serializer);
  const content = encodeWith(serializer, body, request.serializer);
  if (request.compression === undefined) {
    return {
      content,
      contentType: serializer.contentType,
      contentEncoding: serializer.contentEncoding,
      compression: undefined,
    };
  }
  const compressed = compressions.compress(content, request.compression);
  return {
    content: compressed.content,
    contentType: serializer.contentType,
    contentEncoding: serializer.contentEncoding,
    compression: compressed.header,
  };
}

/** A consumer's accept list, resolved to content types once (it is checked for every message). */
export class AcceptList {
  readonly #types: Set<string>;
  /** The accept list as given: serializer names or content types. */
  readonly entries: readonly string[];

  constructor(entries: readonly string[]) {
    this.entries = entries;
    this.#types = new Set(entries.flatMap((entry) => serializers.contentTypesFor(entry)));
  }

  /**
   * Throws `ContentDisallowedError` unless `contentType` is on the list (parameters such as `; charset` ignored).
   */
  check(contentType: string | undefined): void {
    const normalized = normalize(contentType ?? 'application/octet-stream');
    if (!this.#types.has(normalized)) {
      throw new ContentDisallowedError(
        `Refusing a message of content type "${contentType ?? '(none)'}": this consumer accepts only ${this.entries.join(', ')}. Add it to the consumer's accept list if it is safe to decode.`,
      );
    }
  }
}

function normalize(contentType: string): string {
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}

/** Decompresses (by the `compression` header) and checks the accept list; returns the payload bytes. */
export function payloadOf(
  content: Buffer,
  contentType: string | undefined,
  headers: Headers,
  accept: AcceptList,
): Buffer {
  accept.check(contentType);
  const compression = headers[COMPRESSION_HEADER];
  return typeof compression === 'string' && compression !== ''
    ? compressions.decompress(content, compression)
    : content;
}

/** Deserializes payload bytes by content type. */
export function decodePayload(payload: Buffer, contentType: string | undefined): unknown {
  return serializers.decode(payload, contentType);
}
