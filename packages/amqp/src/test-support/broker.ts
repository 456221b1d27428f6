/**
 * Helpers for the integration tests: the broker guard, sessions opened straight through the factory with
 * recorded hooks, unique names, and cutting our own connection (the broker is shared: never anyone else's).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
// The shared guard of the conformance package, by path: this file is test-only and not built.
import { requireBroker } from '@warren/conformance';
import type { SessionHooks, TransportSession } from '@warren/core/transport';
import { type AmqpOptions, amqpOptionsSchema } from '../options.js';
import { amqpTransport } from '../transport.js';

const run = promisify(execFile);

/** The broker the integration tests use. */
export const AMQP_URL = process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';

/** True when RabbitMQ is reachable; outside CI a missing broker skips (one line), under CI=true it throws. */
export function brokerAvailable(): Promise<boolean> {
  return requireBroker('RabbitMQ', AMQP_URL, '@warren/amqp integration tests');
}

const RUN = randomBytes(3).toString('hex');
let sequence = 0;

/** A queue or exchange name no other test or run uses. */
export function unique(label: string): string {
  sequence += 1;
  return `warren.amqp-test.${label}.${RUN}.${sequence}`;
}

/** What the session told its hooks, with promises for the first of each. */
export class HookRecorder implements SessionHooks {
  readonly losses: Error[] = [];
  readonly cancellations: Array<{ consumerTag: string; error: Error }> = [];
  readonly warnings: Error[] = [];
  readonly firstLoss: Promise<Error>;
  readonly firstCancellation: Promise<{ consumerTag: string; error: Error }>;
  #onLoss!: (error: Error) => void;
  #onCancellation!: (event: { consumerTag: string; error: Error }) => void;

  constructor() {
    this.firstLoss = new Promise((resolve) => {
      this.#onLoss = resolve;
    });
    this.firstCancellation = new Promise((resolve) => {
      this.#onCancellation = resolve;
    });
  }

  lost(error: Error): void {
    this.losses.push(error);
    this.#onLoss(error);
  }

  consumerCancelled(consumerTag: string, error: Error): void {
    this.cancellations.push({ consumerTag, error });
    this.#onCancellation({ consumerTag, error });
  }

  warning(error: Error): void {
    this.warnings.push(error);
  }
}

export interface SessionSettings {
  url?: string;
  options?: Partial<Record<keyof AmqpOptions, unknown>>;
  heartbeat?: number;
  connectTimeoutMs?: number;
  publishTimeoutMs?: number;
}

/** Opens a session through the factory, as core does, with a hook recorder. */
export async function openSession(
  settings: SessionSettings = {},
): Promise<{ session: TransportSession; hooks: HookRecorder }> {
  const hooks = new HookRecorder();
  const session = await amqpTransport.connect({
    url: new URL(settings.url ?? AMQP_URL),
    options: amqpOptionsSchema.parse(settings.options ?? {}),
    heartbeat: settings.heartbeat ?? 10,
    connectTimeoutMs: settings.connectTimeoutMs ?? 5_000,
    publishTimeoutMs: settings.publishTimeoutMs ?? 10_000,
    hooks,
  });
  return { session, hooks };
}

/**
 * Whether `rabbitmqctl` can reach the broker (it runs beside RabbitMQ here; with RabbitMQ in Docker it may not be
 * on the PATH). Outside CI its absence skips the tests that need it, with one line; under CI=true it fails.
 */
export async function rabbitmqctlAvailable(): Promise<boolean> {
  try {
    await run('rabbitmqctl', ['list_connections', 'peer_port', '--quiet', '--no-table-headers'], { timeout: 30_000 });
    return true;
  } catch {
    const message = 'rabbitmqctl cannot reach the broker from here (it must run beside RabbitMQ, as root)';
    if (process.env.CI === 'true')
      throw new Error(`${message}; CI=true, so the tests that cut connections must not skip`);
    console.warn(`${message}: skipping the tests that cut connections with it`);
    return false;
  }
}

/** Closes the broker's side of our own connection, found by the local port of its socket. */
export async function cutConnection(localPort: number): Promise<void> {
  const { stdout } = await run('rabbitmqctl', [
    'list_connections',
    'pid',
    'peer_port',
    '--quiet',
    '--no-table-headers',
  ]);
  const line = stdout
    .split('\n')
    .map((row) => row.trim().split(/\s+/))
    .find((fields) => fields[1] === String(localPort));
  if (!line?.[0]) throw new Error(`no broker connection with peer port ${localPort} in rabbitmqctl list_connections`);
  await run('rabbitmqctl', ['close_connection', line[0], 'warren fault test']);
}

/**
 * Resets our own socket from the kernel (`ss -K`, as root): the client sees ECONNABORTED at once, where
 * rabbitmqctl takes a second or more to start. Falls back to {@link cutConnection} where `ss -K` is not allowed.
 */
export async function killSocket(localPort: number): Promise<void> {
  const { hostname, port } = new URL(AMQP_URL);
  const broker = `${hostname}:${port || 5672}`;
  try {
    const { stdout } = await run('ss', [
      '-K',
      '-tnH',
      'state',
      'established',
      'dst',
      broker,
      'src',
      `${hostname}:${localPort}`,
    ]);
    if (stdout.trim() !== '') return;
  } catch {
    // Not root, or no ss: the broker-side close does the same job, more slowly.
  }
  await cutConnection(localPort);
}

/** The peer ports of the broker's connections, to check `localPorts()`. */
export async function brokerPeerPorts(): Promise<number[]> {
  const { stdout } = await run('rabbitmqctl', ['list_connections', 'peer_port', '--quiet', '--no-table-headers']);
  return stdout
    .split('\n')
    .map((row) => Number(row.trim()))
    .filter((port) => port > 0);
}

/** Rejects if `promise` has not settled within `ms`, naming what was awaited. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A plain message for `session.publish`. */
export function outbound(exchange: string, routingKey: string, body: string | Buffer, mandatory = false) {
  return {
    exchange,
    routingKey,
    content: Buffer.isBuffer(body) ? body : Buffer.from(body),
    properties: { headers: {}, contentType: 'text/plain' },
    mandatory,
  };
}
