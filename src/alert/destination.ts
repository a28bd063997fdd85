/**
 * Alert destinations written as URIs, parsed and checked before anything is sent, so a typo
 * fails at start-up with a usage error instead of at 3 a.m. with a lost alert.
 *
 *   webhook+https://siem.example/hooks/logins#secret-env=HOOK_SECRET
 *   slack+https://hooks.slack.com/services/T…/B…/…
 *   teams+https://prod-00.westeurope.logic.azure.com/workflows/…
 *   syslog+udp://logs.example:514   syslog+tcp://…   syslog+tls://logs.example:6514?format=cef
 *   smtp://user:pass@mail.example:587?to=soc@example.org&from=alerts@example.org   smtps://…
 *   file:/var/log/docspace-logins/alerts.ndjson
 *
 * HTTP destinations carry their own query strings (Slack and Teams put tokens there), so our
 * options ride in the fragment, which is never sent; the other kinds take them as query.
 */
import { createHash } from 'node:crypto';
import { isIP } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { UsageError } from '../errors/index.js';
import { DESTINATION_USAGE } from './destination-usage.js';

export { DESTINATION_USAGE };

export type DestinationKind = 'webhook' | 'slack' | 'teams' | 'syslog' | 'smtp' | 'file';

interface Common {
  /** Stable key for the outbox: kind plus a hash of the target, no secrets in it. */
  key: string;
  /** For messages and logs: the target with credentials and tokens hidden. */
  label: string;
  /** Fewest milliseconds between two sends to this destination (the rate cap). */
  minIntervalMs: number;
}

/** Where a webhook secret comes from; loaded by `secret.ts` when the sender is built. */
export type SecretSource = { env: string } | { file: string };

export interface HttpDestination extends Common {
  kind: 'webhook' | 'slack' | 'teams';
  url: string;
  /** Webhooks only. */
  secret?: SecretSource;
}

export interface SyslogDestination extends Common {
  kind: 'syslog';
  transport: 'udp' | 'tcp' | 'tls';
  host: string;
  port: number;
  format: 'rfc5424' | 'cef';
  /** RFC 5424 facility number (default 10, authpriv: these are authentication events). */
  facility: number;
  /** PEM file of the CA that signed a TLS listener's certificate (private CAs). */
  caFile?: string;
}

export interface SmtpDestination extends Common {
  kind: 'smtp';
  secure: boolean;
  host: string;
  port: number;
  user?: string;
  password?: string;
  passwordEnv?: string;
  from: string;
  to: string[];
  /** Plain SMTP must upgrade with STARTTLS unless the server is on loopback or insecure was allowed. */
  requireTls: boolean;
  caFile?: string;
}

export interface FileDestination extends Common {
  kind: 'file';
  path: string;
}

export type Destination = HttpDestination | SyslogDestination | SmtpDestination | FileDestination;

export interface ParseOptions {
  /** Allow http:// and plain SMTP to hosts other than loopback. */
  allowInsecureHttp?: boolean;
  /** Base for relative file paths (default: the working directory). */
  cwd?: string;
}

/**
 * Slack allows about one message a second per webhook; Teams Workflows throttle bursts too.
 * The others have no documented cap; a small gap keeps a flood from hammering a receiver.
 */
const DEFAULT_INTERVAL_MS: Record<DestinationKind, number> = {
  webhook: 100,
  slack: 1000,
  teams: 1000,
  syslog: 0,
  smtp: 1000,
  file: 0,
};

const FACILITIES: Record<string, number> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9,
  authpriv: 10, ftp: 11, ntp: 12, audit: 13, alert: 14, clock: 15,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};


function usage(uri: string, why: string): UsageError {
  return new UsageError(`Alert destination ${redactUri(uri)}: ${why}. ${DESTINATION_USAGE}`);
}

