import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

// Two projects: node for relay/client/electron-main logic and integration tests against
// a real relay; happy-dom for the Vue renderer's components and Pinia stores.
export default defineConfig({
  plugins: [vue()],
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'node',
          environment: 'node',
          include: ['tests/unit/**/*.test.ts', 'tests/integration/**/*.test.ts'],
          exclude: ['tests/unit/renderer/**'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'renderer',
          environment: 'happy-dom',
          include: ['tests/unit/renderer/**/*.test.ts'],
        },
      },
    ],
  },
});
