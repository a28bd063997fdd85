/**
 * Where the tool keeps things, per the XDG base-directory convention on Linux (and the
 * platform's usual folders elsewhere, through env-paths).
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import envPaths from 'env-paths';

const APP = 'docspace-logins';

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, APP);
  if (process.platform === 'linux') return join(env.HOME ?? homedir(), '.config', APP);
  return envPaths(APP, { suffix: '' }).config;
}

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_DATA_HOME) return join(env.XDG_DATA_HOME, APP);
  if (process.platform === 'linux') return join(env.HOME ?? homedir(), '.local', 'share', APP);
  return envPaths(APP, { suffix: '' }).data;
}

/** Caches: what can be rebuilt at any time (the watcher's parsed rules). */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.XDG_CACHE_HOME) return join(env.XDG_CACHE_HOME, APP);
  if (process.platform === 'linux') return join(env.HOME ?? homedir(), '.cache', APP);
  return envPaths(APP, { suffix: '' }).cache;
}

/** The archive: `$DOCSPACE_LOGINS_DB`, else `<data dir>/archive.sqlite`. */
export function defaultArchive(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCSPACE_LOGINS_DB || join(dataDir(env), 'archive.sqlite');
}
