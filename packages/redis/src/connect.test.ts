import { ConfigurationError } from '@warren/core';
import { describe, expect, it } from 'vitest';
import { ioredisOptions } from './connect.js';
import { redisOptionsSchema } from './options.js';

const defaults = redisOptionsSchema.parse({});

describe('ioredisOptions', () => {
  it('reads host, port, user, password and database from the URL, and turns every ioredis retry off', () => {
    const options = ioredisOptions(new URL('redis://alice:s%40cret@example.org:6380/3'), defaults, 1234);
    expect(options).toMatchObject({
      host: 'example.org',
      port: 6380,
      db: 3,
      username: 'alice',
      password: 's@cret',
      connectTimeout: 1234,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      autoResendUnfulfilledCommands: false,
      autoResubscribe: false,
      lazyConnect: true,
    });
    expect(options.retryStrategy?.(1)).toBeNull();
    expect(options.tls).toBeUndefined();
  });

  it('defaults to 127.0.0.1:6379/0 and turns TLS on for rediss://', () => {
    expect(ioredisOptions(new URL('redis://'), defaults, 1)).toMatchObject({ host: '127.0.0.1', port: 6379, db: 0 });
    const tls = ioredisOptions(
      new URL('rediss://h'),
      redisOptionsSchema.parse({ rejectUnauthorized: 'false', servername: 'x.example' }),
      1,
    );
    expect(tls.tls).toEqual({ rejectUnauthorized: false, servername: 'x.example' });
  });

  it('passes Sentinel options through, and refuses a master name without sentinels', () => {
    const sentinel = ioredisOptions(
      new URL('redis://h'),
      redisOptionsSchema.parse({ sentinels: [{ host: 's1', port: 26379 }], sentinelName: 'mymaster' }),
      1,
    );
    expect(sentinel).toMatchObject({ sentinels: [{ host: 's1', port: 26379 }], name: 'mymaster' });
    expect(() =>
      ioredisOptions(new URL('redis://h'), redisOptionsSchema.parse({ sentinels: [{ host: 's', port: 1 }] }), 1),
    ).toThrow(ConfigurationError);
    expect(() => ioredisOptions(new URL('redis://h'), redisOptionsSchema.parse({ sentinelName: 'm' }), 1)).toThrow(
      ConfigurationError,
    );
  });

  it('refuses a path that is not a database number', () => {
    expect(() => ioredisOptions(new URL('redis://h/queue'), defaults, 1)).toThrow(/database number/);
  });
});

describe('redisOptionsSchema', () => {
  it('is strict and coerces query strings', () => {
    expect(redisOptionsSchema.safeParse({ prefx: 'a' }).success).toBe(false);
    expect(redisOptionsSchema.parse({ livenessTtlMs: '2000' }).livenessTtlMs).toBe(2000);
    expect(redisOptionsSchema.safeParse({ livenessTtlMs: '10' }).success).toBe(false);
  });
});
