import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 30_000,
    typecheck: { enabled: true, include: ['src/**/types.test.ts'], tsconfig: './tsconfig.test.json' },
  },
});
