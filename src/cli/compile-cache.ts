/**
 * A V8 code cache for the CLI's own code, which Node 20 does not keep (Node 22's
 * `module.enableCompileCache` does the same for everything). Node compiles every script it loads
 * from source on each start; a command spends more of its time on that than on its own work (a
 * sync with nothing new: ~45 ms of ~300). The bundled CLI is CommonJS chunks for that reason
 * (scripts/bundle-cli.mjs): those are compiled here, through `vm.Script` with the code V8 made for
 * them on an earlier run, and that code is written down as the command ends.
 *
 * The cache lives in `<cache dir>/compile/<build>-<V8 version>/`, one file per chunk; a new build
 * starts a new folder and removes the older ones. V8 checks a cache against its own version, its
 * flags and the length of the source (not its content: the build id in the folder name is what
 * ties a cache to the code it was made from), and refuses one that does not match; a refused or
 * unreadable cache is compiled from source and written again. Nothing here may fail a command:
 * a cache that cannot be read or written is no cache. `DOCSPACE_LOGINS_NO_COMPILE_CACHE=1` turns
 * it off.
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { basename, dirname, join, sep } from 'node:path';
import vm from 'node:vm';

/** What Node's CommonJS loader calls to compile and run a module (not in its public types). */
interface CompilingModule {
  exports: unknown;
  _compile(content: string, filename: string): unknown;
}

/**
 * Load `entry` (a CommonJS file in `codeDir`) with every chunk of `codeDir` compiled from the
 * cache under `cacheRoot` where it has one. `build` names this build's code (a hash of it).
 */
export function requireWithCompileCache<T>(codeDir: string, entry: string, build: string, cacheRoot: string | undefined): T {
  const load = createRequire(join(codeDir, entry));
  if (cacheRoot !== undefined) cacheChunks(codeDir.endsWith(sep) ? codeDir : codeDir + sep, join(cacheRoot, 'compile'), build);
  return load(join(codeDir, entry)) as T;
}

function cacheChunks(codeDir: string, root: string, build: string): void {
  const dir = join(root, `${build}-${process.versions.v8}`);
  const made: Array<{ script: vm.Script; file: string }> = [];
  const proto = (Module as unknown as { prototype: CompilingModule }).prototype;
  const compile = proto._compile;
  proto._compile = function (this: CompilingModule, content: string, filename: string) {
    if (!filename.startsWith(codeDir)) return compile.call(this, content, filename);
    const file = join(dir, `${basename(filename)}.${content.length}.v8`);
    let cachedData: Buffer | undefined;
    try {
      cachedData = readFileSync(file);
    } catch {
      // No cache yet (or none readable): compiled from source below.
    }
    const script = new vm.Script(Module.wrap(content), {
      filename,
      cachedData,
      importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
    });
    if (!cachedData || script.cachedDataRejected) made.push({ script, file });
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    return wrapper.call(this.exports, this.exports, createRequire(filename), this, filename, dirname(filename));
  };
  // Made at the end, the cache holds every function the command compiled, not just the top level.
  process.once('exit', () => {
    if (made.length) write(root, dir, made);
  });
}

function write(root: string, dir: string, made: ReadonlyArray<{ script: vm.Script; file: string }>): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // The folders of other builds (or V8 versions) are no use to this one.
    for (const other of readdirSync(root)) if (join(root, other) !== dir) rmSync(join(root, other), { recursive: true, force: true });
    for (const { script, file } of made) {
      // Written aside, then renamed: a command running meanwhile reads a whole file or none.
      const partial = `${file}.${process.pid}.partial`;
      writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
      renameSync(partial, file);
    }
  } catch {
    // A cache that cannot be written is no cache: the command's own outcome stands.
  }
}
