import { defineConfig } from 'vitest/config';
import preact from '@preact/preset-vite';

const define = {
  __OUTAGE_RADAR_ENDPOINT__: JSON.stringify('http://127.0.0.1:8787'),
  __OUTAGE_RADAR_BROWSER__: JSON.stringify('chrome'),
};

export default defineConfig({
  define,
  test: {
    projects: [
      {
        plugins: [preact()],
        define,
        test: { name: 'unit', include: ['test/unit/**/*.test.{ts,tsx}'], environment: 'node' },
      },
      {
        define,
        test: { name: 'server', include: ['test/server/**/*.test.ts'], environment: 'node' },
      },
      {
        define,
        test: {
          name: 'storage',
          include: ['test/storage/**/*.test.ts'],
          environment: 'node',
          // Both databases share one PostgreSQL server: keep these files from racing each other.
          fileParallelism: false,
        },
      },
      {
        define,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
