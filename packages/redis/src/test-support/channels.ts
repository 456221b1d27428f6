/**
 * Helpers for the channel tests: a unique key prefix per test (the Redis is shared: never FLUSHALL), removal of
 * that prefix's keys afterwards, and a child process that plays a channel so that a test can SIGKILL it.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A prefix no other test (or helper on this machine) uses. */
export function uniquePrefix(label: string): string {
  return `warren-test-${label}-${randomBytes(4).toString('hex')}`;
}

/** A plain ioredis client for looking at what the channels stored. */
export function inspector(): Redis {
  return new Redis(REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 3 });
}

/** Every key under a prefix (the channels wrap it in braces). */
export async function keysOf(redis: Redis, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys.sort();
}

/** Deletes the keys of one prefix, and only those. */
export async function removePrefix(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysOf(redis, prefix);
  if (keys.length > 0) await redis.del(...keys);
}

const require = createRequire(import.meta.url);
const tsxLoader = pathToFileURL(require.resolve('tsx')).href;
const childScript = fileURLToPath(new URL('./channel-child.ts', import.meta.url));

/** What the child does: see channel-child.ts. */
export interface ChildPlan {
  mode: 'receive' | 'send';
  prefix: string;
  name: string;
  to?: string;
  timeout?: number;
  count?: number;
}

/** A channel in another process; `lines` collects what it printed, `waitForLine` waits for one. */
export class ChannelChild {
  readonly process: ChildProcessWithoutNullStreams;
  readonly lines: string[] = [];
  #stderr = '';
  readonly #waiters = new Set<() => void>();

  constructor(plan: ChildPlan) {
    // `--import tsx` runs the script in this very process: the tsx CLI would fork a grandchild that a SIGKILL of
    // the child leaves alive.
    this.process = spawn(process.execPath, ['--import', tsxLoader, childScript, JSON.stringify(plan)], {
      env: { ...process.env, REDIS_URL },
    });
    let buffer = '';
    this.process.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      this.lines.push(...parts);
      for (const waiter of [...this.#waiters]) waiter();
    });
    this.process.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      this.#stderr += chunk;
    });
    this.process.on('exit', () => {
      for (const waiter of [...this.#waiters]) waiter();
    });
  }

  /** Resolves with the first line matching; rejects (with the child's stderr) after `timeoutMs` or if it exits. */
  waitForLine(pattern: RegExp, timeoutMs = 30_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const line = this.lines.find((l) => pattern.test(l));
        if (line !== undefined) {
          done();
          resolve(line);
        } else if (this.process.exitCode !== null || this.process.signalCode !== null) {
          done();
          reject(new Error(`child exited before printing ${pattern}; stderr:\n${this.#stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`child printed no ${pattern} within ${timeoutMs} ms; stderr:\n${this.#stderr}`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** SIGKILL: no clean end, nothing given back; resolves once the process is gone. */
  kill(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.process.once('exit', () => resolve());
      this.process.kill('SIGKILL');
    });
  }
}

/** Kills (CLIENT KILL ID) every connection whose name starts with `namePrefix`; resolves with how many. */
export async function killClients(redis: Redis, namePrefix: string): Promise<number> {
  const list = (await redis.client('LIST')) as string;
  const ids = list
    .split('\n')
    .map((line) => ({ id: /\bid=(\d+)/.exec(line)?.[1], name: /\bname=(\S*)/.exec(line)?.[1] ?? '' }))
    .filter((client) => client.id && client.name.startsWith(namePrefix))
    .map((client) => client.id as string);
  for (const id of ids) await redis.client('KILL', 'ID', id);
  return ids.length;
}

/** The names of the connections whose name starts with `namePrefix`. */
export async function clientNames(redis: Redis, namePrefix: string): Promise<string[]> {
  const list = (await redis.client('LIST')) as string;
  return list
    .split('\n')
    .map((line) => /\bname=(\S*)/.exec(line)?.[1] ?? '')
    .filter((name) => name.startsWith(namePrefix));
}
