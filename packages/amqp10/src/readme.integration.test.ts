/** The README's example, run as a user would (`tsx`), against RabbitMQ. */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rabbitmqAvailable } from './test-support/broker.js';

const available = await rabbitmqAvailable();
const packageDir = fileURLToPath(new URL('..', import.meta.url));
const tsxCli = createRequire(import.meta.url).resolve('tsx/cli');

describe.skipIf(!available)('README', () => {
  it('the example runs and prints what it received', () => {
    const readme = readFileSync(`${packageDir}README.md`, 'utf8');
    const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] as string);
    expect(blocks.length).toBeGreaterThan(0);
    const file = `${packageDir}readme-example.tmp.ts`;
    writeFileSync(file, blocks.join('\n'));
    try {
      // Plain output whatever the runner's terminal says (lerna --stream forces colours on children).
      const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
      delete env.FORCE_COLOR;
      const run = spawnSync(process.execPath, [tsxCli, file], {
        cwd: packageDir,
        encoding: 'utf8',
        timeout: 30_000,
        env,
      });
      expect(run.stderr).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout).toContain("received { import_feed: 'http://example.org/rss' }");
    } finally {
      rmSync(file, { force: true });
    }
  });
});
