// Internal entry points that tests need and the public index does not export.
export * from './index.js';
export { loadTransportPackage as loadTransportPackageForTest } from './registry.js';
export * from './transport-toolkit.js';
