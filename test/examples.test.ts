/**
 * Runs every example in examples/ as a user would (`tsx <file>`), as a child process, and checks that it ends by
 * itself with exit code 0 and prints the lines that show its messages went through.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { requireBroker } from '@warren/conformance';
import { describe, expect, it } from 'vitest';

const AMQP_URL = process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const repo = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const tsxCli = require.resolve('tsx/cli');
const tscCli = require.resolve('typescript/bin/tsc');

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function runNode(args: string[], env: Record<string, string>, timeoutMs: number): Promise<Run> {
  const file = args[args.length - 1];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: repo,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not end by itself within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

function runExample(file: string, env: Record<string, string>, timeoutMs = 45_000): Promise<Run> {
  return runNode([tsxCli, file], env, timeoutMs);
}

/** Asserts a clean exit, showing the output when it was not. */
function expectSuccess(run: Run): void {
  expect({ code: run.code, signal: run.signal, stderr: run.stderr }).toMatchObject({ code: 0, signal: null });
}

function lines(text: string, pattern: RegExp): string[] {
  return text.split('\n').filter((line) => pattern.test(line));
}

describe('examples', () => {
  it('type-check against the built packages (tsc -p examples)', async () => {
    const run = await runNode([tscCli, '-p', 'examples', '--pretty', 'false'], {}, 55_000);
    expect(run.stdout + run.stderr).toBe('');
    expect(run.code).toBe(0);
  });
});

describe('examples on memory://', () => {
  const env = { WARREN_URL: 'memory://' };

  it('feed-importer: plain and subclassed Publisher/Consumer, fetch and purge', async () => {
    const run = await runExample('examples/feed-importer.ts', env);
    expectSuccess(run);
    expect(run.stdout).toContain('connected to memory://');
    expect(run.stdout).toContain('Publisher: sent import_feed http://cnn.com/rss/edition.rss');
    expect(run.stdout).toContain('Got feed import message for: http://cnn.com/rss/edition.rss');
    expect(run.stdout).toContain('plain Publisher/Consumer: done');
    expect(run.stdout).toContain('FeedConsumer: importing http://cnn.com/rss/edition.rss');
    expect(run.stdout).toContain('subclassed FeedPublisher/FeedConsumer: done');
    expect(run.stdout).toContain('fetch: got http://example.org/one.rss');
    expect(run.stdout).toContain('purge: discarded 2 message(s)');
    expect(run.stdout).toContain('connection closed');
    expect(run.stderr).not.toMatch(/error/i);
  });

  it('puka/sync-send: sends one message', async () => {
    const run = await runExample('examples/puka/sync-send.ts', env);
    expectSuccess(run);
    expect(lines(run.stdout, /\[\*\] Message sent/)).toHaveLength(1);
  });

  it('puka/async-send: sends one message through callbacks', async () => {
    const run = await runExample('examples/puka/async-send.ts', env);
    expectSuccess(run);
    expect(lines(run.stdout, /\[\*\] Message sent/)).toHaveLength(1);
  });

  it('puka/sync-receive: receives three messages and ends', async () => {
    const run = await runExample('examples/puka/sync-receive.ts', env);
    expectSuccess(run);
    expect(run.stdout).toContain('sent 3 more');
    const received = lines(run.stdout, /\[x\] Received message \d: "Hello world!"/);
    expect(received).toHaveLength(3);
  });

  it('rpc: a server and a client, concurrent calls, a remote error and a timeout', async () => {
    const run = await runExample('examples/rpc.ts', env);
    expectSuccess(run);
    expect(run.stdout).toContain('call: 1 + 2 = 3');
    expect(run.stdout).toContain('concurrent calls: 11, 22, 33, 44, 55');
    expect(run.stdout).toContain('remote error: TypeError: a and b must be numbers');
    expect(run.stdout).toContain('timeout: no reply within 300 ms');
    expect(run.stdout).toContain('connection closed');
  });

  it('simple-queue: put, size, get until empty, clear', async () => {
    const run = await runExample('examples/simple-queue.ts', env);
    expectSuccess(run);
    expect(run.stdout).toContain('put 3 jobs; size 3');
    expect(lines(run.stdout, /^got job \d$/)).toEqual(['got job 1', 'got job 2', 'got job 3']);
    expect(run.stdout).toContain('get: null, the queue is empty');
    expect(run.stdout).toContain('clear: dropped 1 job(s); size 0');
    expect(run.stdout).toContain('connection closed');
  });
});

