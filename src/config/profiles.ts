/**
 * Named profiles: several portals in one config file. A profile says where a portal is and where
 * its key comes from (an environment variable name or a key file), never the key itself.
 */
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as z from '../client/zod.js';
import { normalisePortalUrl } from '../client/config.js';
import { UsageError } from '../errors/index.js';
import { configDir } from './paths.js';

export const profileSchema = z.object({
  portal: z.string(),
  apiKeyEnv: z.optional(z.string()),
  apiKeyFile: z.optional(z.string()),
  caFile: z.optional(z.string()),
  allowInsecureHttp: z.optional(z.boolean()),
  /**
   * Alert destinations (URIs, see src/alert/destination.ts) for this portal's findings. A
   * webhook's secret is never here: it names an env variable or a file (`#secret-env=…`).
   */
  alerts: z.optional(z.array(z.string())),
});
export type Profile = z.infer<typeof profileSchema>;

const fileSchema = z.looseObject({
  profiles: z._default(z.record(z.string(), profileSchema), {}),
  defaultProfile: z.optional(z.string()),
});
export type ConfigFile = z.infer<typeof fileSchema>;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.DOCSPACE_LOGINS_CONFIG || join(configDir(env), 'config.json');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ConfigFile {
  const path = configPath(env);
  if (!existsSync(path)) return { profiles: {} };
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new UsageError(
      `The config file ${path} is not valid JSON (${(err as Error).message}): fix or remove it`,
    );
  }
  const parsed = fileSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`The config file ${path} is invalid at "${issue.path.join('.')}": ${issue.message}`);
  }
  return parsed.data;
}

export function saveConfig(config: ConfigFile, env: NodeJS.ProcessEnv = process.env): string {
  const path = configPath(env);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  // No secret lives in this file, but keep it private anyway: it names where the secrets are.
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
  return path;
}

export function validateProfileName(name: string): void {
  if (!NAME.test(name)) {
    throw new UsageError(
      `Profile name "${name}" is invalid: use letters, digits, ".", "_" or "-" (up to 64)`,
    );
  }
}

export function addProfile(name: string, profile: Profile, env: NodeJS.ProcessEnv = process.env) {
  validateProfileName(name);
  if (!profile.apiKeyEnv && !profile.apiKeyFile) {
    throw new UsageError(
      'A profile needs --key-env NAME (an environment variable) or --key-file PATH for its key',
    );
  }
  if (profile.apiKeyEnv && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(profile.apiKeyEnv)) {
    throw new UsageError(`--key-env "${profile.apiKeyEnv}" is not an environment variable name`);
  }
  if (profile.apiKeyEnv?.startsWith('sk-')) {
    throw new UsageError('--key-env takes the NAME of a variable holding the key, not the key itself');
  }
  // A typo in a path is found now, not at the first sync that needs the file.
  if (profile.apiKeyFile) assertReadable(profile.apiKeyFile, '--key-file', 'key');
  if (profile.caFile) assertReadable(profile.caFile, '--ca-file', 'CA bundle');
  const config = loadConfig(env);
  const stored: Profile = {
    ...profile,
    portal: normalisePortalUrl(profile.portal),
    apiKeyFile: profile.apiKeyFile ? resolve(profile.apiKeyFile) : undefined,
    caFile: profile.caFile ? resolve(profile.caFile) : undefined,
  };
  config.profiles[name] = JSON.parse(JSON.stringify(stored));
  config.defaultProfile ??= name;
  return saveConfig(config, env);
}

function assertReadable(path: string, flag: string, what: string): void {
  try {
    accessSync(path, constants.R_OK);
    if (!statSync(path).isFile()) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EISDIR' ? 'is not a file' : `cannot be read (${code})`;
    throw new UsageError(`${flag} ${path}: the ${what} file ${why}`, { path });
  }
}

export function removeProfile(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const config = loadConfig(env);
  if (!Object.hasOwn(config.profiles, name))
    throw new UsageError(`No profile named "${name}" (see: docspace-logins profiles list)`);
  delete config.profiles[name];
  if (config.defaultProfile === name) config.defaultProfile = Object.keys(config.profiles)[0];
  return saveConfig(config, env);
}

export function getProfile(name: string, env: NodeJS.ProcessEnv = process.env): Profile {
  const config = loadConfig(env);
  // Own keys only: "__proto__" or "toString" must not find what every object inherits.
  const p = Object.hasOwn(config.profiles, name) ? config.profiles[name] : undefined;
  if (!p) {
    const known = Object.keys(config.profiles);
    throw new UsageError(
      `No profile named "${name}"${known.length ? ` (known: ${known.join(', ')})` : ''}: add one with docspace-logins profiles add`,
    );
  }
  return p;
}
