import type { TransportFactory } from '@warren/core/transport';
import { REDIS_CAPABILITIES } from './capabilities.js';
import { ioredisOptions } from './connect.js';
import { type RedisOptions, redisOptionsSchema } from './options.js';
import { RedisSession } from './session.js';

/** The Redis transport: `redis://[user:password@]host[:port][/db]` and `rediss://` (TLS). */
export const redisTransport: TransportFactory<RedisOptions> = {
  name: 'redis',
  schemes: ['redis', 'rediss'],
  capabilities: REDIS_CAPABILITIES,
  optionsSchema: redisOptionsSchema,
  async connect(request) {
    const base = ioredisOptions(request.url, request.options, request.connectTimeoutMs);
    return RedisSession.open(base, request.options, REDIS_CAPABILITIES, request.hooks);
  },
};
