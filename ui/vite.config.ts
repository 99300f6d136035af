import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

// The operator dashboard: `npm run build` bundles ui/ into dist/ui, which the API serves at /ui
// (src/ui/static.ts). `npm run dev:ui` serves it with reload and proxies the API to :3000.

const API_PREFIXES = ['/site', '/runbook', '/api', '/openapi.json', '/docs', '/healthz'];

/** Writes .br and .gz beside every text file over 1 KiB, so the API sends them without compressing per request. */
function precompress(outDir: () => string): Plugin {
  return {
    name: 'tikops-precompress',
    apply: 'build',
    writeBundle(_options, bundle) {
      for (const name of new Set([...Object.keys(bundle), 'index.html'])) {
        if (!/\.(js|css|html|svg|json)$/.test(name)) continue;
        const path = join(outDir(), name);
        const data = readFileSync(path);
        if (data.length < 1024) continue;
        writeFileSync(`${path}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }));
      }
    },
  };
}

export default defineConfig(({ mode }) => {
  let outDir = '';
  return {
    root: import.meta.dirname,
    base: '/ui/',
    publicDir: 'public',
    oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
    build: {
      outDir: join(import.meta.dirname, '..', 'dist', 'ui'),
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: mode === 'development',
      // Every asset ships as a file under /ui/assets (the page's CSP allows data: images only).
      assetsInlineLimit: 0,
    },
    server: { proxy: Object.fromEntries(API_PREFIXES.map((p) => [p, 'http://127.0.0.1:3000'])) },
    plugins: [
      {
        name: 'tikops-out-dir',
        configResolved(config) {
          outDir = config.build.outDir;
        },
      },
      precompress(() => outDir),
    ],
  };
});
