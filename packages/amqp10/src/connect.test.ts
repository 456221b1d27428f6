import { describe, expect, it } from 'vitest';
import { connectionOptions, vhostOf } from './connect.js';
import { amqp10OptionsSchema } from './options.js';

const options = (input: Record<string, unknown> = {}) => amqp10OptionsSchema.parse(input);

describe('connection parameters', () => {
  it('PLAIN with the decoded user and password; rhea reconnect off; idle timeout from the heartbeat', () => {
    const settings = connectionOptions(new URL('amqp10://us%40er:p%3Ass@broker:5700'), options(), 30);
    expect(settings).toMatchObject({
      host: 'broker',
      port: 5700,
      username: 'us@er',
      password: 'p:ss',
      reconnect: false,
      idle_time_out: 30_000,
    });
    expect(settings.hostname).toBeUndefined();
  });

  it('ANONYMOUS without a user; heartbeat 0 turns the idle timeout off', () => {
    const settings = connectionOptions(new URL('amqp10://broker'), options(), 0);
    expect(settings).toMatchObject({ port: 5672, username: 'anonymous', idle_time_out: 0 });
    expect(settings.password).toBeUndefined();
    expect(
      connectionOptions(new URL('amqp10://u:p@b'), options({ saslMechanism: 'ANONYMOUS' }), 0).password,
    ).toBeUndefined();
  });

  it('the path is a RabbitMQ virtual host, sent as hostname vhost:<name>', () => {
    expect(vhostOf(new URL('amqp10://b'))).toBeUndefined();
    expect(vhostOf(new URL('amqp10://b/%2F'))).toBeUndefined();
    expect(vhostOf(new URL('amqp10://b/prod%2Feu'))).toBe('prod/eu');
    expect(connectionOptions(new URL('amqp10://b/prod'), options(), 0).hostname).toBe('vhost:prod');
    expect(connectionOptions(new URL('amqp10://b/prod'), options({ hostname: 'ns.example' }), 0).hostname).toBe(
      'ns.example',
    );
  });

  it('TLS for amqp10s://, with the certificate options and the server name', () => {
    const settings = connectionOptions(
      new URL('amqp10s://b.example?x=1'),
      options({ ca: 'PEM', rejectUnauthorized: 'false' }),
      0,
    );
    expect(settings).toMatchObject({
      transport: 'tls',
      port: 5671,
      ca: 'PEM',
      rejectUnauthorized: false,
      servername: 'b.example',
    });
  });

  it('options are validated, URL strings coerced', () => {
    expect(amqp10OptionsSchema.safeParse({ broker: 'artemis' }).success).toBe(false);
    expect(amqp10OptionsSchema.safeParse({ topologyUrl: 'redis://x' }).success).toBe(false);
    expect(amqp10OptionsSchema.safeParse({ maxInFlight: '0' }).success).toBe(false);
    expect(options({ maxInFlight: '20' }).maxInFlight).toBe(20);
  });
});