/** Parse and check one destination URI. */
export function parseDestination(uri: string, opts: ParseOptions = {}): Destination {
  const text = uri.trim();
  if (text.startsWith('file:')) return parseFile(text, opts);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(text, 'not a URI');
  }
  const scheme = url.protocol.slice(0, -1);
  const [kind, inner] = scheme.split('+', 2) as [string, string | undefined];
  switch (kind) {
    case 'webhook':
    case 'slack':
    case 'teams':
      return parseHttp(text, kind, inner, opts);
    case 'syslog':
      return parseSyslog(text, url, inner);
    case 'smtp':
    case 'smtps':
      if (inner !== undefined) break;
      return parseSmtp(text, url, kind === 'smtps', opts);
  }
  throw usage(text, `unknown kind "${scheme}"`);
}

function parseHttp(text: string, kind: HttpDestination['kind'], inner: string | undefined, opts: ParseOptions): HttpDestination {
  if (inner !== 'https' && inner !== 'http') throw usage(text, `write ${kind}+https://…`);
  let target: URL;
  try {
    target = new URL(text.slice(kind.length + 1));
  } catch {
    throw usage(text, 'not a URL after the kind');
  }
  const options = new URLSearchParams(target.hash.slice(1));
  target.hash = '';
  if (target.username || target.password) throw usage(text, 'credentials in the URL are not supported; use a secret');
  if (inner === 'http' && !opts.allowInsecureHttp && !isLoopback(target.hostname)) {
    throw usage(text, 'plain http is allowed only to loopback; use https (or allow insecure http explicitly)');
  }
  const known = kind === 'webhook' ? ['secret-env', 'secret-file', 'rate'] : ['rate'];
  rejectUnknown(text, options, known);
  let secret: SecretSource | undefined;
  if (kind === 'webhook') {
    const env = options.get('secret-env');
    const file = options.get('secret-file');
    if (env && file) throw usage(text, 'give secret-env or secret-file, not both');
    if (env !== null && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(env)) throw usage(text, `secret-env "${env}" is not an environment variable name`);
    secret = file ? { file: resolvePath(opts.cwd ?? process.cwd(), file) } : { env: env ?? 'DOCSPACE_LOGINS_WEBHOOK_SECRET' };
  }
  const url = target.toString();
  return {
    kind,
    url,
    secret,
    key: keyOf(kind, url),
    // Paths and queries of webhooks often hold tokens (Slack, Teams, Discord-style): never in logs.
    label: `${kind}+${target.protocol}//${target.host}/…`,
    minIntervalMs: rate(text, options, kind),
  };
}

function parseSyslog(text: string, url: URL, inner: string | undefined): SyslogDestination {
  if (inner !== 'udp' && inner !== 'tcp' && inner !== 'tls') throw usage(text, 'write syslog+udp://, syslog+tcp:// or syslog+tls://');
  if (!url.hostname) throw usage(text, 'no host');
  if (url.pathname && url.pathname !== '/') throw usage(text, 'syslog takes no path');
  const options = url.searchParams;
  rejectUnknown(text, options, ['format', 'facility', 'ca-file', 'rate']);
  const format = options.get('format') ?? 'rfc5424';
  if (format !== 'rfc5424' && format !== 'cef') throw usage(text, `format must be rfc5424 or cef, not "${format}"`);
  const facilityText = options.get('facility') ?? 'authpriv';
  const facility = /^\d+$/.test(facilityText) ? Number(facilityText) : FACILITIES[facilityText.toLowerCase()];
  if (facility === undefined || facility > 23) throw usage(text, `unknown facility "${facilityText}"`);
  const port = url.port ? Number(url.port) : inner === 'tls' ? 6514 : 514;
  const host = bareHost(url.hostname);
  const caFile = options.get('ca-file') ?? undefined;
  if (caFile && inner !== 'tls') throw usage(text, 'ca-file applies to syslog+tls only');
  return {
    kind: 'syslog',
    transport: inner,
    host,
    port,
    format,
    facility,
    caFile,
    key: keyOf('syslog', `${inner}://${url.host}`),
    label: `syslog+${inner}://${url.host}${format === 'cef' ? '?format=cef' : ''}`,
    minIntervalMs: rate(text, options, 'syslog'),
  };
}

