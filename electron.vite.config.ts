// One build for the desktop app (docs/architecture.md): the main process, the sandboxed
// preload and the renderer, into out/main, out/preload and out/renderer.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      // package.json "main" points at out/main/index.js (ESM, since "type": "module").
      rollupOptions: { input: { index: resolve(root, 'electron/main.ts') } },
      // Self-contained (socket.io-client included), so the packaged app ships no
      // node_modules: the relay's native and server-side dependencies stay out of it.
      externalizeDeps: false,
      sourcemap: true,
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      rollupOptions: {
        input: { index: resolve(root, 'electron/preload.ts') },
        // A sandboxed preload cannot be an ES module: one self-contained CommonJS file.
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
      externalizeDeps: false,
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    base: './',
    plugins: [vue()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      rollupOptions: { input: { index: resolve(root, 'renderer/index.html') } },
    },
  },
});
