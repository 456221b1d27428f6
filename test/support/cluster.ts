import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireBroker } from '@warren/conformance';

const run = promisify(execFile);

/** Where scripts/cluster.mjs keeps the nodes (the same default and variable). */
const CLUSTER_DIR = process.env.WARREN_CLUSTER_DIR ?? '/var/tmp/warren-cluster';
const SCRIPT = new URL('../../scripts/cluster.mjs', import.meta.url).pathname;

/** One node of the 3-node test cluster that `node scripts/cluster.mjs start` runs on loopback. */
export interface ClusterNode {
  readonly index: 1 | 2 | 3;
  readonly name: string;
  readonly url: string;
}

export const CLUSTER_NODES: readonly ClusterNode[] = ([1, 2, 3] as const).map((index) => ({
  index,
  name: `c${index}@localhost`,
  url: `amqp://guest:guest@127.0.0.1:${5680 + index}/`,
}));

export function clusterNode(index: number): ClusterNode {
  const node = CLUSTER_NODES[index - 1];
  if (!node) throw new Error(`no cluster node ${index}`);
  return node;
}

/** Whether every node answers; under CI=true a missing one fails the file (requireBroker's rule). */
export async function requireCluster(): Promise<boolean> {
  for (const node of CLUSTER_NODES) {
    if (!(await requireBroker('RabbitMQ cluster node', node.url, 'cluster tests (node scripts/cluster.mjs start)'))) {
      return false;
    }
  }
  return true;
}

/** rabbitmqctl against a node that is running. */
export async function rabbitmqctl(node: ClusterNode, ...args: string[]): Promise<string> {
  const { stdout } = await run('rabbitmqctl', ['-n', node.name, ...args], { timeout: 120_000 });
  return stdout;
}

/** The node that holds a quorum queue's leader, asked of the first node that answers. */
export async function queueLeader(queue: string): Promise<ClusterNode> {
  const problems: string[] = [];
  for (const via of CLUSTER_NODES) {
    try {
      const out = await rabbitmqctl(via, 'list_queues', 'name', 'leader', '--quiet', '--no-table-headers');
      for (const line of out.split('\n')) {
        const [name, leader] = line.trim().split(/\s+/);
        const node = name === queue ? CLUSTER_NODES.find((n) => n.name === leader) : undefined;
        if (node) return node;
      }
      problems.push(`${via.name} lists no leader`);
    } catch (error) {
      problems.push(`${via.name}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  throw new Error(`no leader found for queue ${queue} (${problems.join('; ')})`);
}

/** SIGKILL of a node's Erlang VM: a crash, not a shutdown. */
export async function killNode(node: ClusterNode): Promise<void> {
  const pid = Number((await readFile(join(CLUSTER_DIR, `c${node.index}`, 'pid'), 'utf8')).trim());
  process.kill(pid, 'SIGKILL');
}

/** Starts a node that a test killed or stopped, and waits until it takes AMQP connections again. */
export async function restartNode(node: ClusterNode): Promise<void> {
  await run(process.execPath, [SCRIPT, 'start-node', String(node.index)], { timeout: 180_000 });
}

const LOCK = join(CLUSTER_DIR, 'test.lock');

/**
 * Runs `body` while holding the cluster's test lock: several checkouts on one machine may run their suites at once,
 * and one's node kills would otherwise land in the middle of the other's counts. A lock left by a dead process is
 * taken over.
 */
export async function withClusterLock<T>(body: () => Promise<T>): Promise<T> {
  const release = await acquireClusterLock();
  try {
    return await body();
  } finally {
    await release();
  }
}

/** Takes the cluster's test lock (see withClusterLock) and resolves with the function that releases it. */
export async function acquireClusterLock(): Promise<() => Promise<void>> {
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    try {
      await writeFile(LOCK, String(process.pid), { flag: 'wx' });
      return () => rm(LOCK, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number((await readFile(LOCK, 'utf8').catch(() => '')).trim());
      if (!alive(holder)) {
        await rm(LOCK, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`the cluster test lock ${LOCK} is held by pid ${holder} for too long`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resets our own TCP connection from the kernel (`ss -K`, as root): the client sees the cut at once. */
export async function resetOwnSocket(localPort: number): Promise<void> {
  await run('ss', ['-K', '-tnH', 'state', 'established', 'src', `127.0.0.1:${localPort}`], { timeout: 30_000 });
}
