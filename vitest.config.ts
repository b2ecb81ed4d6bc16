import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    // Vitest's default (one worker less than the cores) runs one file at a time on a 2-core machine, while
    // most of these files wait on processes, servers and timers: twice the cores keeps both busy.
    maxWorkers: 2 * availableParallelism(),
    projects: [
      {
        // Pure logic: no process, socket or server of its own.
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'test/real-cli/**', 'test/**/*.int.test.ts'],
          // Pure modules keep no state between files, so one module graph serves them all: a third faster.
          isolate: false,
          testTimeout: 30_000,
          hookTimeout: 30_000,
          sequence: { groupOrder: 0 },
        },
      },
      {
        // Real processes, Redis servers, sockets and terminals: mostly waiting on them, so more files run at
        // once than there are cores.
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.int.test.ts'],
          exclude: ['**/node_modules/**', 'test/real-cli/**'],
          testTimeout: 30_000,
          hookTimeout: 30_000,
          sequence: { groupOrder: 0 },
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
          // One file at a time: each starts up to eleven 400 MB CLIs, and their start-up on a shared 2-core
          // machine must not eat the short fixed stall limits the scenarios are judged by.
          fileParallelism: false,
          // After the unit project, never beside it: its load would eat the same stall limits.
          sequence: { groupOrder: 1 },
          testTimeout: 240_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
