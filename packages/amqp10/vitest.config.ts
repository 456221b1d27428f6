import { defineConfig } from 'vitest/config';

// Integration files share one RabbitMQ; they use unique names, but running them one file at a time keeps the
// 2-core box from timing out heartbeats and confirms under load.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    fileParallelism: false,
    passWithNoTests: true,
  },
});
