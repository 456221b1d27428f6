/**
 * The TypeScript blocks of the package READMEs listed below, as a user would copy them: a ```ts block runs (tsx, in
 * a child process, on memory:// — it must end by itself with exit code 0), and a ```ts check block (one that needs
 * a remote service, such as Pulse itself) is type-checked against the built packages. Add your README to the list.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const READMES = ['README.md', 'packages/pulse/README.md', 'packages/events/README.md', 'packages/redis/README.md'];

const repo = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);
const dir = join(repo, 'test', '.readme-blocks');
mkdirSync(dir, { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Block {
  readme: string;
  index: number;
  check: boolean;
  code: string;
  file: string;
}

const blocks: Block[] = READMES.flatMap((readme) =>
  [...readFileSync(join(repo, readme), 'utf8').matchAll(/```ts( check)?\n([\s\S]*?)```/g)].map((match, index) => ({
    readme,
    index,
    check: Boolean(match[1]),
    code: match[2] ?? '',
    file: join(dir, `${readme.replace(/[/.]/g, '-')}-${index}.ts`),
  })),
);

function node(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
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
  for (const readme of READMES) {
    it(`${readme} has blocks`, () => {
      expect(blocks.filter((b) => b.readme === readme).length).toBeGreaterThan(0);
    });
  }

  for (const block of blocks.filter((b) => !b.check)) {
    it(`${block.readme} block ${block.index} runs`, async () => {
      writeFileSync(block.file, `${block.code}\nexport {};\n`);
      const run = await node([require.resolve('tsx/cli'), block.file]);
      expect({ code: run.code, out: run.out }).toMatchObject({ code: 0 });
      expect(run.out).not.toMatch(/Warning|Unhandled/);
    }, 120_000);
  }

  it('every block type-checks', async () => {
    for (const block of blocks) writeFileSync(block.file, `${block.code}\nexport {};\n`);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: '../../tsconfig.base.json',
        compilerOptions: { noEmit: true, composite: false, declaration: false, declarationMap: false },
        files: blocks.map((b) => b.file),
      }),
    );
    const tsc = require.resolve('typescript/bin/tsc');
    const run = await node([tsc, '-p', join(dir, 'tsconfig.json'), '--pretty', 'false']);
    expect(run.out).toBe('');
    expect(run.code).toBe(0);
  }, 120_000);
});
