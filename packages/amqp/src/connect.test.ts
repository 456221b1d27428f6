import { describe, expect, it } from 'vitest';
import { connectObject, socketOptions, vhostOf } from './connect.js';
import { amqpOptionsSchema } from './options.js';

const defaults = amqpOptionsSchema.parse({});

describe('connectObject', () => {
  it('decodes credentials and keeps the vhost as amqplib expects it', () => {
    const target = connectObject(new URL('amqp://us%40er:p%3Ass@broker.example:5673/my%2Fvhost'), defaults, 30);
    expect(target).toMatchObject({
      protocol: 'amqp',
      hostname: 'broker.example',
      port: 5673,
      username: 'us@er',
      password: 'p:ss',
      vhost: 'my%2Fvhost',
      heartbeat: 30,
    });
  });

  it('uses guest/guest without credentials, the default ports, and "/" for an empty path', () => {
    expect(connectObject(new URL('amqp://localhost'), defaults, 0)).toMatchObject({
      username: 'guest',
      password: 'guest',
      port: 5672,
      vhost: '/',
    });
    expect(connectObject(new URL('amqps://localhost/'), defaults, 0)).toMatchObject({
      protocol: 'amqps',
      port: 5671,
      vhost: '/',
    });
  });

  it('strips the brackets of an IPv6 host', () => {
    expect(connectObject(new URL('amqp://[::1]:5672/'), defaults, 0).hostname).toBe('::1');
  });

  it('passes frame and channel limits and the locale', () => {
    const options = amqpOptionsSchema.parse({ frameMax: '8192', channelMax: '10', locale: 'en_GB', maxFrameSize: '0' });
    expect(connectObject(new URL('amqp://h/'), options, 5)).toMatchObject({
      frameMax: 8192,
      channelMax: 10,
      locale: 'en_GB',
      maxFrameSize: 0,
    });
  });
});

describe('vhostOf', () => {
  it('reads the virtual host from the path', () => {
    expect(vhostOf(new URL('amqp://h'))).toBe('/');
    expect(vhostOf(new URL('amqp://h/%2F'))).toBe('/');
    expect(vhostOf(new URL('amqp://h/prod'))).toBe('prod');
  });
});

describe('socketOptions', () => {
  it('carries TLS material and checks certificates by default', () => {
    const options = amqpOptionsSchema.parse({
      ca: 'CA PEM',
      cert: 'CERT PEM',
      key: 'KEY PEM',
      servername: 'broker.example',
    });
    expect(socketOptions(options, 1000)).toMatchObject({
      ca: 'CA PEM',
      cert: 'CERT PEM',
      key: 'KEY PEM',
      servername: 'broker.example',
      rejectUnauthorized: true,
      noDelay: true,
      timeout: 1000,
    });
  });

  it('uses SASL EXTERNAL when asked, and names the connection', () => {
    const options = amqpOptionsSchema.parse({ externalAuth: 'true', connectionName: 'importer' });
    const socket = socketOptions(options, 1000);
    expect((socket.credentials as { mechanism: string }).mechanism).toBe('EXTERNAL');
    expect(socket.clientProperties).toEqual({ connection_name: 'importer' });
  });
});
