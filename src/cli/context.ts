/**
 * Turning global flags into a connected client: the configured portal, or with `--demo` the
 * built-in emulator started in-process on a loopback port with a fixed seed and key.
 */
import { DocSpaceClient, describeWait } from '../client/client.js';
import { type ConnectionSettings, isReadableByOthers, resolveConnection } from '../client/config.js';
import { UsageError } from '../errors/index.js';
import { getProfile, loadConfig } from '../config/profiles.js';
import type { Reporter } from './io.js';

export interface ConnectionFlags {
  portal?: string;
  profile?: string;
  apiKeyFile?: string;
  caFile?: string;
  allowInsecureHttp?: boolean;
  demo?: boolean;
  concurrency?: string;
  timeout?: string;
  retries?: string;
}

/**
 * Which portal and how to talk to it, parsed once from a command's flags (`parseConnectionFlags`)
 * before any work is done; `connect` reads this, never the flags.
 */
export interface ConnectionOptions {
  portal?: string;
  profile?: string;
  apiKeyFile?: string;
  caFile?: string;
  allowInsecureHttp?: boolean;
  /** `--demo`: the built-in emulator instead of a configured portal. */
  demo: boolean;
  concurrency?: number;
  timeoutMs?: number;
  /** Retries after the first attempt. */
  retries?: number;
}

/** The connection the flags ask for; a bad number fails here, before anything is opened. */
export function parseConnectionFlags(flags: ConnectionFlags): ConnectionOptions {
  const timeoutSec = parseWholeNumber(flags.timeout, '--timeout', 1, 3600);
  return {
    portal: flags.portal,
    profile: flags.profile,
    apiKeyFile: flags.apiKeyFile,
    caFile: flags.caFile,
    allowInsecureHttp: flags.allowInsecureHttp,
    demo: Boolean(flags.demo),
    concurrency: parseWholeNumber(flags.concurrency, '--concurrency', 1, 40),
    timeoutMs: timeoutSec !== undefined ? timeoutSec * 1000 : undefined,
    retries: parseWholeNumber(flags.retries, '--retries', 0, 10),
  };
}

export interface Connected {
  client: DocSpaceClient;
  /** Where the data came from, for messages. */
  label: string;
  close(): Promise<void>;
}

/** The demo portal: fixed seed so every run shows the same people and events. */
export const DEMO_SEED = 20251;

export function parseWholeNumber(value: string | undefined, flag: string, min: number, max: number) {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${flag} must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return n;
}

/**
 * Which portal: `--profile NAME`, else `--portal`/`DOCSPACE_URL`/`DOCSPACE_API_HOST`, else the
 * config file's default profile.
 */
export function resolveSettings(
  flags: Pick<ConnectionOptions, 'portal' | 'profile' | 'apiKeyFile' | 'caFile' | 'allowInsecureHttp'>,
  reporter: Reporter,
  env: NodeJS.ProcessEnv,
): ConnectionSettings {
  let profileName = flags.profile;
  if (!profileName && !flags.portal && !env.DOCSPACE_URL && !env.DOCSPACE_API_HOST) {
    profileName = loadConfig(env).defaultProfile;
  }
  if (!profileName) {
    return resolveConnection({
      portal: flags.portal,
      apiKeyFile: flags.apiKeyFile,
      caFile: flags.caFile,
      allowInsecureHttp: flags.allowInsecureHttp,
      env,
    });
  }
  const p = getProfile(profileName, env);
  const keyFile = flags.apiKeyFile ?? p.apiKeyFile;
  if (keyFile && isReadableByOthers(keyFile)) {
    reporter.warn(`the key file ${keyFile} can be read by other users: chmod 600 ${keyFile}`);
  }
  if (p.apiKeyEnv && !keyFile && !env[p.apiKeyEnv]) {
    throw new UsageError(
      `Profile "${profileName}" takes its key from $${p.apiKeyEnv}, which is not set: export it, or change the profile with docspace-logins profiles add ${profileName}`,
    );
  }
  return resolveConnection({
    portal: p.portal,
    apiKeyFile: keyFile,
    apiKeyEnv: p.apiKeyEnv,
    caFile: flags.caFile ?? p.caFile,
    allowInsecureHttp: flags.allowInsecureHttp ?? p.allowInsecureHttp,
    // The profile's own variable is read first, and it is checked above to be set, so
    // DOCSPACE_API_KEY (meant for another portal) can never stand in for it; and a profile may
    // name DOCSPACE_API_KEY itself.
    env,
    profile: profileName,
  });
}

/** The shortest wait announced when stderr is not a terminal. */
const ANNOUNCED_WAIT_MS = 5_000;

export async function connect(
  opts: ConnectionOptions,
  reporter: Reporter,
  env: NodeJS.ProcessEnv,
): Promise<Connected> {
  const { concurrency, retries } = opts;
  let settings: ConnectionSettings;
  let stopDemo: (() => Promise<void>) | undefined;
  let label: string;
  if (opts.demo) {
    const { startEmulator } = await import('../emulator/server.js');
    const emu = await startEmulator({ seed: DEMO_SEED });
    stopDemo = () => emu.close();
    settings = { portal: emu.url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } };
    label = `the built-in demo portal (${emu.url})`;
    reporter.note(`Using the built-in DocSpace emulator at ${emu.url} (demo data, seed ${DEMO_SEED}).`);
  } else {
    settings = resolveSettings(opts, reporter, env);
    label = opts.profile ? `${opts.profile} (${settings.portal})` : settings.portal;
  }
  const client = new DocSpaceClient({
    ...settings,
    concurrency,
    timeoutMs: opts.timeoutMs,
    retry: retries !== undefined ? { attempts: retries + 1 } : undefined,
    onDebug: reporter.debugEnabled ? (line) => reporter.debug(line) : undefined,
    // A silence needs a reason: "rate-limited by the portal: waiting 8 s", "portal asks to wait
    // 60 s". On a terminal every wait; in a pipe or a log only the long ones, where a short
    // back-off would be noise but a minute of nothing looks like a hang.
    onWait: reporter.quiet
      ? undefined
      : (w) => {
          if (reporter.interactive || w.ms >= ANNOUNCED_WAIT_MS) reporter.note(describeWait(w));
        },
  });
  reporter.redact = (s) => client.redact(s);
  return {
    client,
    label,
    async close() {
      // A session this run opened with DOCSPACE_USER/DOCSPACE_PASSWORD is ended, not left for the
      // portal to expire: the server ends only the session its asc_auth_key cookie names.
      if (settings.credentials.kind === 'password') await client.logout().catch(() => {});
      await client.close();
      await stopDemo?.();
    },
  };
}
