/**
 * The packages as a user gets them: `npm pack` every workspace package named in the root package.json, install the
 * tarballs into a fresh project in a temporary folder outside the repository (third-party dependencies from the
 * registry, through npm's cache), and run there the programs in ./project: ESM on memory:// and on amqp://, CommonJS
 * through require(), and a strict TypeScript program type-checked with moduleResolution node16 and bundler.
 *
 * Nothing here resolves to the workspace: the fresh project sees only what the tarballs carry.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireBroker } from '@warren/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const AMQP_URL = process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672/';
const repo = fileURLToPath(new URL('../..', import.meta.url));
const programs = fileURLToPath(new URL('./project', import.meta.url));
const require = createRequire(import.meta.url);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; never throws for a non-zero exit (the caller asserts on it). */
function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}, timeoutMs = 60_000) {
  return new Promise<Run>((resolve) => {
    execFile(
      command,
      args,
      { cwd, env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr: error && code !== 0 && !stderr ? String(error) : stderr });
      },
    );
  });
}

/** Asserts a clean exit, showing the output when it was not. */
function expectSuccess(result: Run): void {
  expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
}

/** Lines of stderr other than Node's notice that require(esm) is experimental (Node 20.19+ may print it). */
function unexpectedStderr(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => !/ExperimentalWarning: .*require\(\)|--trace-warnings/.test(line));
}

interface Workspace {
  name: string;
  dir: string;
  /** The skeleton of a package still being written: its entry exports nothing yet. */
  placeholder: boolean;
}

async function publishedWorkspaces(): Promise<Workspace[]> {
  const root = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as { workspaces: string[] };
  const found: Workspace[] = [];
  for (const relative of root.workspaces) {
    const dir = path.join(repo, relative);
    const manifest = JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as {
      name: string;
      private?: boolean;
    };
    if (manifest.private) continue;
    const entry = await readFile(path.join(dir, 'dist', 'index.d.ts'), 'utf8');
    const placeholder = entry.replace(/\/\/#.*$/gm, '').trim() === 'export {};';
    found.push({ name: manifest.name, dir, placeholder });
  }
  return found;
}

interface Packed {
  name: string;
  filename: string;
  files: Array<{ path: string }>;
}

const timings: Record<string, number> = {};
async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    timings[label] = Math.round(performance.now() - start);
  }
}

const amqpAvailable = await requireBroker('RabbitMQ', AMQP_URL, 'the packed ESM program on amqp://');
let workspaces: Workspace[] = [];
let packed: Packed[] = [];
let scratch = '';
let project = '';

beforeAll(async () => {
  workspaces = await publishedWorkspaces();
  scratch = await mkdtemp(path.join(tmpdir(), 'warren-pack-'));
  const tarballs = path.join(scratch, 'tarballs');
  project = path.join(scratch, 'app');
  await mkdir(tarballs);
  await mkdir(project);

  const pack = await timed('pack', () =>
    run(
      npm,
      ['pack', '--json', '--pack-destination', tarballs, ...workspaces.map((w) => `--workspace=${w.name}`)],
      repo,
    ),
  );
  expectSuccess(pack);
  packed = JSON.parse(pack.stdout) as Packed[];

  // A user's project: the tarballs, plus the TypeScript and Node typings this repository builds with.
  const own = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  const manifest = {
    name: 'warren-packaging-check',
    private: true,
    type: 'module',
    dependencies: Object.fromEntries(packed.map((p) => [p.name, `file:${path.join(tarballs, p.filename)}`])),
    devDependencies: { typescript: own('typescript'), '@types/node': own('@types/node') },
  };
  await writeFile(path.join(project, 'package.json'), JSON.stringify(manifest, null, 2));
  await cp(programs, project, { recursive: true });
  const install = await timed('install', () =>
    run(
      npm,
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'],
      project,
      {},
      120_000,
    ),
  );
  expectSuccess(install);
}, 180_000);

