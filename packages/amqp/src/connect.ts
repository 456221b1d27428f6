/**
 * Opens an amqplib connection for a warren URL and options. The URL is handed to amqplib as an object, never as a
 * string, so that no amqplib message can echo it with its password.
 */

import type { Socket } from 'node:net';
import { ConnectionError, TimeoutError, type WarrenError } from '@warren/core';
import { redactUrl } from '@warren/core/transport';
import amqplib, { type ChannelModel, credentials, type Options } from 'amqplib';
import { mapConnectError } from './errors.js';
import type { AmqpOptions } from './options.js';

/** What `openConnection` needs; a slice of core's ConnectRequest. */
export interface OpenRequest {
  url: URL;
  options: AmqpOptions;
  heartbeat: number;
  connectTimeoutMs: number;
}

/** amqplib's ChannelModel, with the parts of its connection that its typings leave out. */
export interface AmqpConnection {
  model: ChannelModel;
  socket: Socket;
}

/** The virtual host named by a URL's path: `amqp://host/` and `amqp://host` are "/", `/%2F` is "/" too. */
export function vhostOf(url: URL): string {
  const path = url.pathname.replace(/^\//, '');
  return path === '' ? '/' : decodeURIComponent(path);
}

/** amqplib's connection object for a URL. The password is decoded from its percent-encoding. */
export function connectObject(url: URL, options: AmqpOptions, heartbeat: number): Options.Connect {
  const secure = url.protocol === 'amqps:';
  const hasCredentials = url.username !== '' || url.password !== '';
  const target: Options.Connect = {
    protocol: secure ? 'amqps' : 'amqp',
    hostname: url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost',
    port: url.port ? Number(url.port) : secure ? 5671 : 5672,
    username: hasCredentials ? decodeURIComponent(url.username) : 'guest',
    password: hasCredentials ? decodeURIComponent(url.password) : 'guest',
    // amqplib unescapes the vhost itself: give it the path as it is in the URL.
    vhost: url.pathname.replace(/^\//, '') || '/',
    heartbeat,
  };
  if (options.frameMax !== undefined) target.frameMax = options.frameMax;
  if (options.maxFrameSize !== undefined) target.maxFrameSize = options.maxFrameSize;
  if (options.channelMax !== undefined) target.channelMax = options.channelMax;
  if (options.locale !== undefined) target.locale = options.locale;
  return target;
}

/** Socket and TLS options for amqplib. */
export function socketOptions(options: AmqpOptions, connectTimeoutMs: number): Record<string, unknown> {
  const socket: Record<string, unknown> = {
    noDelay: options.noDelay,
    keepAlive: options.keepAlive,
    // amqplib turns this into a socket idle timeout during the handshake only.
    timeout: connectTimeoutMs,
    rejectUnauthorized: options.rejectUnauthorized,
  };
  for (const key of ['ca', 'cert', 'key', 'passphrase', 'servername'] as const) {
    if (options[key] !== undefined) socket[key] = options[key];
  }
  if (options.externalAuth) socket.credentials = credentials.external();
  if (options.connectionName !== undefined) socket.clientProperties = { connection_name: options.connectionName };
  return socket;
}

/**
 * Connects, or rejects with a typed warren error: AccessRefusedError for wrong credentials or a forbidden virtual
 * host (core does not retry those), ConnectionError for anything else, TimeoutError after `connectTimeoutMs`.
 */
export async function openConnection(request: OpenRequest): Promise<AmqpConnection> {
  const where = redactUrl(request.url);
  const target = connectObject(request.url, request.options, request.heartbeat);
  let timer: NodeJS.Timeout | undefined;
  const attempt = amqplib.connect(target, socketOptions(request.options, request.connectTimeoutMs));
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new TimeoutError(
            `Connecting to the AMQP broker at ${where} took longer than ${request.connectTimeoutMs} ms: check the host and port, or raise connectTimeoutMs.`,
          ),
        ),
      request.connectTimeoutMs,
    );
  });
  try {
    const model = await Promise.race([attempt, deadline]);
    return { model, socket: socketOf(model) };
  } catch (error) {
    // A connection that opens after we gave up must not linger.
    attempt.then(
      (late) => late.close().catch(() => undefined),
      () => undefined,
    );
    if (error instanceof TimeoutError) throw error;
    throw mapConnectError(error, where, vhostOf(request.url)) satisfies WarrenError;
  } finally {
    clearTimeout(timer);
  }
}

/** amqplib keeps the socket as `connection.stream`; its typings do not say so. */
function socketOf(model: ChannelModel): Socket {
  const stream = (model.connection as unknown as { stream?: Socket }).stream;
  if (!stream)
    throw new ConnectionError(
      'amqplib did not expose the connection socket (connection.stream): this amqplib version is not supported; use 2.3.x.',
    );
  return stream;
}
