// Bundle the CLI into dist/bin/ (run by `npm run build`, after tsc has written dist/).
//
// Why: a command that opens the archive loaded ~300 ES modules (commander, zod, kysely and our
// own), and Node 20 spent about 150 ms resolving and compiling them before any work began; that
// alone broke the 300 ms budget of an incremental sync with nothing new. One bundle with lazy
// chunks loads a handful of files. The library (dist/index.js and its subpaths) stays unbundled.
//
// Native or optional packages stay external: better-sqlite3 (a compiled addon) and pg-native.
// pg itself is bundled into the lazy chunk only postgres:// archives load: required from
// node_modules it resolved and compiled ~30 CommonJS files on every PostgreSQL command (a sync with
// nothing new: 0.30-0.31 s -> 0.28-0.30 s wall, 0.30 -> 0.29 s CPU, 10 interleaved runs each).
// Code splitting keeps every dynamic import() lazy.
//
// Three steps: esbuild bundles the command tree and the two worker threads into ES module chunks
// (in a scratch folder), rolldown turns those into CommonJS chunks in dist/bin/chunks/ (so that
// src/cli/compile-cache.ts can compile them from a V8 code cache), and esbuild bundles the entry
// point, dist/bin/main.js, which answers --version by itself and loads chunks/run.cjs otherwise.
import { createHash } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { build } from 'esbuild';
import { rolldown } from 'rolldown';

// The edge schemas (src/client/zod.ts: responses, the config file) use zod's mini API; the
// detection rules use classic zod. esbuild splits code by file, so with one copy of zod's files
// the part both reach (its core, and every locale with it) becomes one 665 KB chunk that every
// command compiles at start-up, although the schemas need 40 KB of it. The mini graph is loaded
// again under a namespace of its own: a second copy, tree-shaken down to what the schemas use.
// (Both copies share zod's configuration and registry through globalThis, as zod intends.)
const zodMiniCopy = {
  name: 'zod-mini-copy',
  setup(b) {
    b.onResolve({ filter: /^zod\/(mini|v4\/locales\/en\.js)$/ }, async (args) => {
      if (!args.importer.endsWith('/src/client/zod.ts')) return undefined;
      const found = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir });
      return found.errors.length ? { errors: found.errors } : { path: found.path, namespace: 'zod-mini' };
    });
    // Inside zod every import is relative.
    b.onResolve({ filter: /.*/, namespace: 'zod-mini' }, (args) => ({
      path: resolve(dirname(args.importer), args.path),
      namespace: 'zod-mini',
    }));
    b.onLoad({ filter: /.*/, namespace: 'zod-mini' }, async (args) => ({
      contents: await readFile(args.path, 'utf8'),
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

// pg asks on loading whether it runs in a Cloudflare Worker, and on Node 20 (no `navigator`) it
// answers by making a web `Response`, which loads Node's whole fetch implementation (undici):
// ~45 ms of a PostgreSQL command's start-up, for a question whose answer here is always no.
// The CLI runs on Node only, so its copy of pg asks nothing (the library's users load pg as is).
const pgOnNode = {
  name: 'pg-on-node',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const asked = 'if (isCloudflareRuntime()) {';
      if (!text.includes(asked)) throw new Error(`pg-on-node: ${args.path} no longer holds "${asked}": look again at pg's runtime check`);
      return { contents: text.replace(asked, 'if (false) {'), loader: 'js' };
    });
  },
};

// pg's password hashing (lib/crypto/utils.js) loads node:crypto and its WebCrypto as pg loads:
// ~4 ms of every PostgreSQL command's start-up, although a server that trusts the connection, or
// a command that never connects, hashes nothing. The CLI's copy loads that module at its first
// use instead: its exports become functions that load it, then call it. The exports are checked
// against the list below, so a pg that adds one fails the build instead of losing it.
const PG_CRYPTO_EXPORTS = ['postgresMd5PasswordHash', 'randomBytes', 'deriveKey', 'sha256', 'hashByName', 'hmacSha256', 'md5'];
const pgCryptoOnUse = {
  name: 'pg-crypto-on-use',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]pg[\\/]lib[\\/]crypto[\\/]utils\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      const exported = /module\.exports = \{([^}]*)\}/.exec(text)?.[1].split(',').map((s) => s.trim()).filter(Boolean);
      if (exported?.join() !== PG_CRYPTO_EXPORTS.join()) {
        throw new Error(`pg-crypto-on-use: ${args.path} exports ${exported?.join(', ') ?? 'nothing we can read'}: look again at pg's crypto module`);
      }
      const calls = PG_CRYPTO_EXPORTS.map((name) => `${name}: (...a) => load().${name}(...a)`).join(',\n  ');
      const body = `let loaded;\nfunction load() {\n  if (loaded) return loaded;\n  const module = { exports: {} };\n  (function (module) {\n${text}\n  })(module);\n  return (loaded = module.exports);\n}\nmodule.exports = {\n  ${calls},\n};\n`;
      return { contents: body, loader: 'js' };
    });
  },
};