afterAll(async () => {
  console.log(`packaging: ${JSON.stringify(timings)} ms in ${scratch}`);
  // WARREN_KEEP_PACKAGING=1 keeps the project to look into after a failure.
  if (scratch && process.env.WARREN_KEEP_PACKAGING !== '1') await rm(scratch, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('packs every package the root package.json names, outside the repository', () => {
    expect(path.relative(repo, scratch).startsWith('..')).toBe(true);
    expect(packed.map((p) => p.name).sort()).toEqual(workspaces.map((w) => w.name).sort());
    expect(workspaces.map((w) => w.name)).toContain('@warren/core');
  });

  it('tarballs carry dist/ and the README: no build info, tests or test support', () => {
    for (const tarball of packed) {
      const files = tarball.files.map((f) => f.path);
      const stray = files.filter(
        (file) =>
          !(file === 'package.json' || file === 'README.md' || file === 'LICENSE' || file.startsWith('dist/')) ||
          /\.tsbuildinfo$|\.test(-d)?\.|test-support|self-test|test-exports/.test(file),
      );
      expect({ package: tarball.name, stray }).toEqual({ package: tarball.name, stray: [] });
      expect(files, tarball.name).toContain('dist/index.js');
      expect(files, tarball.name).toContain('dist/index.d.ts');
      const placeholder = workspaces.find((w) => w.name === tarball.name)?.placeholder;
      if (!placeholder) expect(files, `${tarball.name} has no README.md`).toContain('README.md');
    }
  });

  it('backends take @warren/core as a peer with a version range; one core is installed', async () => {
    for (const workspace of workspaces) {
      if (workspace.name === '@warren/core') continue;
      const manifest = JSON.parse(await readFile(path.join(workspace.dir, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
        peerDependencies?: Record<string, string>;
      };
      const dependencies = manifest.dependencies ?? {};
      expect(dependencies['@warren/core'], `${workspace.name}: @warren/core in dependencies`).toBeUndefined();
      expect(manifest.peerDependencies?.['@warren/core'], workspace.name).toMatch(/^\^\d+\.\d+\.\d+$/);
      for (const [name, range] of Object.entries(dependencies)) {
        expect(range, `${workspace.name}: ${name} pinned or unbounded`).toMatch(/^[~^]\d/);
      }
    }
    const cores: string[] = [];
    const walk = async (dir: string): Promise<void> => {
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        if (!entry.isDirectory()) continue;
        const child = path.join(dir, entry.name);
        if (entry.name === 'core' && path.basename(dir) === '@warren') cores.push(path.relative(project, child));
        await walk(child);
      }
    };
    await walk(path.join(project, 'node_modules'));
    expect(cores).toEqual([path.join('node_modules', '@warren', 'core')]);
  });
});

/** Every file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

/** `import ... from 'x'` / `export ... from 'x'` at the start of a line, `import 'x'`, and `import('x')`. */
const IMPORT_SPECIFIERS =
  /^\s*(?:import|export)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]|^\s*import\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;

/** The package a bare import specifier names: `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

describe('installed packages', () => {
  it("code and declarations import only the package's own dependencies and peers (pnpm's strict layout works)", async () => {
    for (const tarball of packed) {
      const root = path.join(project, 'node_modules', tarball.name);
      const manifest = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
        dependencies?: Record<string, string>;
        peerDependencies?: Record<string, string>;
      };
      const allowed = new Set([
        tarball.name,
        ...Object.keys(manifest.dependencies ?? {}),
        ...Object.keys(manifest.peerDependencies ?? {}),
      ]);
      const unlisted = new Set<string>();
      for (const file of (await filesUnder(path.join(root, 'dist'))).filter((f) => /\.(js|d\.ts)$/.test(f))) {
        const text = await readFile(path.join(root, 'dist', file), 'utf8');
        // Import and export statements (tsc starts each on its own line) and dynamic imports only: error messages
        // such as "... from '/amq/queue/q'" are not imports.
        for (const match of text.matchAll(IMPORT_SPECIFIERS)) {
          const specifier = match[1] ?? match[2] ?? match[3] ?? '';
          if (specifier.startsWith('.') || specifier.startsWith('node:') || builtinModules.includes(specifier))
            continue;
          if (!allowed.has(packageOf(specifier))) unlisted.add(`${file}: ${specifier}`);
        }
      }
      expect({ package: tarball.name, unlisted: [...unlisted] }).toEqual({ package: tarball.name, unlisted: [] });
    }
  });

  it('name nothing only this repository has (compose file, scripts) in their code', async () => {
    const repoOnly = /docker\/compose\.ya?ml|scripts\/brokers\.mjs|BROKERS\.md|\.ci\/run/;
    for (const tarball of packed) {
      const dist = path.join(project, 'node_modules', tarball.name, 'dist');
      const hits: string[] = [];
      for (const file of (await filesUnder(dist)).filter((f) => f.endsWith('.js'))) {
        const text = await readFile(path.join(dist, file), 'utf8');
        const match = repoOnly.exec(text);
        if (match) hits.push(`${file}: ${match[0]}`);
      }
      expect({ package: tarball.name, hits }).toEqual({ package: tarball.name, hits: [] });
    }
  });
});

describe('in a fresh project', () => {
  it('runs an ESM program on memory:// (and connect() loads @warren/amqp by itself)', async () => {
    const result = await timed('esm-memory', () => run(process.execPath, ['esm-memory.mjs'], project));
    expectSuccess(result);
    expect(result.stdout).toContain('entries: @warren/core and @warren/core/transport');
    expect(result.stdout).toContain('memory: received {"hello":"memory"}');
    expect(result.stdout).toContain('unknown scheme: ConfigurationError');
    expect(result.stdout).toContain('amqp refused: ConnectionError from the same core');
    expect(result.stderr).toBe('');
  });

  it.skipIf(!amqpAvailable)('runs an ESM program on amqp://', async () => {
    const result = await timed('esm-amqp', () =>
      run(process.execPath, ['esm-amqp.mjs'], project, { WARREN_AMQP_URL: AMQP_URL }),
    );
    expectSuccess(result);
    expect(result.stdout).toContain('amqp: received {"hello":"amqp"} on its queue');
    expect(result.stderr).toBe('');
  });

  it('runs a CommonJS program: require() loads the ES modules (Node >= 20.19), one core for require and import', async () => {
    const result = await timed('commonjs', () => run(process.execPath, ['commonjs.cjs'], project));
    expectSuccess(result);
    expect(result.stdout).toContain('commonjs: received {"hello":"require"}');
    expect(unexpectedStderr(result.stderr)).toEqual([]);
  });

  it('type-checks a strict TypeScript program with moduleResolution node16, compiles and runs it', async () => {
    const tsc = path.join(project, 'node_modules', 'typescript', 'bin', 'tsc');
    const compile = await timed('tsc-node16', () =>
      run(process.execPath, [tsc, '-p', 'tsconfig.node16.json', '--pretty', 'false'], project),
    );
    expect(compile.stdout + compile.stderr).toBe('');
    expect(compile.code).toBe(0);
    const result = await timed('strict-run', () => run(process.execPath, ['out/reply.js'], project));
    expectSuccess(result);
    expect(result.stdout).toContain('strict: 42 for req-1');
  });

  it('type-checks the same program with moduleResolution bundler', async () => {
    const tsc = path.join(project, 'node_modules', 'typescript', 'bin', 'tsc');
    const check = await timed('tsc-bundler', () =>
      run(process.execPath, [tsc, '-p', 'tsconfig.bundler.json', '--pretty', 'false'], project),
    );
    expect(check.stdout + check.stderr).toBe('');
    expect(check.code).toBe(0);
  });
});
