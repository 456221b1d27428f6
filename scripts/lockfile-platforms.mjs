#!/usr/bin/env node
// Adds the missing per-platform optional packages to package-lock.json.
//
// Why: the npm registry reachable here lacks some platform builds (e.g. @biomejs/cli-darwin-x64). npm install then
// leaves them out of the lock file, and `npm ci` refuses the lock ("Missing: @biomejs/cli-darwin-x64@ from lock
// file"). An entry with its os/cpu/libc lets `npm ci` skip the package on other platforms without fetching it.
//
//   node scripts/lockfile-platforms.mjs           fix package-lock.json in place (prints what it added)
//   node scripts/lockfile-platforms.mjs --check   exit 1 if an entry is missing
//
// Only optional dependencies whose name says the platform (…-<os>-<cpu>[-musl|-gnu|-msvc]) are handled.

import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const OSES = ['android', 'darwin', 'linux', 'win32', 'freebsd', 'openbsd', 'netbsd', 'sunos', 'aix', 'openharmony'];
const CPUS = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el'];
const PLATFORM = new RegExp(`-(${OSES.join('|')})-(${CPUS.join('|')})(?:-(musl|gnu|gnueabihf|msvc))?$`);

const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const packages = lock.packages ?? {};
const added = [];

for (const [location, entry] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(entry.optionalDependencies ?? {})) {
    const match = PLATFORM.exec(name);
    if (!match || !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec)) continue;
    // npm resolves from the package's own node_modules up to the root's.
    const nested = `${location ? `${location}/` : ''}node_modules/${name}`;
    const hoisted = `node_modules/${name}`;
    if (packages[nested] || packages[hoisted]) continue;
    const [, os, cpu, abi] = match;
    const libc = abi === 'musl' ? ['musl'] : os === 'linux' && abi !== 'msvc' ? ['glibc'] : undefined;
    packages[hoisted] = {
      version: spec,
      cpu: [cpu],
      ...(entry.dev ? { dev: true } : {}),
      ...(libc ? { libc } : {}),
      ...(entry.license ? { license: entry.license } : {}),
      optional: true,
      os: [os],
      ...(entry.engines ? { engines: entry.engines } : {}),
    };
    added.push(`${name}@${spec}`);
  }
}

if (process.argv.includes('--check')) {
  if (added.length) {
    console.error(`package-lock.json lacks ${added.join(', ')}: run node scripts/lockfile-platforms.mjs`);
    process.exitCode = 1;
  } else {
    console.log('package-lock.json: every platform package is listed');
  }
} else if (added.length) {
  const sorted = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b, 'en'))),
  );
  writeFileSync(LOCK, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`);
  console.log(`package-lock.json: added ${added.join(', ')}`);
} else {
  console.log('package-lock.json: nothing to add');
}