function parseSmtp(text: string, url: URL, secure: boolean, opts: ParseOptions): SmtpDestination {
  if (!url.hostname) throw usage(text, 'no host');
  const options = url.searchParams;
  rejectUnknown(text, options, ['to', 'from', 'password-env', 'ca-file', 'rate']);
  const to = options.getAll('to').flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  if (!to.length) throw usage(text, 'say who gets the mail: ?to=soc@example.org');
  for (const address of [...to, options.get('from') ?? '']) {
    if (address && !/^[^\s@<>]+@[^\s@<>]+$/.test(address)) throw usage(text, `"${address}" is not an e-mail address`);
  }
  const host = bareHost(url.hostname);
  const user = url.username ? decodeURIComponent(url.username) : undefined;
  const from = options.get('from') ?? `docspace-logins@${isIP(host) ? 'localhost' : host}`;
  const passwordEnv = options.get('password-env') ?? undefined;
  if (passwordEnv && url.password) throw usage(text, 'give the password in the URI or in password-env, not both');
  return {
    kind: 'smtp',
    secure,
    host,
    port: url.port ? Number(url.port) : secure ? 465 : 587,
    user,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    passwordEnv,
    from,
    to,
    requireTls: !secure && !opts.allowInsecureHttp && !isLoopback(host),
    caFile: options.get('ca-file') ?? undefined,
    key: keyOf('smtp', `${secure ? 'smtps' : 'smtp'}://${url.host}?to=${to.join(',')}`),
    label: `${secure ? 'smtps' : 'smtp'}://${url.host}?to=${to.join(',')}`,
    minIntervalMs: rate(text, options, 'smtp'),
  };
}

function parseFile(text: string, opts: ParseOptions): FileDestination {
  let path = text.slice('file:'.length);
  if (path.startsWith('//')) {
    // file:///abs/path (a URL) as well as file:relative/path (a path).
    try {
      path = decodeURIComponent(new URL(text).pathname);
    } catch {
      throw usage(text, 'not a file URL');
    }
  }
  if (!path) throw usage(text, 'no path: write file:alerts.ndjson');
  const absolute = resolvePath(opts.cwd ?? process.cwd(), path);
  return { kind: 'file', path: absolute, key: keyOf('file', absolute), label: `file:${absolute}`, minIntervalMs: 0 };
}

/** `rate=1/s`, `rate=20/m`, `rate=100/h`: at most so many sends per period. */
function rate(text: string, options: URLSearchParams, kind: DestinationKind): number {
  const raw = options.get('rate');
  if (raw === null) return DEFAULT_INTERVAL_MS[kind];
  const m = /^(\d+)\/(s|m|h)$/.exec(raw);
  if (!m || Number(m[1]) === 0) throw usage(text, `rate "${raw}" is not like 1/s, 20/m or 100/h`);
  const period = { s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 's' | 'm' | 'h'];
  return Math.ceil(period / Number(m[1]));
}

function rejectUnknown(text: string, options: URLSearchParams, known: string[]): void {
  for (const name of options.keys()) {
    if (!known.includes(name)) throw usage(text, `unknown option "${name}" (known: ${known.join(', ')})`);
  }
}

function keyOf(kind: DestinationKind, target: string): string {
  return `${kind}:${createHash('sha256').update(target).digest('hex').slice(0, 16)}`;
}

function bareHost(hostname: string): string {
  return hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
}

export function isLoopback(hostname: string): boolean {
  const host = bareHost(hostname).toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** The URI with passwords, tokens and paths of chat webhooks hidden, for error messages. */
export function redactUri(uri: string): string {
  return uri
    .replace(/\/\/([^/@\s]*):[^/@\s]*@/, '//$1:***@')
    .replace(/^((?:webhook|slack|teams)\+https?:\/\/[^/?#]+)[/?#].*$/, '$1/…')
    .replace(/#.*$/, '');
}
