#!/usr/bin/env node
// Prepares and checks the brokers that warren's broker test suites use. Plain Node ESM, no dependencies.
//
//   node scripts/brokers.mjs --prepare   start RabbitMQ and Redis if they are down, enable RabbitMQ's AMQP 1.0 plugin,
//                                        install the Debian interop peers (as root with apt only), start the Qpid
//                                        Proton example broker (AMQP 1.0, WARREN_PROTON_URL, default port 5673)
//                                        detached with a pid file in the temp folder. Idempotent.
//   node scripts/brokers.mjs --check     say which brokers are unreachable. Under CI=true a missing one fails the run;
//                                        elsewhere it prints one line per missing broker and exits 0 (suites skip).
//
// Broker addresses: WARREN_AMQP_URL (default amqp://guest:guest@127.0.0.1:5672/) and WARREN_REDIS_URL (default
// redis://127.0.0.1:6379). Only host:port is ever printed, never credentials.

import { spawn, spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, openSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { CLUSTER_NODES, clusterRunning, start as startCluster } from './cluster.mjs';

const AMQP_URL = process.env.WARREN_AMQP_URL || 'amqp://guest:guest@127.0.0.1:5672/';
const REDIS_URL = process.env.WARREN_REDIS_URL || 'redis://127.0.0.1:6379';
// The Qpid Proton example broker: @warren/amqp10's second AMQP 1.0 broker (plain node addresses, in memory).
const PROTON_URL = process.env.WARREN_PROTON_URL || 'amqp10://127.0.0.1:5673';
const PROTON_BROKER = '/usr/share/proton/examples/python/broker.py';
const CI = process.env.CI === 'true';
const PYTHON = '/usr/bin/python3';
const DOCKER_HINT = 'start brokers with docker compose -f docker/compose.yml up -d';
const DEFAULT_PORTS = {
  'amqp:': 5672,
  'amqps:': 5671,
  'amqp10:': 5672,
  'amqp10s:': 5671,
  'redis:': 6379,
  'rediss:': 6379,
};

/** Debian packages for interop peers: [package, why]. */
const DEBIAN_PEERS = [
  ['python3-kombu', 'kombu interop tests'],
  ['python3-redis', "kombu's Redis transport"],
  ['amqp-tools', 'amqp-publish / amqp-consume'],
  ['python3-qpid-proton', 'AMQP 1.0 peer client'],
  ['libqpid-proton11-dev-examples', 'small AMQP 1.0 broker for tests'],
];

const log = (line) => console.log(`[brokers] ${line}`);

/** host:port of a broker URL (no credentials), with the scheme's default port. */
function endpoint(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    // Never echo the raw string: it may hold a password.
    throw new Error(`malformed broker URL (scheme ${String(url).split(':')[0]}://...)`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
  const port = parsed.port ? Number(parsed.port) : (DEFAULT_PORTS[parsed.protocol] ?? 0);
  return { host, port, label: `${host.includes(':') ? `[${host}]` : host}:${port}` };
}

function isLocal(host) {
  return host === '127.0.0.1' || host === 'localhost' || host === '::1' || host === '0.0.0.0';
}

function reachable({ host, port }, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Whether the broker answers the AMQP 1.0 SASL protocol header with the same header (RabbitMQ does once
 * rabbitmq_amqp1_0 is enabled; without it, it answers with its AMQP 0-9-1 header and closes).
 */
function speaksAmqp10({ host, port }, timeoutMs = 2000) {
  const header = Buffer.from([0x41, 0x4d, 0x51, 0x50, 3, 1, 0, 0]); // "AMQP" 3 1 0 0
  return new Promise((resolve) => {
    let received = Buffer.alloc(0);
    const socket = net.connect({ host, port });
    const done = (ok) => {
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => socket.write(header));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length >= 8) done(received.subarray(0, 8).equals(header));
    });
    socket.once('close', () => done(false));
    socket.once('error', () => done(false));
  });
}

