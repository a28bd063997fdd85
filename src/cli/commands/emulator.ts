import { UsageError } from '../../errors/index.js';
import { parseWholeNumber } from '../context.js';
import type { CliIo } from '../io.js';
import { type GeoRange, readGeoFile } from '../../emulator/geo.js';

export interface EmulatorFlags {
  port?: string;
  host?: string;
  apiKey?: string;
  seed?: string;
  users?: string;
  events?: string;
  days?: string;
  timezone?: string;
  latency?: string;
  rateLimit?: string;
  rateLimitHeaders?: string;
  failRate?: string;
  audit?: boolean;
  live?: string;
  now?: string;
  geo?: string;
  /** Labelled attack scenarios in the history; undefined: the emulator's default (demo seed only). */
  scenarios?: boolean;
}

/** `docspace-logins emulator`: a DocSpace look-alike on a loopback port until Ctrl-C. */
export async function emulatorCommand(flags: EmulatorFlags, io: CliIo): Promise<number> {
  const { startEmulator } = await import('../../emulator/server.js');
  const failRate = flags.failRate !== undefined ? Number(flags.failRate) : undefined;
  if (failRate !== undefined && !(failRate >= 0 && failRate <= 1)) {
    throw new UsageError(`--fail-rate must be a probability from 0 to 1 (got "${flags.failRate}")`);
  }
  if (flags.timezone) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: flags.timezone });
    } catch {
      throw new UsageError(
        `--timezone "${flags.timezone}" is not an IANA time zone (e.g. Europe/Berlin, UTC)`,
      );
    }
  }
  if (flags.apiKey !== undefined && !/^sk-[0-9a-f]{64}$/.test(flags.apiKey)) {
    throw new UsageError('--api-key must look like a DocSpace key: "sk-" and 64 lowercase hex characters');
  }
  // The real server's per-minute window and concurrency limiter send only the limit headers.
  const headers = flags.rateLimitHeaders ?? 'limit';
  if (!['limit', 'retry-after', 'reset', 'both', 'none'].includes(headers)) {
    throw new UsageError('--rate-limit-headers must be one of: limit, retry-after, reset, both, none');
  }
  const perMinute = parseWholeNumber(flags.rateLimit, '--rate-limit', 1, 1_000_000);
  let now: number | undefined;
  if (flags.now) {
    now = Date.parse(flags.now);
    if (Number.isNaN(now)) throw new UsageError(`--now "${flags.now}" is not an ISO date-time`);
  }
  let geo: GeoRange[] | undefined;
  if (flags.geo) {
    try {
      geo = readGeoFile(flags.geo);
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      throw new UsageError(missing ? `--geo ${flags.geo}: no such file (a CSV of cidr,country,city lines)` : `--geo: ${(err as Error).message}`);
    }
  }
  // Listen for Ctrl-C before saying where we listen: whoever reads that line may stop us at once.
  const stopped = new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  const emu = await startEmulator({
    port: parseWholeNumber(flags.port, '--port', 0, 65535),
    host: flags.host,
    apiKey: flags.apiKey,
    seed: parseWholeNumber(flags.seed, '--seed', 0, 2 ** 31 - 1),
    users: parseWholeNumber(flags.users, '--users', 1, 100_000),
    events: parseWholeNumber(flags.events, '--events', 0, 20_000_000),
    days: parseWholeNumber(flags.days, '--days', 1, 3650),
    timezone: flags.timezone,
    latencyMs: parseWholeNumber(flags.latency, '--latency', 0, 600_000),
    rateLimit: perMinute
      ? { perMinute, headers: headers as 'limit' | 'retry-after' | 'reset' | 'both' | 'none' }
      : undefined,
    failRate,
    audit: flags.audit !== false,
    live: parseWholeNumber(flags.live, '--live', 0, 100_000),
    now,
    geo,
    scenarios: flags.scenarios,
  });
  io.stdout.write(`DocSpace emulator listening on ${emu.url}\n`);
  io.stdout.write(`API key: ${emu.apiKey}\n`);
  io.stdout.write(`Demo user: ${emu.user.email} / ${emu.user.password}\n`);
  io.stdout.write(`Try: DOCSPACE_URL=${emu.url} DOCSPACE_API_KEY=<the key above> docspace-logins users\n`);
  await stopped;
  await emu.close();
  return 0;
}
