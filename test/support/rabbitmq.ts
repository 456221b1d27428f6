import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Connection } from '@warren/core';

const run = promisify(execFile);

/** The RabbitMQ the broker tests use (CI: the machine's own; a laptop: docker/compose.yml). */
export const AMQP_URL = process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';

/**
 * Cuts this connection's own sockets broker-side, as a network failure or a broker-side kill would: finds the
 * broker's connection processes by the client's local ports and closes them with `rabbitmqctl close_connection`.
 * The broker is shared, so only our own connections are touched (see ../shared/BROKERS.md).
 */
export async function closeOwnAmqpConnection(connection: Connection): Promise<void> {
  const ports = new Set(connection.localPorts());
  if (ports.size === 0) throw new Error('The connection has no socket to cut (is it connected?)');
  const { stdout } = await run(
    'rabbitmqctl',
    ['list_connections', 'pid', 'peer_port', '--quiet', '--no-table-headers'],
    {
      timeout: 30_000,
    },
  );
  const pids = stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([pid, port]) => pid && port && ports.has(Number(port)))
    .map(([pid]) => pid as string);
  if (pids.length === 0) throw new Error(`RabbitMQ lists no connection from local port(s) ${[...ports].join(', ')}`);
  for (const pid of pids) {
    await run('rabbitmqctl', ['close_connection', pid, 'warren fault test: connection cut on purpose'], {
      timeout: 30_000,
    });
  }
}

/** The process id of the RabbitMQ node (its Erlang VM), for freezing it with SIGSTOP in the heartbeat test. */
export async function rabbitmqPid(): Promise<number> {
  const { stdout } = await run('rabbitmqctl', ['eval', 'list_to_integer(os:getpid()).'], { timeout: 30_000 });
  const pid = Number(stdout.trim());
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`rabbitmqctl eval did not give a pid: ${stdout}`);
  return pid;
}
