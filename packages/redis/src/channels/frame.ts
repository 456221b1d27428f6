/**
 * The bytes a channel message travels as, on pub/sub and in Redis keys: the content type, a newline, then the
 * serialized payload. Pure marshaling; serialization is core's registry. A content type never holds a newline
 * (MIME types are tokens), so the first newline always ends the header, whatever bytes the payload holds.
 */
import { SerializationError } from '@warren/core';

const NEWLINE = 0x0a;

/** What a frame holds once split. */
export interface Frame {
  contentType: string;
  payload: Buffer;
}

/** Joins a content type and a payload into one frame. */
export function encodeFrame(contentType: string, payload: Buffer): Buffer {
  if (contentType.includes('\n')) {
    throw new SerializationError(`A content type cannot hold a newline (got ${JSON.stringify(contentType)}).`);
  }
  const header = Buffer.from(contentType, 'latin1');
  const frame = Buffer.allocUnsafe(header.length + 1 + payload.length);
  header.copy(frame, 0);
  frame[header.length] = NEWLINE;
  payload.copy(frame, header.length + 1);
  return frame;
}

/** The same frame as a string, for a payload that is text: the bytes on the wire are identical (utf-8). */
export function encodeTextFrame(contentType: string, payload: string): string {
  if (contentType.includes('\n')) {
    throw new SerializationError(`A content type cannot hold a newline (got ${JSON.stringify(contentType)}).`);
  }
  return `${contentType}\n${payload}`;
}

/** Splits a frame; bytes that are no frame (written by something else than warren) are a SerializationError. */
export function decodeFrame(frame: Buffer): Frame {
  const end = frame.indexOf(NEWLINE);
  // A content type is short; a newline far in (or none) means these bytes were not written by warren.
  if (end <= 0 || end > 255) {
    throw new SerializationError(
      `Not a warren channel frame (${frame.length} bytes without a content-type line): it was not written by a warren channel.`,
    );
  }
  return { contentType: frame.toString('latin1', 0, end), payload: frame.subarray(end + 1) };
}