// The same examples on RabbitMQ, switched by WARREN_URL as a user would (connect loads @warren/amqp by itself).
describe.skipIf(!(await requireBroker('RabbitMQ', AMQP_URL, 'examples on amqp://')))('examples on amqp://', () => {
  const env = { WARREN_URL: AMQP_URL };

  it('feed-importer', async () => {
    const run = await runExample('examples/feed-importer.ts', env);
    expectSuccess(run);
    expect(run.stdout).toContain('Got feed import message for: http://cnn.com/rss/edition.rss');
    expect(run.stdout).toContain('FeedConsumer: importing http://cnn.com/rss/edition.rss');
    expect(run.stdout).toMatch(/fetch: got http:\/\/example\.org\/\w+\.rss/);
    expect(run.stdout).toContain('connection closed');
    expect(run.stdout).not.toContain('guest:guest');
  });

  it('puka: sync-send and async-send, then sync-receive takes three', async () => {
    for (const file of ['examples/puka/sync-send.ts', 'examples/puka/async-send.ts']) {
      const run = await runExample(file, env);
      expectSuccess(run);
      expect(lines(run.stdout, /\[\*\] Message sent/)).toHaveLength(1);
    }
    const run = await runExample('examples/puka/sync-receive.ts', env);
    expectSuccess(run);
    expect(lines(run.stdout, /\[x\] Received message \d: "Hello world!"/)).toHaveLength(3);
  });

  it('rpc and simple-queue', async () => {
    const rpc = await runExample('examples/rpc.ts', env);
    expectSuccess(rpc);
    expect(rpc.stdout).toContain('concurrent calls: 11, 22, 33, 44, 55');
    expect(rpc.stdout).toContain('remote error: TypeError: a and b must be numbers');
    expect(rpc.stdout).toContain('timeout: no reply within 300 ms');
    const simple = await runExample('examples/simple-queue.ts', env);
    expectSuccess(simple);
    expect(lines(simple.stdout, /^got job \d$/)).toEqual(['got job 1', 'got job 2', 'got job 3']);
    expect(simple.stdout).toContain('clear: dropped 1 job(s); size 0');
  });
});

// mozillapulse's consumer and producer scripts (examples/pulse). On RabbitMQ the consumer logs in as the Pulse-like
// user that `node scripts/brokers.mjs --prepare` creates (Pulse's permissions); the producer stands for the code
// exchange's owner (guest), as only an exchange's owner may publish to it on Pulse.
const PULSE_USER_URL = 'amqp://warren-pulse-example:warren-pulse-example@127.0.0.1:5672/';

/** Whether the Pulse-like user can log in; under CI its absence fails (brokers.mjs --prepare makes it). */
async function pulseUserReady(): Promise<boolean> {
  if (!(await requireBroker('RabbitMQ', AMQP_URL, 'pulse examples on amqp://'))) return false;
  const { connect } = await import('@warren/core');
  try {
    const conn = await connect(PULSE_USER_URL, { reconnect: false });
    await conn.close();
    return true;
  } catch (error) {
    const line = `the Pulse-like user warren-pulse-example cannot log in (${(error as Error).name}): run node scripts/brokers.mjs --prepare`;
    if (process.env.CI === 'true') throw new Error(line);
    console.warn(`${line}; skipping the pulse examples on amqp://`);
    return false;
  }
}

