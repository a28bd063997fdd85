// Bundle the CLI into dist/bin/ (run by `npm run build`, after tsc has written dist/).
//
// Why: a command that opens the archive loaded ~300 ES modules (commander, zod, kysely and our
// own), and Node 20 spent about 150 ms resolving and compiling them before any work began; that
// alone broke the 300 ms budget of an incremental sync with nothing new. One bundle with lazy
// chunks loads a handful of files. The library (dist/index.js and its subpaths) stays unbundled.
//
// Native or optional packages stay external: better-sqlite3 (a compiled addon) and pg (loaded
// only for postgres:// archives). Code splitting keeps every dynamic import() lazy.
import { chmodSync, readFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const outdir = new URL('../dist/bin/', import.meta.url).pathname;

// Chunk names carry content hashes: start empty so no stale chunk is left beside the new ones.
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: {
    main: new URL('../src/cli/main.ts', import.meta.url).pathname,
    'export-worker': new URL('../src/export/worker.ts', import.meta.url).pathname,
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'pg', 'pg-native', 'yazl'],
  // Bundled CommonJS packages (commander) call require(); ES modules have none of their own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // The worker's path as seen from the chunks/ folder (src/export/parallel.ts resolves it).
  define: { PACKAGE_VERSION: JSON.stringify(version), EXPORT_WORKER: JSON.stringify('../export-worker.js') },
  chunkNames: 'chunks/[name]-[hash]',
  // No source map: it would point at src/, which the package does not ship.
  logLevel: 'warning',
});
chmodSync(`${outdir}main.js`, 0o755);
