#!/usr/bin/env node
// A 3-node RabbitMQ cluster on loopback, beside (and apart from) the broker on 5672, for warren's cluster tests and
// for users who want to try failover on one machine. Plain Node ESM, no dependencies. Idempotent.
//
//   node scripts/cluster.mjs start     start the nodes that are down, join them into one cluster, wait until all run
//   node scripts/cluster.mjs stop      stop every node (SIGTERM through rabbitmqctl stop; SIGKILL if that fails)
//   node scripts/cluster.mjs status    print each node's state; exit 1 unless all three run clustered
//   node scripts/cluster.mjs start-node <i>   start one node (1..3) again, e.g. after a test killed it
//
// Node i listens for AMQP 0-9-1 on 127.0.0.1:568i (distribution port 2568i), as `c<i>@localhost`, with its state
// under WARREN_CLUSTER_DIR (default /var/tmp/warren-cluster/c<i>; a folder owned by the rabbitmq user, as Debian's
// rabbitmq-server runs as that user). Every node reads its own config file, because /etc/rabbitmq/rabbitmq.conf pins
// the default node's listener to 5672. The URLs: amqp://guest:guest@127.0.0.1:5681, ...:5682, ...:5683
// (`loopback_users = none` lets guest in, as on the default node).

import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

export const CLUSTER_DIR = process.env.WARREN_CLUSTER_DIR || '/var/tmp/warren-cluster';
export const CLUSTER_NODES = [1, 2, 3].map((i) => ({
  index: i,
  name: `c${i}@localhost`,
  port: 5680 + i,
  distPort: 25680 + i,
  dir: join(CLUSTER_DIR, `c${i}`),
}));

const log = (line) => console.log(`[cluster] ${line}`);

function run(cmd, args, { timeoutMs = 60_000, env } = {}) {
  const result = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: env ? { ...process.env, ...env } : process.env,
  });
  return { ok: result.status === 0 && !result.error, out: `${result.stdout || ''}${result.stderr || ''}`.trim() };
}