// yazl (the XLSX writer's zip) sums every byte of a worksheet with buffer-crc32, a loop in
// JavaScript on the main thread: 1.4 s of a 1M-event XLSX export (823 MB of XML), where Node's own
// zlib.crc32 (Node >= 20.15; package.json asks for 20.19) takes 0.14 s. The CLI's copy of yazl gets
// that instead; yazl calls nothing but `unsigned(buffer, previous)`.
const nativeCrc32 = {
  name: 'native-crc32',
  setup(b) {
    b.onResolve({ filter: /^buffer-crc32$/ }, (args) =>
      /[\\/]node_modules[\\/]yazl[\\/]/.test(args.importer) ? { path: 'buffer-crc32', namespace: 'native-crc32' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'native-crc32' }, () => ({
      contents: "const { crc32 } = require('node:zlib'); module.exports = { unsigned: (buf, previous) => crc32(buf, previous || 0) };",
      loader: 'js',
    }));
  },
};

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const outdir = new URL('../dist/bin/', import.meta.url).pathname;
const esmdir = `${outdir}.esm/`;
const chunkdir = `${outdir}chunks/`;
const src = (path) => new URL(`../src/${path}`, import.meta.url).pathname;

// Chunk names carry content hashes: start empty so no stale chunk is left beside the new ones.
rmSync(outdir, { recursive: true, force: true });

// 1. The command tree and the two worker threads' code, bundled with lazy chunks (ES modules).
await build({
  entryPoints: { run: src('cli/run.ts'), 'export-worker': src('export/worker.ts'), 'read-worker': src('sync/read-worker.ts') },
  outdir: esmdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', 'pg-native'],
  // Bundled CommonJS packages (commander) call require(); ES modules have none of their own.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // The workers' files as seen from the chunks (src/export/parallel.ts and src/sync/read-thread.ts
  // resolve them): step 2 writes every file into one folder.
  define: {
    PACKAGE_VERSION: JSON.stringify(version),
    EXPORT_WORKER: JSON.stringify('./export-worker.cjs'),
    READ_WORKER: JSON.stringify('./read-worker.cjs'),
  },
  chunkNames: '[name]-[hash]',
  plugins: [zodMiniCopy, pgOnNode, pgCryptoOnUse, nativeCrc32],
  // Every command parses all the code it loads before running: without comments and spare
  // whitespace the chunks a sync loads are about half the size (kysely keeps its JSDoc). Names
  // are kept: errors and classes are still called what the sources call them.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  // No source map: it would point at src/, which the package does not ship.
  logLevel: 'warning',
});

// 2. The same chunks as CommonJS, which Node 20 can compile from a V8 code cache
// (src/cli/compile-cache.ts: ~45 ms of a sync with nothing new) and ES modules it cannot. esbuild
// splits ES modules only; rolldown turns each chunk into one CommonJS file, keeping the lazy ones
// lazy (an import() becomes a require() when it runs) and exports live (read through the module
// object at each use).
const esm = await rolldown({
  input: { run: `${esmdir}run.js`, 'export-worker': `${esmdir}export-worker.js`, 'read-worker': `${esmdir}read-worker.js` },
  external: [/^node:/, 'better-sqlite3', 'pg-native'],
  platform: 'node',
  logLevel: 'warn',
});
await esm.write({
  dir: chunkdir,
  format: 'cjs',
  entryFileNames: '[name].cjs',
  chunkFileNames: '[name]-[hash].cjs',
  dynamicImportInCjs: false,
  minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
});
await esm.close();
rmSync(esmdir, { recursive: true, force: true });

// A name for this build's code: the code cache of one build is never used for another's.
const hash = createHash('sha256');
for (const name of readdirSync(chunkdir).sort()) hash.update(name).update(readFileSync(chunkdir + name));
const buildId = hash.digest('hex').slice(0, 16);

// 3. The entry point: `--version` at once, anything else through the code cache. A CommonJS
// script (dist/bin/package.json says so to Node): an ES module entry makes Node set up its ES
// module loader before the first line runs, ~10 ms of every command (an empty .mjs against an
// empty .cjs, 10 runs each, 3 rounds: 131-138 ms against 121-123 ms).
writeFileSync(`${outdir}package.json`, `${JSON.stringify({ type: 'commonjs' })}\n`);
// What `import.meta.url` says in the ES module source, said in CommonJS.
const entryUrl = `${outdir}.entry-url.mjs`;
writeFileSync(entryUrl, "export const __entryUrl = require('node:url').pathToFileURL(__filename).href;\n");
await build({
  entryPoints: { main: src('cli/main.ts') },
  outdir,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  inject: [entryUrl],
  define: {
    PACKAGE_VERSION: JSON.stringify(version),
    CLI_CHUNKS: JSON.stringify('./chunks/'),
    CLI_BUILD: JSON.stringify(buildId),
    'import.meta.url': '__entryUrl',
  },
  // The ES module import of the command tree is for tsc's output only; here it is dead code.
  external: ['./run.js'],
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
});
rmSync(entryUrl);
if (readFileSync(`${outdir}main.js`, 'utf8').includes('run.js')) throw new Error('dist/bin/main.js still imports run.js: CLI_CHUNKS no longer removes that branch');
chmodSync(`${outdir}main.js`, 0o755);
