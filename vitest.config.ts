import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/real-cli/**'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
        },
      },
      {
        // The real agent CLIs against fake model APIs, in a loopback-only network namespace (root needed).
        // Alone: npm run test:real-cli
        extends: true,
        test: {
          name: 'real-cli',
          include: ['test/real-cli/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          testTimeout: 240_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
