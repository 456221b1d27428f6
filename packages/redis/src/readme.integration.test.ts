/** Every ```ts block of README.md runs as a user would copy it, against the Redis of the integration tests. */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { brokerAvailable, REDIS_URL } from './test-support/broker.js';

const available = await brokerAvailable();
const here = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const blocks = [...readFileSync(join(here, 'README.md'), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map(
  (match) => match[1] ?? '',
);
// Inside the package, so that '@warren/redis' resolves as it does for a user.
const dir = join(here, '.readme-blocks');

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!available)('README code blocks', () => {
  it('has blocks', () => {
    expect(blocks.length).toBeGreaterThan(0);
  });
  blocks.forEach((code, index) => {
    it(`block ${index} runs`, async () => {
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `block-${index}.ts`);
      writeFileSync(file, code);
      const { status, out } = await new Promise<{ status: number | null; out: string }>((resolve, reject) => {
        const child = spawn(process.execPath, [require.resolve('tsx/cli'), file], {
          cwd: here,
          env: { ...process.env, REDIS_URL },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk;
        });
        child.stderr.on('data', (chunk: Buffer) => {
          text += chunk;
        });
        child.on('error', reject);
        child.on('close', (code) => resolve({ status: code, out: text }));
      });
      expect(out).not.toMatch(/Error/);
      expect(status).toBe(0);
    }, 60_000);
  });
});
