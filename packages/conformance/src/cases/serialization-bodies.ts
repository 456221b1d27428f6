import { randomBytes } from 'node:crypto';

const MIB = 1024 * 1024;
const UNICODE = 'Grüße, 世界! 🐇 ŝŧŕîñğ — ½ ∑ 𝄞';

/** A string of exactly `bytes` UTF-8 bytes, mixing one- to four-byte characters so that nothing is ASCII-only. */
function unicodeOfBytes(bytes: number): string {
  const unit = `${UNICODE} `;
  const unitBytes = Buffer.byteLength(unit);
  const whole = unit.repeat(Math.floor(bytes / unitBytes));
  return whole + 'x'.repeat(bytes - Buffer.byteLength(whole));
}

export interface BodyCase {
  label: string;
  body: unknown;
}

/**
 * The bodies each serializer must carry unchanged: unicode, empty, and 1 MiB (bigger than one AMQP frame, so
 * that a transport splitting and joining frames is checked too). Built once per process: the big ones cost.
 */
export function bodiesFor(serializer: string): BodyCase[] {
  switch (serializer) {
    case 'json':
      return [
        { label: 'unicode', body: { text: UNICODE, list: [1, 2.5, 'ü', null, true], nested: { 键: '值' } } },
        { label: 'empty', body: '' },
        { label: '1 MiB', body: { blob: unicodeOfBytes(MIB) } },
      ];
    case 'text':
      return [
        { label: 'unicode', body: UNICODE },
        { label: 'empty', body: '' },
        { label: '1 MiB', body: unicodeOfBytes(MIB) },
      ];
    case 'binary':
      return [
        { label: 'unicode', body: Buffer.from(UNICODE, 'utf8') },
        { label: 'empty', body: Buffer.alloc(0) },
        // Random bytes: no structure that a broken transport could happen to preserve.
        { label: '1 MiB', body: randomBytes(MIB) },
      ];
    case 'msgpack':
      return [
        { label: 'unicode', body: { text: UNICODE, list: [1, 2.5, 'ü', null, true], nested: { 键: '值' } } },
        { label: 'empty', body: '' },
        { label: '1 MiB', body: { blob: unicodeOfBytes(MIB) } },
      ];
    default:
      throw new Error(`No test bodies for serializer ${serializer}`);
  }
}

export const SERIALIZERS = ['json', 'text', 'binary', 'msgpack'] as const;
export const COMPRESSIONS = [undefined, 'gzip', 'deflate', 'brotli'] as const;
