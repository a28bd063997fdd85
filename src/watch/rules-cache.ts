/**
 * The watcher's rules, parsed once per change of the rule files. Loading rules parses their YAML,
 * validates them and compiles each one, which loads the detection engine: most of what a cycle
 * with nothing new would cost. The checked specs are kept as JSON in the cache folder under a
 * key made of the package version and every rule file's path, size and modification time; a
 * start with the same files reads the JSON instead. The cache is only ever written after a full
 * load succeeded, so a broken rule file is still refused at start-up. Any problem with the cache
 * (unreadable, unwritable, another version) just means a full load.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RuleSpec } from '../detect/rule-schema.js';

interface CacheFile {
  key: string;
  specs: RuleSpec[];
}

/** What the rules in `paths` (folders or files) are, as far as a cache can tell without reading them. */
export function rulesKey(paths: readonly string[], version: string): string {
  const listing = paths.map((path) => {
    const files = statSync(path).isDirectory()
      ? readdirSync(path).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(path, f))
      : [path];
    return files.map((f) => {
      const st = statSync(f);
      return [f, st.size, st.mtimeMs];
    });
  });
  return createHash('sha256').update(JSON.stringify({ version, listing })).digest('hex');
}

/** The specs of the rules in `paths`: from the cache in `dir` when the files are unchanged, else from `load` (then cached). */
export async function cachedRuleSpecs(
  paths: readonly string[],
  opts: { dir: string | undefined; version: string; load: () => Promise<RuleSpec[]> },
): Promise<RuleSpec[]> {
  if (!opts.dir) return opts.load();
  let key: string;
  try {
    key = rulesKey(paths, opts.version);
  } catch {
    // A path that cannot be read: let the full load say what is wrong.
    return opts.load();
  }
  const file = join(opts.dir, `rules-${createHash('sha256').update(JSON.stringify(paths)).digest('hex').slice(0, 16)}.json`);
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    if (cached.key === key && Array.isArray(cached.specs)) return cached.specs;
  } catch {
    // No cache yet, or not one this version can read.
  }
  const specs = await opts.load();
  try {
    mkdirSync(opts.dir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ key, specs } satisfies CacheFile));
    renameSync(tmp, file);
  } catch {
    // A read-only home: every start loads the rules in full.
  }
  return specs;
}
