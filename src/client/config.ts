import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../errors/index.js';

/** How the client authenticates. The secret itself is never taken from a command-line flag. */
export type Credentials =
  | { kind: 'apiKey'; apiKey: string }
  | { kind: 'password'; userName: string; password: string }
  | { kind: 'token'; token: string };

export interface ConnectionSettings {
  /** Origin of the portal, e.g. `https://acme.onlyoffice.com` (no trailing slash, no path). */
  portal: string;
  credentials: Credentials;
  /** PEM bundle for a self-hosted portal with a private CA. */
  ca?: string;
  allowInsecureHttp?: boolean;
}

export interface ConfigSources {
  portal?: string;
  apiKeyFile?: string;
  caFile?: string;
  allowInsecureHttp?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Name of an environment variable that holds the key (profiles use it). */
  apiKeyEnv?: string;
  /**
   * The profile the portal, key file or key variable came from, for messages: an error then
   * says where to fix the setting.
   */
  profile?: string;
}

/**
 * Normalise what a user typed as the portal: `acme.onlyoffice.com`, `https://acme.onlyoffice.com/`,
 * or a URL that already ends in `/api/2.0` all mean the same origin.
 */
export function normalisePortalUrl(input: string): string {
  const raw = input.trim();
  if (!raw) throw new UsageError('The portal URL is empty: pass --portal https://yourportal.onlyoffice.com');
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`"${raw}" is not a URL: pass --portal https://yourportal.onlyoffice.com`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`The portal URL must start with https:// (got ${url.protocol}//)`);
  }
  if (url.username || url.password) {
    throw new UsageError(
      'The portal URL must not contain credentials: put the key in DOCSPACE_API_KEY or --api-key-file',
    );
  }
  let path = url.pathname.replace(/\/+$/, '');
  path = path.replace(/\/api\/2\.0(\/.*)?$/i, '');
  return `${url.protocol}//${url.host}${path}`;
}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function readSecretFile(path: string, what: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(`Cannot read the ${what} file ${path} (${code ?? 'error'}): check the path`);
  }
  const value = text.trim();
  if (!value) throw new UsageError(`The ${what} file ${path} is empty`);
  return value;
}

/** True when the file's mode lets group or others read it. */
export function isReadableByOthers(path: string): boolean {
  try {
    return (statSync(path).mode & 0o044) !== 0;
  } catch {
    return false;
  }
}

/**
 * Resolve the connection from flags and the environment. Order: `--portal`, then `DOCSPACE_URL`,
 * then `DOCSPACE_API_HOST` (the name ONLYOFFICE's samples use). Key: `--api-key-file`, then the
 * profile's variable, then `DOCSPACE_API_KEY`; else `DOCSPACE_USER` + `DOCSPACE_PASSWORD`.
 */
export function resolveConnection(src: ConfigSources): ConnectionSettings {
  const env = src.env ?? process.env;
  const inProfile = src.profile !== undefined ? ` (profile "${src.profile}")` : '';
  const [portalInput, portalFrom] =
    src.portal !== undefined
      ? [src.portal, src.profile !== undefined ? `the portal of profile "${src.profile}"` : '--portal']
      : env.DOCSPACE_URL
        ? [env.DOCSPACE_URL, '$DOCSPACE_URL']
        : [env.DOCSPACE_API_HOST, '$DOCSPACE_API_HOST'];
  if (!portalInput) {
    throw new UsageError(
      'No portal configured: set DOCSPACE_URL (or pass --portal URL), or try the built-in emulator with --demo',
    );
  }
  const portal = withSource(portalFrom, () => normalisePortalUrl(portalInput));
  let credentials: Credentials | undefined;
  let keyFrom = '';
  if (src.apiKeyFile) {
    keyFrom = `the key file ${src.apiKeyFile}${inProfile}`;
    credentials = { kind: 'apiKey', apiKey: readSecretFile(src.apiKeyFile, 'API key') };
  } else if (src.apiKeyEnv && env[src.apiKeyEnv]) {
    keyFrom = `$${src.apiKeyEnv}${inProfile}`;
    credentials = { kind: 'apiKey', apiKey: env[src.apiKeyEnv]!.trim() };
  } else if (env.DOCSPACE_API_KEY?.trim()) {
    keyFrom = '$DOCSPACE_API_KEY';
    credentials = { kind: 'apiKey', apiKey: env.DOCSPACE_API_KEY.trim() };
  } else if (env.DOCSPACE_USER && env.DOCSPACE_PASSWORD) {
    credentials = { kind: 'password', userName: env.DOCSPACE_USER, password: env.DOCSPACE_PASSWORD };
  }
  if (!credentials) {
    // Half of a user name and password is a typo more often than a choice: name the missing half.
    if (env.DOCSPACE_USER || env.DOCSPACE_PASSWORD) {
      const [set, unset] = env.DOCSPACE_USER ? ['DOCSPACE_USER', 'DOCSPACE_PASSWORD'] : ['DOCSPACE_PASSWORD', 'DOCSPACE_USER'];
      throw new UsageError(
        `No credentials for ${portal}: ${set} is set but ${unset} is not: set both, or use DOCSPACE_API_KEY (or --api-key-file PATH) instead`,
      );
    }
    throw new UsageError(
      `No credentials for ${portal}: set DOCSPACE_API_KEY (or --api-key-file PATH), or DOCSPACE_USER and DOCSPACE_PASSWORD`,
    );
  }
  if (credentials.kind === 'apiKey') assertApiKeyFormat(credentials.apiKey, keyFrom);
  const ca = src.caFile ? readSecretFile(src.caFile, 'CA') : undefined;
  const settings: ConnectionSettings = { portal, credentials, ca, allowInsecureHttp: src.allowInsecureHttp };
  assertSafeTransport(settings);
  return settings;
}

/** Run `fn`; a usage error it throws is prefixed with where the value came from. */
function withSource<T>(from: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof UsageError) throw new UsageError(`${from}: ${err.message}`, err.details, { cause: err });
    throw err;
  }
}

/** Credentials over plain http are refused unless the host is loopback or the user insisted. */
export function assertSafeTransport(settings: ConnectionSettings): void {
  const url = new URL(settings.portal);
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && !settings.allowInsecureHttp) {
    throw new UsageError(
      `Refusing to send credentials over plain http to ${url.host}: use https://, or pass --allow-insecure-http if you accept the risk`,
    );
  }
}

/** DocSpace keys are `sk-` and 64 lowercase hex characters (the server creates no other form). */
const API_KEY = /^sk-[0-9a-f]{64}$/;

/**
 * Refuse anything else before it is sent: without the exact form the server hands the header to
 * its session-token handler, which answers a bare 401 that says nothing about the cause.
 * The message describes the value without repeating it.
 */
export function assertApiKeyFormat(key: string, from?: string): void {
  if (API_KEY.test(key)) return;
  let what: string;
  if (!key.startsWith('sk-')) what = 'it does not start with "sk-"';
  else if (/^sk-[0-9a-fA-F]{64}$/.test(key)) what = 'its hex digits must be lowercase';
  else what = `it has ${key.length - 3} characters after "sk-"${/[^0-9a-fA-F]/.test(key.slice(3)) ? ', not all hex digits' : ''}`;
  throw new UsageError(
    `The API key${from ? ` in ${from}` : ''} does not look like a DocSpace key ("sk-" followed by 64 lowercase hex characters): ${what}. Copy it again from DocSpace (Developer Tools → API keys)`,
  );
}
