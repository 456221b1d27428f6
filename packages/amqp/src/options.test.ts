import { describe, expect, it } from 'vitest';
import { amqpOptionsSchema } from './options.js';

describe('amqpOptionsSchema', () => {
  it('coerces URL query parameters, which are strings', () => {
    const parsed = amqpOptionsSchema.parse({
      frameMax: '131072',
      channelMax: '100',
      maxInFlight: '500',
      rejectUnauthorized: 'false',
      noDelay: '0',
    });
    expect(parsed.frameMax).toBe(131072);
    expect(parsed.channelMax).toBe(100);
    expect(parsed.maxInFlight).toBe(500);
    expect(parsed.rejectUnauthorized).toBe(false);
    expect(parsed.noDelay).toBe(false);
  });

  it('has safe defaults', () => {
    const parsed = amqpOptionsSchema.parse({});
    expect(parsed.rejectUnauthorized).toBe(true);
    expect(parsed.maxInFlight).toBe(10_000);
    expect(parsed.externalAuth).toBe(false);
  });

  it('refuses nonsense with the option named', () => {
    const result = amqpOptionsSchema.safeParse({ frameMax: '12', rejectUnauthorized: 'maybe' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.')).sort()).toEqual([
      'frameMax',
      'rejectUnauthorized',
    ]);
  });

  it('ignores options that belong to core', () => {
    expect(amqpOptionsSchema.safeParse({ heartbeat: 10, reconnect: false }).success).toBe(true);
  });
});
