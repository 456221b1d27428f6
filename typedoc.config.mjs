// API reference of every package: `npm run docs` writes it to docs/api/; `npm run lint` runs the same with
// `--emit none`, so an exported member without TSDoc fails the build (validation.notDocumented +
// treatWarningsAsErrors). Entry points come from each workspace package's `exports` map, so a new package or subpath
// is documented (and checked) without editing this file.
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = import.meta.dirname;
const readJson = (file) => JSON.parse(readFileSync(path.join(root, file), 'utf8'));

/** `./dist/x.d.ts` -> `packages/<p>/src/x.ts` */
const sourceOf = (dir, types) => path.join(dir, types.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts'));

/**
 * Packages whose authors are still writing their TSDoc: their entry points are documented but an undocumented
 * member does not fail the check yet. Take your package off this list as soon as `npm run docs` passes with it off.
 */
const DOCUMENTATION_PENDING = new Set([]);

const entryPoints = [];
const packages = [];
const paths = {};
for (const dir of readJson('package.json').workspaces) {
  const manifest = readJson(path.join(dir, 'package.json'));
  if (manifest.private) continue;
  if (!DOCUMENTATION_PENDING.has(manifest.name)) packages.push(manifest.name);
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    const types = typeof target === 'object' ? target.types : undefined;
    if (!types) continue;
    const source = sourceOf(dir, types);
    // A skeleton package whose entry exports nothing yet has nothing to document.
    if (/^\s*export \{\};?\s*$/.test(readFileSync(path.join(root, source), 'utf8'))) continue;
    entryPoints.push(source);
    paths[path.posix.join(manifest.name, subpath)] = [`./${source}`];
  }
}

/** @type {Partial<import('typedoc').TypeDocOptions>} */
export default {
  name: 'warren',
  entryPoints,
  entryPointStrategy: 'resolve',
  tsconfig: 'tsconfig.docs.json',
  // Cross-package imports resolve to the sources, so a type has one declaration and one page.
  compilerOptions: { paths },
  out: 'docs/api',
  // The root README links into the repository (examples/, docker/); the API pages stand on their own.
  readme: 'none',
  excludePrivate: true,
  excludeInternal: true,
  excludeExternals: true,
  // notDocumented applies to symbols declared in these packages (TypeDoc's default is the root package only).
  packagesRequiringDocumentation: packages,
  validation: { notExported: true, invalidLink: true, notDocumented: true },
  treatWarningsAsErrors: true,
  disableSources: true,
};
