import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

// The chat widget: one self-contained script (no framework, Socket.IO client bundled) that any
// site embeds with one tag; built into web/widget/dist/widget.js and served by Kefu at /widget.js.
const root = fileURLToPath(new URL('.', import.meta.url));

/** Prints the gzipped size after each build: the widget is downloaded by every visitor of every site. */
function reportSize(): Plugin {
  return {
    name: 'kefu-widget-size',
    apply: 'build',
    writeBundle(options) {
      const file = `${options.dir ?? `${root}dist`}/widget.js`;
      const bytes = readFileSync(file);
      const gzipped = gzipSync(bytes, { level: 9 }).length;
      console.info(JSON.stringify({ figure: 'widget.size', bytes: bytes.length, gzipBytes: gzipped, gzipKiB: Math.round((gzipped / 1024) * 10) / 10 }));
    },
  };
}

export default defineConfig({
  root,
  plugins: [reportSize()],
  // The wire contracts shared with the server (src/contracts/chat.ts: the chat protocol).
  resolve: { alias: { '@contracts': fileURLToPath(new URL('../../src/contracts', import.meta.url)) } },
  // Nothing from the host page's build world: the widget must run on any site as it is.
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    minify: 'esbuild',
    lib: {
      entry: `${root}src/main.ts`,
      name: 'KefuChat',
      formats: ['iife'],
      fileName: () => 'widget.js',
    },
  },
});
