/**
 * Every TypeScript block of README.md, as a user would copy it: ```ts blocks run (tsx, memory://, no broker), and
 * ```ts check blocks (they talk to Pulse itself) are type-checked.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const here = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const blocks = [...readFileSync(join(here, 'README.md'), 'utf8').matchAll(/```ts( check)?\n([\s\S]*?)```/g)].map(
  (match, index) => ({ index, check: Boolean(match[1]), code: match[2] ?? '' }),
);
// Inside the package, so that '@warren/pulse' and zod resolve as they do for a user.
const dir = join(here, '.readme-blocks');
mkdirSync(dir, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function node(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      out += chunk;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('README code blocks', () => {
  it('has blocks to check', () => {
    expect(blocks.filter((b) => !b.check).length).toBeGreaterThan(0);
  });

  for (const block of blocks.filter((b) => !b.check)) {
    it(`block ${block.index} runs`, async () => {
      const file = join(dir, `block-${block.index}.ts`);
      writeFileSync(file, block.code);
      const run = await node([require.resolve('tsx/cli'), file]);
      expect(run.out).not.toMatch(/Error/);
      expect(run.code).toBe(0);
    }, 120_000);
  }

  it('blocks marked check type-check', async () => {
    const files = blocks.map((block) => {
      const file = join(dir, `typed-${block.index}.ts`);
      writeFileSync(file, `${block.code}\nexport {};\n`);
      return file;
    });
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../../tsconfig.base.json',
        compilerOptions: { noEmit: true, composite: false, declaration: false, declarationMap: false },
        files,
      }),
    );
    const run = await node([
      require.resolve('typescript/bin/tsc'),
      '-p',
      join(dir, 'tsconfig.json'),
      '--pretty',
      'false',
    ]);
    expect(run.out).toBe('');
    expect(run.code).toBe(0);
  }, 120_000);
});
