import { ConnectionError } from '@warren/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AMQP_URL, brokerAvailable, openSession, outbound, unique } from './test-support/broker.js';
import { selfSignedCertificate, type TlsProxy, tlsProxy } from './test-support/tls-proxy.js';

const certificate = (await brokerAvailable()) ? await selfSignedCertificate() : null;
if (certificate === null) console.warn('openssl not available (or no broker): skipping the amqps:// tests');

describe.skipIf(certificate === null)('amqps:// through a TLS front to RabbitMQ', () => {
  let proxy: TlsProxy;
  let url: string;

  beforeAll(async () => {
    const broker = new URL(AMQP_URL);
    proxy = await tlsProxy(
      { host: broker.hostname, port: Number(broker.port || 5672) },
      certificate as { key: string; cert: string },
    );
    const secure = new URL(AMQP_URL.replace(/^amqp:/, 'amqps:'));
    secure.hostname = 'localhost';
    secure.port = String(proxy.port);
    url = secure.href;
  });

  afterAll(async () => {
    await proxy?.close();
  });

  it('connects over TLS trusting the given CA, and publishes and fetches', async () => {
    const { session } = await openSession({ url, options: { ca: proxy.certificate } });
    try {
      const name = unique('tls');
      await session.declareQueue({ name, durable: false, exclusive: true });
      await session.publish(outbound('', name, 'over tls'));
      expect((await session.get(name, { noAck: true }))?.content.toString()).toBe('over tls');
    } finally {
      await session.close();
    }
  });

  it('refuses a certificate no CA vouches for, with a ConnectionError about TLS', async () => {
    const error = await openSession({ url }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionError);
    expect((error as Error).message).toMatch(/TLS/);
  });

  it('accepts it with rejectUnauthorized "false", as a URL query parameter gives it', async () => {
    const { session } = await openSession({ url, options: { rejectUnauthorized: 'false' } });
    await session.close();
  });

  it('checks the certificate against servername', async () => {
    const error = await openSession({ url, options: { ca: proxy.certificate, servername: 'elsewhere.example' } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConnectionError);
  });
});
