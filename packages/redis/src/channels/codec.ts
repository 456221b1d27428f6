import { serializers } from '@warren/core';
import { AcceptList } from '@warren/core/transport';
import { decodeFrame, encodeFrame } from './frame.js';

/**
 * Turns a channel's values into frames and back with core's serializer registry: the sender's serializer picks
 * the format, the frame carries its content type, and the receiver decodes only what its accept list allows.
 */
export class ChannelCodec {
  readonly #serializer: string;
  readonly #accept: AcceptList;

  /** Throws a ConfigurationError when the serializer is not registered. */
  constructor(serializer: string, accept: readonly string[]) {
    serializers.get(serializer);
    this.#serializer = serializer;
    this.#accept = new AcceptList(accept);
  }

  /** A frame for a value; a SerializationError when the serializer cannot represent it. */
  encode(value: unknown): Buffer {
    const body = serializers.encode(value, this.#serializer);
    return encodeFrame(body.contentType, body.content);
  }

  /** The value in a frame: ContentDisallowedError for a content type not accepted, SerializationError for bad bytes. */
  decode(frame: Buffer): unknown {
    const { contentType, payload } = decodeFrame(frame);
    this.#accept.check(contentType);
    return serializers.decode(payload, contentType);
  }
}