async function waitReachable(ep, totalMs) {
  const deadline = Date.now() + totalMs;
  while (Date.now() < deadline) {
    if (await reachable(ep, 500)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

function which(cmd) {
  const dirs = (process.env.PATH || '').split(delimiter).concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return join(dir, cmd);
    } catch {}
  }
  return null;
}

/** Runs a command synchronously with a bound; returns { ok, stdout, stderr }. */
function run(cmd, args, { timeoutMs = 120_000, env } = {}) {
  const result = spawnSync(cmd, args, {
    encoding: 'utf8',
    timeout: timeoutMs,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: env ? { ...process.env, ...env } : process.env,
  });
  return {
    ok: result.status === 0 && !result.error,
    stdout: result.stdout || '',
    stderr: (result.stderr || '') + (result.error ? String(result.error.message) : ''),
    timedOut: result.error?.code === 'ETIMEDOUT',
  };
}

function lastLines(text, n = 5) {
  return text.trim().split('\n').slice(-n).join('\n    ');
}

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = Boolean(which('apt-get') && which('dpkg-query'));
let aptUpdated = false;

function debInstalled(pkg) {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax, not a template
  const r = run('dpkg-query', ['-W', '-f=${Status}', pkg], { timeoutMs: 10_000 });
  return r.ok && r.stdout.includes('install ok installed');
}

/** apt-get install the given packages (apt-get update once per run, only when something is missing). */
function aptInstall(pkgs) {
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    log('apt-get update');
    const u = run('apt-get', ['update', '-q'], { timeoutMs: 300_000, env });
    aptUpdated = true;
    if (!u.ok) log(`apt-get update failed:\n    ${lastLines(u.stderr)}`);
  }
  log(`apt-get install -y ${pkgs.join(' ')}`);
  const r = run('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...pkgs], { timeoutMs: 600_000, env });
  if (!r.ok) log(`apt-get install failed:\n    ${lastLines(r.stderr || r.stdout)}`);
  return r.ok;
}

// ---------------------------------------------------------------------------------------------------------------- prepare

async function prepareRabbit() {
  const ep = endpoint(AMQP_URL);
  let up = await reachable(ep);
  if (up) {
    log(`RabbitMQ reachable at ${ep.label}`);
  } else if (!isLocal(ep.host)) {
    log(`RabbitMQ not reachable at ${ep.label} (not a local address: not starting it)`);
    return false;
  } else {
    if (!which('rabbitmq-server') && isRoot && hasApt) aptInstall(['rabbitmq-server']);
    if (!which('rabbitmq-server')) {
      log(`RabbitMQ not reachable at ${ep.label} and rabbitmq-server is not installed: ${DOCKER_HINT}`);
      return false;
    }
    log('RabbitMQ down: rabbitmq-server -detached');
    const start = run('rabbitmq-server', ['-detached'], { timeoutMs: 60_000 });
    if (!start.ok) log(`rabbitmq-server -detached failed:\n    ${lastLines(start.stderr || start.stdout)}`);
    const wait = run('rabbitmqctl', ['await_startup', '--timeout', '120'], { timeoutMs: 150_000 });
    if (!wait.ok) log(`rabbitmqctl await_startup failed:\n    ${lastLines(wait.stderr || wait.stdout)}`);
    up = await waitReachable(ep, 30_000);
    log(up ? `RabbitMQ started, reachable at ${ep.label}` : `RabbitMQ still not reachable at ${ep.label}`);
  }
  if (!up || !isLocal(ep.host) || !which('rabbitmq-plugins')) {
    if (up && !isLocal(ep.host)) log('RabbitMQ is remote: make sure rabbitmq_amqp1_0 is enabled there');
    return up;
  }
  const list = run('rabbitmq-plugins', ['list', '-e', '-m'], { timeoutMs: 60_000 });
  if (list.ok && /^rabbitmq_amqp1_0$/m.test(list.stdout)) {
    log('RabbitMQ plugin rabbitmq_amqp1_0 already enabled');
  } else {
    log('RabbitMQ: rabbitmq-plugins enable rabbitmq_amqp1_0');
    const en = run('rabbitmq-plugins', ['enable', 'rabbitmq_amqp1_0'], { timeoutMs: 120_000 });
    if (!en.ok) log(`enabling rabbitmq_amqp1_0 failed:\n    ${lastLines(en.stderr || en.stdout)}`);
  }
  return up;
}

async function prepareRedis() {
  const ep = endpoint(REDIS_URL);
  if (await reachable(ep)) {
    log(`Redis reachable at ${ep.label}`);
    return true;
  }
  if (!isLocal(ep.host)) {
    log(`Redis not reachable at ${ep.label} (not a local address: not starting it)`);
    return false;
  }
  if (!which('redis-server') && isRoot && hasApt) aptInstall(['redis-server']);
  if (!which('redis-server')) {
    log(`Redis not reachable at ${ep.label} and redis-server is not installed: ${DOCKER_HINT}`);
    return false;
  }
  const args = [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '--port',
    String(ep.port),
    '--save',
    '',
    '--appendonly',
    'no',
  ];
  log(`Redis down: redis-server --daemonize yes --bind 127.0.0.1 --port ${ep.port} --save "" --appendonly no`);
  const r = run('redis-server', args, { timeoutMs: 30_000 });
  if (!r.ok) log(`redis-server failed:\n    ${lastLines(r.stderr || r.stdout)}`);
  const up = await waitReachable(ep, 15_000);
  log(up ? `Redis started, reachable at ${ep.label}` : `Redis still not reachable at ${ep.label}`);
  return up;
}

function preparePeers() {
  if (!isRoot || !hasApt) {
    log(`Debian peers: not root with apt-get, skipping (${DEBIAN_PEERS.map(([p]) => p).join(', ')})`);
    return;
  }
  const missing = DEBIAN_PEERS.filter(([pkg]) => !debInstalled(pkg)).map(([pkg]) => pkg);
  if (missing.length === 0) {
    log(`Debian peers already installed (${DEBIAN_PEERS.map(([p]) => p).join(', ')})`);
    return;
  }
  aptInstall(missing);
  const still = missing.filter((pkg) => !debInstalled(pkg));
  log(
    still.length ? `Debian peers still missing: ${still.join(', ')}` : `Debian peers installed: ${missing.join(', ')}`,
  );
}

// ------------------------------------------------------------------------------------------- Pulse-like user

/** The Pulse-like user examples/pulse log in as (password = user name: a local test broker only). */
const PULSE_EXAMPLE_USER = 'warren-pulse-example';

/**
 * Creates (idempotently) a RabbitMQ user with the permissions Mozilla Pulse gives its users: configure and write
 * its own `queue/<user>/...` and `exchange/<user>/...`, read those and every `exchange/...`.
 */
async function preparePulseUser() {
  const ep = endpoint(AMQP_URL);
  if (!(await reachable(ep))) return; // prepareRabbit said why
  if (!isLocal(ep.host) || !which('rabbitmqctl')) {
    log(`Pulse-like user: RabbitMQ is not local or rabbitmqctl is missing; create ${PULSE_EXAMPLE_USER} by hand`);
    return;
  }
  const user = PULSE_EXAMPLE_USER;
  const users = run('rabbitmqctl', ['list_users', '--quiet', '--no-table-headers'], { timeoutMs: 60_000 });
  const exists = users.ok && users.stdout.split('\n').some((line) => line.split(/\s+/)[0] === user);
  if (!exists) {
    const add = run('rabbitmqctl', ['add_user', user, user], { timeoutMs: 60_000 });
    if (!add.ok) log(`rabbitmqctl add_user ${user} failed:\n    ${lastLines(add.stderr || add.stdout)}`);
  }
  const own = `^(queue/${user}/.*|exchange/${user}/.*)`;
  const read = `^(queue/${user}/.*|exchange/.*)`;
  const vhost = decodeURIComponent(new URL(AMQP_URL).pathname.slice(1)) || '/';
  const perms = run('rabbitmqctl', ['set_permissions', '-p', vhost, user, own, own, read], { timeoutMs: 60_000 });
  if (perms.ok) log(`Pulse-like user ${user} ready (Pulse's permissions on vhost ${vhost})`);
  else log(`rabbitmqctl set_permissions ${user} failed:\n    ${lastLines(perms.stderr || perms.stdout)}`);
}

/** The 3-node RabbitMQ cluster of the cluster tests (scripts/cluster.mjs), on local ports 5681-5683. */
async function prepareCluster() {
  if (!isLocal(endpoint(AMQP_URL).host) || !which('rabbitmq-server')) {
    log('RabbitMQ cluster: no local rabbitmq-server, not starting one (cluster tests will skip)');
    return false;
  }
  return startCluster();
}

/**
 * Starts the Qpid Proton example broker on PROTON_URL's port, detached (it outlives this script), with a pid file
 * and a log in the temp folder. Idempotent: a broker already answering AMQP 1.0 there is left alone.
 */
async function prepareProton() {
  const ep = endpoint(PROTON_URL);
  const files = join(tmpdir(), `warren-proton-broker.${ep.port}`);
  if (await reachable(ep)) {
    const speaks = await speaksAmqp10(ep);
    log(
      speaks
        ? `Qpid Proton example broker reachable at ${ep.label}`
        : `port ${ep.label} is taken by something that does not speak AMQP 1.0: set WARREN_PROTON_URL to a free port`,
    );
    return speaks;
  }
  if (!isLocal(ep.host)) {
    log(`Qpid Proton example broker not reachable at ${ep.label} (not a local address: not starting it)`);
    return false;
  }
  if (!existsSync(PROTON_BROKER) || !run(PYTHON, ['-c', 'import proton'], { timeoutMs: 30_000 }).ok) {
    log(`cannot start the Qpid Proton example broker: needs ${PYTHON}, python3-qpid-proton and ${PROTON_BROKER}`);
    return false;
  }
  log(
    `Qpid Proton example broker down: ${PYTHON} ${PROTON_BROKER} -a ${ep.label} (pid ${files}.pid, log ${files}.log)`,
  );
  const out = openSync(`${files}.log`, 'a');
  const child = spawn(PYTHON, [PROTON_BROKER, '-a', ep.label], { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  writeFileSync(`${files}.pid`, `${child.pid}\n`);
  const up = (await waitReachable(ep, 15_000)) && (await speaksAmqp10(ep));
  log(
    up
      ? `Qpid Proton example broker started at ${ep.label}`
      : `Qpid Proton example broker did not come up: see ${files}.log`,
  );
  return up;
}

async function prepare() {
  const t0 = Date.now();
  await prepareRabbit();
  await preparePulseUser();
  await prepareRedis();
  preparePeers();
  await prepareCluster();
  await prepareProton();
  log(`prepare done in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

// ------------------------------------------------------------------------------------------------------------------ check

async function check() {
  const missing = [];
  const amqp = endpoint(AMQP_URL);
  const redis = endpoint(REDIS_URL);
  const [amqpUp, redisUp] = await Promise.all([reachable(amqp), reachable(redis)]);
  if (!amqpUp) missing.push(`RabbitMQ not reachable at ${amqp.label}`);
  else if (!(await speaksAmqp10(amqp))) {
    missing.push(`RabbitMQ at ${amqp.label} does not speak AMQP 1.0 (enable the rabbitmq_amqp1_0 plugin)`);
  }
  if (!redisUp) missing.push(`Redis not reachable at ${redis.label}`);
  if (!(await clusterRunning())) {
    missing.push(
      `RabbitMQ cluster not running on 127.0.0.1:${CLUSTER_NODES.map((n) => n.port).join(', :')} (node scripts/cluster.mjs start)`,
    );
  }
  const proton = endpoint(PROTON_URL);
  if (!(await speaksAmqp10(proton)))
    missing.push(`Qpid Proton example broker (AMQP 1.0) not reachable at ${proton.label}`);
  const kombu = run(PYTHON, ['-c', 'import kombu'], { timeoutMs: 30_000 });
  if (!kombu.ok)
    missing.push(
      `kombu not importable by ${PYTHON} (install python3-kombu, or run node scripts/brokers.mjs --prepare as root)`,
    );

  if (missing.length === 0) {
    log(
      `RabbitMQ ${amqp.label} (AMQP 0-9-1 and 1.0), Redis ${redis.label}, Qpid Proton example broker ${proton.label} reachable; kombu importable; RabbitMQ cluster on 127.0.0.1:5681-5683 running`,
    );
    return 0;
  }
  if (CI) {
    for (const m of missing) console.error(`[brokers] MISSING in CI: ${m}`);
    console.error('[brokers] CI=true requires every broker; run node scripts/brokers.mjs --prepare first');
    return 1;
  }
  for (const m of missing) {
    if (m.startsWith('kombu')) console.log(`[brokers] ${m}: kombu interop tests will skip`);
    else if (m.includes('cluster')) console.log(`[brokers] ${m}: cluster tests will skip`);
    else if (m.includes('AMQP 1.0')) console.log(`[brokers] ${m}: AMQP 1.0 suites will skip; ${DOCKER_HINT}`);
    else console.log(`[brokers] ${m}: broker suites will skip; ${DOCKER_HINT}`);
  }
  return 0;
}

// ------------------------------------------------------------------------------------------------------------------- main

const mode = process.argv[2];
try {
  if (mode === '--prepare') {
    await prepare();
  } else if (mode === '--check') {
    process.exitCode = await check();
  } else {
    console.error('usage: node scripts/brokers.mjs --prepare | --check');
    process.exitCode = 2;
  }
} catch (error) {
  console.error(`[brokers] ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}
