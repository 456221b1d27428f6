import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Cross-backend runs, interop, fault and load tests: `vitest run --root test` (the last step of `npm test`).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Broker tests share one RabbitMQ and one Redis: run files one after another.
    fileParallelism: false,
  },
});
