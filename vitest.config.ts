import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  // Code that imports the package by name (the README's example) gets the sources under test.
  resolve: {
    alias: [
      { find: /^ringlab$/, replacement: here('./index.ts') },
      { find: /^ringlab\/conformance$/, replacement: here('./conformance.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Between tests, a turn of the event loop for vitest's own messages (see the file).
    setupFiles: ['test/setup/yield.ts'],
    // Property tests and oracle sweeps are CPU-bound; two workers match the CI machine.
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    testTimeout: 120_000,
  },
});