function reachable(port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok) => {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether the node's Erlang VM answers rabbitmqctl (the app may be stopped: `status` would then fail). */
function answers(node) {
  return run('rabbitmqctl', ['-n', node.name, 'eval', 'ok.'], { timeoutMs: 20_000 }).ok;
}

function rabbitmqIds() {
  const uid = run('id', ['-u', 'rabbitmq']);
  const gid = run('id', ['-g', 'rabbitmq']);
  return uid.ok && gid.ok ? { uid: Number(uid.out), gid: Number(gid.out) } : null;
}

function writeNodeFiles(node) {
  mkdirSync(node.dir, { recursive: true });
  writeFileSync(
    join(node.dir, 'rabbitmq.conf'),
    `listeners.tcp.local = 127.0.0.1:${node.port}\nloopback_users = none\n`,
  );
  writeFileSync(join(node.dir, 'enabled_plugins'), '[].\n');
  const ids = rabbitmqIds();
  if (ids) {
    for (const path of [CLUSTER_DIR, node.dir, join(node.dir, 'rabbitmq.conf'), join(node.dir, 'enabled_plugins')]) {
      chownSync(path, ids.uid, ids.gid);
    }
  }
}

function nodeEnv(node) {
  return {
    RABBITMQ_CONFIG_FILE: join(node.dir, 'rabbitmq.conf'),
    RABBITMQ_NODENAME: node.name,
    RABBITMQ_NODE_PORT: String(node.port),
    RABBITMQ_DIST_PORT: String(node.distPort),
    RABBITMQ_MNESIA_BASE: join(node.dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(node.dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(node.dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: join(node.dir, 'pid'),
  };
}

/** The OS pid of a node's VM, from its pid file, or null. */
export function nodePid(node) {
  try {
    const pid = Number(readFileSync(join(node.dir, 'pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** Starts one node if its port does not answer, and waits until its app runs (AMQP port open). */
export async function startNode(node) {
  if (await reachable(node.port)) return true;
  if (!answers(node)) {
    writeNodeFiles(node);
    const started = run('rabbitmq-server', ['-detached'], { env: nodeEnv(node) });
    if (!started.ok)
      log(`${node.name}: rabbitmq-server -detached failed: ${started.out.split('\n').slice(-3).join(' ')}`);
  } else {
    // The VM runs but the app does not (stop_app by a test): start the app.
    run('rabbitmqctl', ['-n', node.name, 'start_app'], { timeoutMs: 120_000 });
  }
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (await reachable(node.port)) return true;
    await sleep(250);
  }
  log(`${node.name}: not reachable on 127.0.0.1:${node.port} after 120 s (logs in ${join(node.dir, 'log')})`);
  return false;
}

/** The cluster members a node knows of (running or not), from the node itself; '' when it does not answer. */
function clusterMembers(node, which = 'all') {
  const r = run('rabbitmqctl', ['-n', node.name, 'eval', `rabbit_nodes:${which}().`], { timeoutMs: 20_000 });
  return r.ok ? r.out : '';
}

/**
 * Joins node 2 and 3 to node 1 where they are not clustered yet. A node that already counts node 1 among its
 * members is left alone, running or not: resetting it would throw away its share of the quorum queues (and a
 * test may just have stopped node 1 on purpose).
 */
function join_() {
  const [first, ...others] = CLUSTER_NODES;
  for (const node of others) {
    if (clusterMembers(node).includes(first.name)) continue;
    log(`${node.name}: join_cluster ${first.name}`);
    for (const args of [['stop_app'], ['reset'], ['join_cluster', first.name], ['start_app']]) {
      const r = run('rabbitmqctl', ['-n', node.name, ...args], { timeoutMs: 120_000 });
      if (!r.ok) {
        log(`${node.name}: rabbitmqctl ${args.join(' ')} failed: ${r.out.split('\n').slice(-3).join(' ')}`);
        return false;
      }
    }
  }
  return true;
}

/** Whether all three nodes run and node 1 sees them all. */
export async function clusterRunning() {
  for (const node of CLUSTER_NODES) if (!(await reachable(node.port))) return false;
  const members = clusterMembers(CLUSTER_NODES[0], 'all_running');
  return CLUSTER_NODES.every((node) => members.includes(node.name));
}

export async function start() {
  const t0 = Date.now();
  if (await clusterRunning()) {
    log(`running: ${CLUSTER_NODES.map((n) => `${n.name} on 127.0.0.1:${n.port}`).join(', ')}`);
    return true;
  }
  if (!existsSync('/usr/sbin/rabbitmq-server') && !run('which', ['rabbitmq-server']).ok) {
    log('rabbitmq-server is not installed (apt-get install rabbitmq-server)');
    return false;
  }
  let ok = await form();
  if (!ok) {
    // A node reset or killed at the wrong moment can leave the others waiting for it for minutes: this cluster
    // holds test data only, so start it again from nothing.
    log('the cluster did not form: stopping every node and starting again from empty state');
    stop({ kill: true });
    rmSync(CLUSTER_DIR, { recursive: true, force: true });
    ok = await form();
  }
  log(
    ok
      ? `3-node cluster up in ${((Date.now() - t0) / 1000).toFixed(1)}s: amqp://127.0.0.1:5681, :5682, :5683`
      : 'cluster did not come up',
  );
  return ok;
}

/** Starts the nodes that are down and joins them; whether all three then run clustered. */
async function form() {
  // All three boot at once (each takes 10-60 s on a loaded 2-core box); node 1 is the one the others join.
  const results = await Promise.all(CLUSTER_NODES.map((node) => startNode(node)));
  if (results.includes(false)) return false;
  if (!join_()) return false;
  return clusterRunning();
}

/** Stops every node: `rabbitmqctl stop`, or SIGKILL of its VM with `kill: true` (or when the stop fails). */
export function stop({ kill = false } = {}) {
  for (const node of CLUSTER_NODES) {
    if (kill || !answers(node) || !run('rabbitmqctl', ['-n', node.name, 'stop'], { timeoutMs: 60_000 }).ok) {
      for (const pid of vmPids(node)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {}
      }
    }
    log(`${node.name} stopped`);
  }
}

/**
 * The node's VM processes: the one in its pid file, and any other whose environment names the node (a VM whose pid
 * file is gone would otherwise keep the node's name registered and block a new start).
 */
function vmPids(node) {
  const pids = new Set();
  const fromFile = nodePid(node);
  if (fromFile) pids.add(fromFile);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'latin1').split('\0').includes(`RABBITMQ_NODENAME=${node.name}`)) {
        pids.add(Number(entry));
      }
    } catch {}
  }
  return [...pids];
}

async function status() {
  for (const node of CLUSTER_NODES) {
    log(
      `${node.name}: ${(await reachable(node.port)) ? 'running' : answers(node) ? 'app stopped' : 'down'} (127.0.0.1:${node.port})`,
    );
  }
  return clusterRunning();
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const [mode, arg] = process.argv.slice(2);
  try {
    if (mode === 'start') process.exitCode = (await start()) ? 0 : 1;
    else if (mode === 'stop') stop();
    else if (mode === 'status') process.exitCode = (await status()) ? 0 : 1;
    else if (mode === 'start-node' && CLUSTER_NODES[Number(arg) - 1]) {
      process.exitCode = (await startNode(CLUSTER_NODES[Number(arg) - 1])) ? 0 : 1;
    } else {
      console.error('usage: node scripts/cluster.mjs start | stop | status | start-node <1|2|3>');
      process.exitCode = 2;
    }
  } catch (error) {
    console.error(`[cluster] ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
