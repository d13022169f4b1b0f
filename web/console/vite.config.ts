import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The agent console: built into web/console/dist, served by the Kefu server at /agent
// (every /agent/* path falls back to index.html; assets live under /agent/assets/*).
const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: '/agent/',
  plugins: [react()],
  // The wire contracts shared with the server: `import type { ChatMessage } from '@contracts/chat.js'`.
  resolve: { alias: { '@contracts': fileURLToPath(new URL('../../src/contracts', import.meta.url)) } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The main bundle is small and loads once per session. The largest chunk is ECharts (≈500 kB,
    // 170 kB gzipped), loaded only with the chart screens; warn only if something outgrows it.
    chunkSizeWarningLimit: 560,
  },
  server: {
    // `npx vite --config web/console/vite.config.ts` serves the console with hot reload; the API
    // calls go to a Kefu server started separately on its default port.
    proxy: {
      '/api': 'http://127.0.0.1:3000',
      // Live updates: the realtime socket (Socket.IO over websocket) lives on the same server.
      '/realtime': { target: 'ws://127.0.0.1:3000', ws: true },
    },
  },
});
