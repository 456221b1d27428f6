import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { SerializationError } from '../errors.js';
import { compressions } from './compressions.js';

describe('compressions', () => {
  const body = Buffer.from('warren '.repeat(1000));
  it.each(['gzip', 'deflate', 'brotli'])('%s round-trips', (name) => {
    const { content, header } = compressions.compress(body, name);
    expect(content.length).toBeLessThan(body.length);
    expect(compressions.decompress(content, header)).toEqual(body);
  });
  it('gzip writes a zlib stream under application/x-gzip, as kombu does', () => {
    const { content, header } = compressions.compress(body, 'gzip');
    expect(header).toBe('application/x-gzip');
    expect(content).toEqual(deflateSync(body));
  });
  it('reads real gzip files too', () => {
    expect(compressions.decompress(gzipSync(body), 'application/x-gzip')).toEqual(body);
  });
  it('garbage and unknown compressions give SerializationError', () => {
    expect(() => compressions.decompress(Buffer.from('nope'), 'application/x-gzip')).toThrow(SerializationError);
    expect(() => compressions.decompress(body, 'application/x-lz4')).toThrow(/not registered/);
  });
});
