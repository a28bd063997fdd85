// Where the built-in rules are, in a module of its own: knowing it loads neither YAML nor the engine.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package's `rules/` folder, found by walking up from this module: it runs from `src/detect`,
 * `dist/detect` and, bundled into the CLI, from `dist/bin/chunks`.
 */
export const BUILTIN_RULES_DIR = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++) {
    const candidate = join(dir, 'rules');
    if (existsSync(join(candidate, 'DSL-001-failed-login-burst.yaml'))) return candidate;
    dir = dirname(dir);
  }
  return fileURLToPath(new URL('../../rules/', import.meta.url));
})();