/** Starts an example and lets the test wait for a line of its output before it ends. */
function startExample(file: string, env: Record<string, string>, timeoutMs = 60_000) {
  let stdout = '';
  const watchers: Array<{ text: string; resolve: () => void }> = [];
  const child = spawn(process.execPath, [tsxCli, file], {
    cwd: repo,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const watcher of watchers.filter((w) => stdout.includes(w.text))) watcher.resolve();
  });
  const done = new Promise<Run>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not end within ${timeoutMs} ms\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  const waitFor = (text: string): Promise<void> =>
    stdout.includes(text)
      ? Promise.resolve()
      : Promise.race([
          new Promise<void>((resolve) => watchers.push({ text, resolve })),
          done.then((run) => {
            throw new Error(`${file} ended before printing "${text}"\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
          }),
        ]);
  return { waitFor, done };
}

describe('pulse examples on memory://', () => {
  const env = { WARREN_URL: 'memory://' };

  it('pulse/consumer: listens, gets the sample commit in the envelope, stops by itself', async () => {
    const run = await runExample('examples/pulse/consumer.ts', env);
    expectSuccess(run);
    expect(run.stdout).toContain('listening on queue/anonymous/warren-example-consumer');
    expect(lines(run.stdout, /^GOT MESSAGE hg\.commit\.mozilla-central: .*"changeset":"f00dfeed1234"/)).toHaveLength(1);
    expect(run.stdout).toContain('received 1 message(s), done');
  });

  it('pulse/producer: publishes one commit', async () => {
    const run = await runExample('examples/pulse/producer.ts', env);
    expectSuccess(run);
    expect(run.stdout).toContain('published hg.commit.mozilla-central to exchange/code');
  });
});

describe.skipIf(!(await pulseUserReady()))('pulse examples on amqp:// with a Pulse-like user', () => {
  it('the producer (exchange owner) publishes, the consumer (Pulse permissions) receives', async () => {
    // The exchange exists once its owner has published (or declared) it: Pulse consumers never create exchanges.
    expectSuccess(await runExample('examples/pulse/producer.ts', { WARREN_URL: AMQP_URL }));
    const consumer = startExample('examples/pulse/consumer.ts', { WARREN_URL: PULSE_USER_URL, PULSE_COUNT: '1' });
    await consumer.waitFor('listening on queue/warren-pulse-example/warren-example-consumer');
    const producer = await runExample('examples/pulse/producer.ts', { WARREN_URL: AMQP_URL });
    expectSuccess(producer);
    const run = await consumer.done;
    expectSuccess(run);
    expect(lines(run.stdout, /^GOT MESSAGE hg\.commit\.mozilla-central: /)).toHaveLength(1);
    expect(run.stdout).not.toContain('warren-pulse-example:warren-pulse-example');
  });
});

const REDIS_EXAMPLES_URL = process.env.WARREN_REDIS_URL ?? 'redis://127.0.0.1:6379';

// zamqp's README scenarios (examples/zamqp): a consumer with a callback in the background and a producer; remote
// events re-notified by an event consumer.
describe.each([
  { name: 'memory://', url: 'memory://', ready: true },
  { name: 'amqp://', url: AMQP_URL, ready: await requireBroker('RabbitMQ', AMQP_URL, 'zamqp examples on amqp://') },
  {
    name: 'redis://',
    url: REDIS_EXAMPLES_URL,
    ready: await requireBroker('Redis', REDIS_EXAMPLES_URL, 'zamqp examples on redis://'),
  },
])('zamqp examples on $name', ({ url, ready }) => {
  it.skipIf(!ready)('zamqp/consumer-producer: every message sent is received, then the runner stops', async () => {
    const run = await runExample('examples/zamqp/consumer-producer.ts', { WARREN_URL: url });
    expectSuccess(run);
    expect(lines(run.stdout, /^sent: /)).toEqual(['sent: "foo"', 'sent: {"any":"serializable","value":[1,2,3]}']);
    expect(lines(run.stdout, /^received: /).sort()).toEqual([
      'received: "foo"',
      'received: {"any":"serializable","value":[1,2,3]}',
    ]);
    expect(run.stdout).toContain('stopped');
  });

  it.skipIf(!ready)('zamqp/remote-events: the listener gets a rebuilt MyEvent', async () => {
    const run = await runExample('examples/zamqp/remote-events.ts', { WARREN_URL: url });
    expectSuccess(run);
    expect(run.stdout).toContain('listener: got MyEvent "myevent" (instanceof MyEvent: true)');
    expect(run.stdout).toContain('notified: RemoteEvent(MyEvent "myevent") taken by the broker');
    expect(run.stdout).toContain('done');
  });
});

// muppet's channels talk to Redis directly (REDIS_URL), whatever WARREN_URL says.
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
describe.skipIf(!(await requireBroker('Redis', REDIS_URL, 'muppet examples')))('muppet examples on Redis', () => {
  const env = { REDIS_URL };

  it('muppet/remote-channel: two listeners each hear both messages', async () => {
    const run = await runExample('examples/muppet/remote-channel.ts', env);
    expectSuccess(run);
    expect(lines(run.stdout, /^receiver heard /)).toEqual([
      'receiver heard "hello"',
      'receiver heard {"greeting":"hello","to":"world"}',
    ]);
    expect(lines(run.stdout, /^another receiver heard /)).toHaveLength(2);
    expect(lines(run.stdout, /^sent .* to 2 listening connection\(s\)$/)).toHaveLength(2);
    expect(run.stdout).toContain('remote channel: done');
  });

  it('muppet/durable-channel: task, reply, close, then a timeout back to the dispatcher', async () => {
    const run = await runExample('examples/muppet/durable-channel.ts', env);
    expectSuccess(run);
    expect(run.stdout).toContain('worker.1 received "task" from dispatcher.1');
    expect(run.stdout).toContain('dispatcher.1 received "reply" from worker.1, answering its task');
    expect(lines(run.stdout, /^timeout: /)).toEqual([
      'timeout: "a task nobody answers" from dispatcher.1 to worker.1 was not answered',
    ]);
    expect(run.stdout).toContain('dispatcher.1 got back "a task nobody answers" through its timeout callback');
    expect(run.stdout).toContain('durable channel: done');
    expect(run.stderr).toBe('');
  });
});
