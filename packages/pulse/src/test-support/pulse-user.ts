/**
 * A throwaway RabbitMQ user with the permissions Pulse gives its users (PulseGuardian's pattern), made with
 * rabbitmqctl for one test run and deleted after it. The broker is shared: every name is unique to this run.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { requireBroker } from '@warren/conformance';

const run = promisify(execFile);

/** The RabbitMQ the integration tests use. */
export const AMQP_URL = process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';

/** True when RabbitMQ is reachable (outside CI a missing broker skips with one line; under CI it fails). */
export function brokerAvailable(what: string): Promise<boolean> {
  return requireBroker('RabbitMQ', AMQP_URL, what);
}

/** Pulse's permissions for `user`: configure, write, read. */
export function pulsePermissions(user: string): [string, string, string] {
  const own = `^(queue/${user}/.*|exchange/${user}/.*)`;
  return [own, own, `^(queue/${user}/.*|exchange/.*)`];
}

/** A Pulse-like user on the local RabbitMQ; `url` logs in as it. */
export interface PulseUser {
  user: string;
  password: string;
  url: string;
  remove(): Promise<void>;
}

/** Creates a user with a unique name and Pulse's permissions on the broker's vhost. */
export async function createPulseUser(label: string): Promise<PulseUser> {
  const user = `warren-pulse-${label}-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const broker = new URL(AMQP_URL);
  const vhost = decodeURIComponent(broker.pathname.slice(1)) || '/';
  await ctl(['add_user', user, password]);
  try {
    await ctl(['set_permissions', '-p', vhost, user, ...pulsePermissions(user)]);
  } catch (error) {
    await ctl(['delete_user', user]).catch(() => {});
    throw error;
  }
  const url = `amqp://${encodeURIComponent(user)}:${password}@${broker.host}/${encodeURIComponent(vhost)}`;
  return { user, password, url, remove: () => ctl(['delete_user', user]).then(() => {}) };
}

async function ctl(args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', args, { timeout: 60_000 });
  return stdout;
}
