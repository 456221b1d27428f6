import { z } from 'zod';

/**
 * URL query parameters arrive as strings, and `z.coerce.boolean()` turns the string "false" into `true`:
 * read the usual spellings explicitly.
 */
const booleanish = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  const lower = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  return value;
}, z.boolean());

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/**
 * Options of the `amqp://` and `amqps://` transport. Each one can be given in the options object of `connect` or
 * as a URL query parameter (`amqps://host/vhost?servername=broker.example&frameMax=131072`).
 */
export const amqpOptionsSchema = z
  .object({
    /** Largest frame the client sends, in bytes (AMQP `frame-max`; amqplib's default is 128 KiB). */
    frameMax: count(4096, 2 ** 32 - 1).optional(),
    /** Largest frame accepted from the broker, in bytes (0: no limit; amqplib's default is 64 MiB). */
    maxFrameSize: count(0, 2 ** 32 - 1).optional(),
    /** Most channels the connection may open (0: the broker's limit). Each consumer uses one channel. */
    channelMax: count(0, 65_535).optional(),
    /** Locale asked for in the handshake. */
    locale: z.string().min(1).optional(),
    /**
     * Most published messages waiting for their broker confirm at once; a further `publish` waits until one is
     * confirmed (or times out). This bounds memory and keeps the broker's confirm batches large.
     */
    maxInFlight: count(1, 1_000_000).default(10_000),
    /**
     * Bytes of published frames the socket may hold unsent (the kernel's buffers full) before `publish` waits for
     * it to drain; 1 MiB unless given.
     */
    highWaterMark: count(1, 2 ** 31 - 1).optional(),
    /**
     * Times a message that RabbitMQ nacks on a newly opened publish channel is sent again on a new channel (0:
     * never). A quorum queue electing its leader after a node failure nacks everything on a channel opened during
     * the election; a nack on an older channel (a queue full with overflow reject-publish) rejects at once.
     */
    nackRetries: count(0, 100).default(5),
    /**
     * The type of the durable queues this connection declares without one (not exclusive, not auto-delete, no
     * priorities): `'quorum'` moves an application to replicated queues on a cluster without touching its code.
     */
    defaultQueueType: z.enum(['classic', 'quorum']).optional(),
    /** Disables Nagle's algorithm on the socket (lower latency for small messages). */
    noDelay: booleanish.default(true),
    /** TCP keep-alive on the socket. */
    keepAlive: booleanish.default(false),
    /** How long `close()` waits for the broker to answer before it drops the socket, in ms. */
    closeTimeoutMs: z.coerce.number().positive().default(5_000),
    /** Shown as the connection's name in RabbitMQ's management UI (`connection_name` client property). */
    connectionName: z.string().min(1).optional(),
    /** TLS (amqps://): trusted CA certificates, PEM. */
    ca: z.union([z.string(), z.array(z.string())]).optional(),
    /** TLS: client certificate chain, PEM. */
    cert: z.string().optional(),
    /** TLS: client private key, PEM. */
    key: z.string().optional(),
    /** TLS: passphrase of the private key. */
    passphrase: z.string().optional(),
    /** TLS: refuse a broker certificate that the CAs do not vouch for (default true: leave it on in production). */
    rejectUnauthorized: booleanish.default(true),
    /** TLS: the server name for SNI and certificate checks, when it differs from the URL's host. */
    servername: z.string().min(1).optional(),
    /** Use SASL EXTERNAL (client-certificate login) instead of the URL's user name and password. */
    externalAuth: booleanish.default(false),
  })
  // Core hands a transport the whole options object (its own options included); ignore what is not ours.
  .loose();

/** The parsed options of the AMQP transport. */
export type AmqpOptions = z.infer<typeof amqpOptionsSchema>;
