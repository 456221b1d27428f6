import { inspect } from 'node:util';
import { ConfigurationError } from '@warren/core';
import { describe, expect, it } from 'vitest';
import { DurableChannel } from './durable-channel.js';
import { parseChannelOptions, redisTarget } from './options.js';
import { RemoteChannel } from './remote-channel.js';

describe('channel options', () => {
  it("takes muppet's { redis: { host, port } } and fills in the defaults", () => {
    const parsed = parseChannelOptions({ redis: { host: 'cache', port: 6380 } }, 'DurableChannel');
    expect(parsed).toMatchObject({
      redis: { host: 'cache', port: 6380, db: 0 },
      prefix: 'warren',
      serializer: 'json',
      timeoutMonitorFrequency: 1000,
      livenessMs: 10_000,
    });
    const { options, label } = redisTarget(parsed);
    expect(label).toBe('cache:6380');
    expect(options).toMatchObject({ host: 'cache', port: 6380, db: 0, lazyConnect: true, maxRetriesPerRequest: 20 });
  });

  it('takes a redis:// or rediss:// URL with user, password and db', () => {
    const parsed = parseChannelOptions({ redis: 'rediss://app:s%40cret@redis.example:6390/3' }, 'RemoteChannel');
    const { options, label } = redisTarget(parsed);
    expect(options).toMatchObject({
      host: 'redis.example',
      port: 6390,
      db: 3,
      username: 'app',
      password: 's@cret',
      tls: {},
    });
    expect(label).toBe('redis.example:6390');
  });

  it('bounds reconnection: the retry strategy gives up after `retries` and backs off up to maxDelayMs', () => {
    const { options } = redisTarget(
      parseChannelOptions({ reconnect: { retries: 3, minDelayMs: 10, maxDelayMs: 30 } }, 'RemoteChannel'),
    );
    const strategy = options.retryStrategy as (times: number) => number | null;
    expect([1, 2, 3, 4].map(strategy)).toEqual([10, 20, 30, null]);
    const off = redisTarget(parseChannelOptions({ reconnect: false }, 'RemoteChannel')).options;
    expect((off.retryStrategy as (times: number) => number | null)(1)).toBeNull();
  });

  it('refuses unknown keys and bad values, naming them, without echoing a password', () => {
    expect(() => parseChannelOptions({ redis: { host: 'h', prot: 1 } }, 'RemoteChannel')).toThrow(/prot/);
    expect(() => parseChannelOptions({ timeoutMonitorFrequency: 5 }, 'RemoteChannel')).toThrow(
      /timeoutMonitorFrequency/,
    );
    expect(() => parseChannelOptions({ timeoutMonitorFrequency: 5 }, 'DurableChannel')).toThrow(ConfigurationError);
    expect(() => parseChannelOptions({ prefix: 'a{b}' }, 'DurableChannel')).toThrow(/prefix/);
    expect(() => parseChannelOptions({ redis: { port: 70_000 } }, 'DurableChannel')).toThrow(/port/);
    for (const url of [
      'amqp://u:hunter2@h/',
      'redis://u:hunter2@h:6379/x',
      'redis://u:hunter2@h:6379/0?tls=1',
      'redis://u:hunter2@[bad',
    ]) {
      let thrown: unknown;
      try {
        redisTarget(parseChannelOptions({ redis: url }, 'RemoteChannel'));
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigurationError);
      expect(inspect(thrown)).not.toContain('hunter2');
    }
  });

  it('the constructors check names, callbacks, serializers and options before any connection', () => {
    expect(() => new DurableChannel('', {})).toThrow(/cannot be anonymous/);
    expect(() => new DurableChannel('x', {}, 'not a function' as never)).toThrow(ConfigurationError);
    expect(() => new DurableChannel('x', { serializer: 'yaml' })).toThrow(/No serializer named "yaml"/);
    expect(() => new RemoteChannel('', {})).toThrow(ConfigurationError);
    expect(() => new RemoteChannel('x', { redis: { host: 'h' }, serialiser: 'json' } as never)).toThrow(/serialiser/);
  });
});
