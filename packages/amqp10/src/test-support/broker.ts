/**
 * Helpers for the integration tests: the two brokers (RabbitMQ's AMQP 1.0 plugin, the Qpid Proton example
 * broker), their guards, unique names, and cutting our own connection (the brokers are shared: never anyone
 * else's).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { requireBroker } from '@warren/conformance';
import { type Connection, connect } from '@warren/core';
import '../index.js';

const run = promisify(execFile);

/** RabbitMQ's AMQP 1.0 plugin. */
export const RABBITMQ_URL = process.env.WARREN_AMQP10_URL ?? 'amqp10://guest:guest@127.0.0.1:5672';
/** The same RabbitMQ over AMQP 0-9-1, for `topologyUrl` and interop. */
export const AMQP_URL = process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
/** The Qpid Proton example broker that `scripts/brokers.mjs --prepare` starts. */
export const PROTON_URL = process.env.WARREN_PROTON_URL ?? 'amqp10://127.0.0.1:5673';

/** True when RabbitMQ is reachable; outside CI a missing broker skips (one line), under CI=true it throws. */
export function rabbitmqAvailable(): Promise<boolean> {
  return requireBroker('RabbitMQ', RABBITMQ_URL, '@warren/amqp10 RabbitMQ tests');
}

/** True when the Proton example broker is reachable (start it with node scripts/brokers.mjs --prepare). */
export function protonAvailable(): Promise<boolean> {
  return requireBroker(
    'Qpid Proton example broker',
    PROTON_URL,
    '@warren/amqp10 Proton broker tests (node scripts/brokers.mjs --prepare starts it)',
  );
}

/** RabbitMQ over AMQP 1.0 with its topology declared over AMQP 0-9-1. */
export function connectRabbitmq(options: Record<string, unknown> = {}): Promise<Connection> {
  return connect({ url: RABBITMQ_URL, topologyUrl: AMQP_URL, heartbeat: 10, ...options });
}

export function connectProton(options: Record<string, unknown> = {}): Promise<Connection> {
  return connect({ url: PROTON_URL, heartbeat: 10, ...options });
}

const RUN = randomBytes(3).toString('hex');
let sequence = 0;

/** A queue name no other test or run uses. */
export function unique(label: string): string {
  sequence += 1;
  return `warren.amqp10-test.${label}.${RUN}.${sequence}`;
}

/**
 * Resets our own socket from the kernel (`ss -K`, as root): the client sees a reset at once. RabbitMQ 3.10 lists
 * no AMQP 1.0 connection by peer port and `close_connection` ignores them, so this is the way (see BROKERS.md).
 */
export async function killSocket(localPort: number): Promise<boolean> {
  const { stdout } = await run('ss', ['-K', '-tnH', 'state', 'established', 'src', `127.0.0.1:${localPort}`]);
  return stdout.trim() !== '';
}

/**
 * Cuts every socket of a connection (the AMQP 1.0 one and, with topologyUrl, the AMQP 0-9-1 one: the first cut
 * may already have closed the other).
 */
export async function cutConnection(connection: Connection): Promise<void> {
  const ports = connection.localPorts();
  let cut = 0;
  for (const port of ports) if (await killSocket(port)) cut += 1;
  if (cut === 0) throw new Error(`ss -K found no established socket with local ports ${ports.join(', ')}`);
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
