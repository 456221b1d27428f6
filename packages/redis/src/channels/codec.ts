import { serializers } from '@warren/core';
import { AcceptList } from '@warren/core/transport';
import { decodeFrame, encodeFrame, encodeTextFrame } from './frame.js';

/**
 * Turns a channel's values into frames and back with core's serializer registry: the sender's serializer picks
 * the format, the frame carries its content type, and the receiver decodes only what its accept list allows.
 */
export class ChannelCodec {
  readonly #serializer: string;
  readonly #accept: AcceptList;
  /** The last content type the accept list allowed. */
  #accepted: string | undefined;

  /** Throws a ConfigurationError when the serializer is not registered. */
  constructor(serializer: string, accept: readonly string[]) {
    serializers.get(serializer);
    this.#serializer = serializer;
    this.#accept = new AcceptList(accept);
  }

  /**
   * A frame for a value; a SerializationError when the serializer cannot represent it. Text formats (utf-8) come
   * back as a string: ioredis writes a command of strings straight to the socket, while one Buffer argument makes
   * it copy the whole command into a new Buffer (measured: a few µs per 1 KiB message).
   */
  encode(value: unknown): Buffer | string {
    const body = serializers.encode(value, this.#serializer);
    if (body.contentEncoding === 'utf-8') return encodeTextFrame(body.contentType, body.content.toString('utf8'));
    return encodeFrame(body.contentType, body.content);
  }

  /** The value in a frame: ContentDisallowedError for a content type not accepted, SerializationError for bad bytes. */
  decode(frame: Buffer): unknown {
    const { contentType, payload } = decodeFrame(frame);
    // A channel's frames nearly always share one content type: check the accept list once for it.
    if (contentType !== this.#accepted) {
      this.#accept.check(contentType);
      this.#accepted = contentType;
    }
    return serializers.decode(payload, contentType);
  }
}
