import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConnectionError, redactCause, redactUrls, WarrenError } from './errors.js';
import * as core from './index.js';

describe('errors', () => {
  it('every error class is a WarrenError with its name set', () => {
    const classes = [
      core.ConfigurationError,
      core.ConnectionError,
      core.AccessRefusedError,
      core.NotFoundError,
      core.PreconditionFailedError,
      core.ResourceLockedError,
      core.NoRouteError,
      core.ContentDisallowedError,
      core.SerializationError,
      core.MessageNackedError,
      core.MessageStateError,
      core.ValidationError,
      core.TimeoutError,
      core.UnsupportedFeatureError,
    ];
    for (const ErrorClass of classes) {
      const error = new ErrorClass('x');
      expect(error).toBeInstanceOf(WarrenError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(ErrorClass.name);
    }
    expect(core.ConnectionBrokenError).toBe(ConnectionError);
  });
  it('scrubs passwords from messages and from the cause', () => {
    expect(redactUrls('failed amqp://user:s3cret@host:5672/')).toBe('failed amqp://user:***@host:5672/');
    const native = Object.assign(new TypeError('Invalid URL'), { input: 'amqp://u:s3cret@h', code: 'ERR_INVALID_URL' });
    const error = new ConnectionError('wrapped', { cause: native });
    expect(inspect(error, { depth: 5 })).not.toContain('s3cret');
    expect((error.cause as { code?: string }).code).toBe('ERR_INVALID_URL');
    const redis = Object.assign(new Error('WRONGPASS'), { command: { name: 'auth', args: ['s3cret'] } });
    expect(inspect(redactCause(redis), { depth: 5 })).not.toContain('s3cret');
  });
});
