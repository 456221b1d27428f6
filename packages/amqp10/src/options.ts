import { z } from 'zod';

/**
 * URL query parameters arrive as strings, and `z.coerce.boolean()` turns "false" into `true`: read the usual
 * spellings explicitly.
 */
const booleanish = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  const lower = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(lower)) return true;
  if (['false', '0', 'no', 'off'].includes(lower)) return false;
  return value;
}, z.boolean());

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** The address strategies: `auto` picks one from the broker's connection properties. */
export const BROKER_KINDS = ['auto', 'rabbitmq', 'plain'] as const;
/** One of {@link BROKER_KINDS}. */
export type BrokerKind = (typeof BROKER_KINDS)[number];

/**
 * Options of the `amqp10://` and `amqp10s://` transport. Each one can be given in the options object of
 * `connect` or as a URL query parameter (`amqp10://host:5672?broker=plain&saslMechanism=ANONYMOUS`).
 */
export const amqp10OptionsSchema = z
  .object({
    /**
     * How warren's exchanges and queues map onto the broker's node addresses: `rabbitmq` (RabbitMQ's AMQP 1.0
     * plugin: `/exchange/X/key`, `/amq/queue/Q`), `plain` (the node address is the queue's name: ActiveMQ,
     * Artemis, Qpid, Azure Service Bus, the Qpid Proton example broker) or `auto` (RabbitMQ when the broker says
     * it is, plain otherwise).
     */
    broker: z.enum(BROKER_KINDS).default('auto'),
    /**
     * RabbitMQ only: an `amqp://` or `amqps://` URL of the same broker. AMQP 1.0 cannot declare exchanges,
     * bindings or queue arguments on RabbitMQ 3.10, so warren declares the topology (and purges, deletes, fetches)
     * over AMQP 0-9-1 through `@warren/amqp` on this URL, while messages flow over AMQP 1.0.
     */
    topologyUrl: z
      .string()
      .regex(/^amqps?:\/\//i, 'an amqp:// or amqps:// URL')
      .optional(),
    /** SASL mechanism; by default PLAIN when the URL has a user name, ANONYMOUS otherwise. */
    saslMechanism: z.enum(['PLAIN', 'ANONYMOUS']).optional(),
    /**
     * The `hostname` of the AMQP open frame. By default `vhost:<name>` on RabbitMQ when the URL names a virtual
     * host (`amqp10://host/my-vhost`), otherwise the URL's host (Azure Service Bus needs its namespace host).
     */
    hostname: z.string().min(1).optional(),
    /** The container id the client announces (default: a random one). */
    containerId: z.string().min(1).optional(),
    /**
     * Most sent messages waiting for the broker's outcome at once; a further send waits until one is settled
     * (or times out). Bounds memory.
     */
    maxInFlight: count(1, 1_000_000).default(10_000),
    /** Most sender links kept open at once, one per target address; the least recently used one is closed. */
    maxSenderLinks: count(1, 10_000).default(64),
    /** How long `close()` waits for the broker to answer before it drops the socket, in ms. */
    closeTimeoutMs: z.coerce.number().positive().default(5_000),
    /** TLS (amqp10s://): trusted CA certificates, PEM. */
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
  })
  // Core hands a transport the whole options object (its own options included); ignore what is not ours.
  .loose();

/** The parsed options of the AMQP 1.0 transport. */
export type Amqp10Options = z.infer<typeof amqp10OptionsSchema>;
