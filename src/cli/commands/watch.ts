/**
 * `docspace-logins watch`: sync, detect, alert, deliver, every interval (or `--once` for cron).
 * SIGINT/SIGTERM let the cycle under way finish, then exit 0: stopping is how a service ends.
 */
import { Dispatcher } from '../../alert/dispatch.js';
import { UsageError } from '../../errors/index.js';
import { cacheDir } from '../../config/paths.js';
import { getProfile, loadConfig } from '../../config/profiles.js';
import { BUILTIN_RULES_DIR } from '../../detect/rules-dir.js';
import { parseDuration } from '../../model/time.js';
import type { DetectNew } from '../../watch/contract.js';
import { gatedDetectNew } from '../../watch/gate.js';
import { cachedRuleSpecs } from '../../watch/rules-cache.js';
import {
  cycleLine,
  type Health,
  healthFile,
  healthServer,
  type LogFormat,
  watchDestinations,
  type WatchedPortal,
  watchLoop,
} from '../../watch/index.js';
import { DEMO_PORTAL_KEY, openArchive } from '../archive.js';
import { type ConnectionFlags, type Connected, connect, parseConnectionFlags, parseWholeNumber } from '../context.js';
import { EXIT, exitCodeFor } from '../exit.js';
import type { CliIo, Reporter } from '../io.js';
import { packageVersion } from '../version.js';

export type WatchFlags = Omit<ConnectionFlags, 'profile'> & {
  db?: string;
  profile?: string[];
  all?: boolean;
  every?: string;
  alert?: string[];
  rules?: string;
  once?: boolean;
  logFormat?: LogFormat;
  healthFile?: string;
  healthPort?: string;
  overlap?: string;
  autoRespond?: boolean;
  allowAdmin?: boolean;
  maxResponses?: string;
};

const MIN_EVERY_MS = 5_000;

/** The detection the watcher runs: the archive's incremental one, loaded once a cycle has something new. */
async function loadDetectNew(): Promise<DetectNew> {
  return (await import('../../detect/run.js')).detectNew;
}

export async function watchCommand(flags: WatchFlags, io: CliIo, reporter: Reporter): Promise<number> {
  const everyMs = parseDuration(flags.every ?? '1m');
  if (everyMs === undefined || everyMs < MIN_EVERY_MS) {
    throw new UsageError(`--every "${flags.every}" must be a duration of at least 5s (e.g. 30s, 1m, 5m)`);
  }
  const overlapMs = flags.overlap !== undefined ? parseDuration(flags.overlap) : undefined;
  if (flags.overlap !== undefined && overlapMs === undefined) throw new UsageError(`--overlap "${flags.overlap}" is not a duration (e.g. 15m)`);
  const healthPort = parseWholeNumber(flags.healthPort, '--health-port', 0, 65535);
  const maxPerHour = parseWholeNumber(flags.maxResponses, '--max-responses', 1, 1000);
  if ((flags.allowAdmin || maxPerHour !== undefined) && !flags.autoRespond) {
    throw new UsageError('--allow-admin and --max-responses go with --auto-respond');
  }
  if (flags.all && (flags.profile?.length || flags.portal || flags.demo)) {
    throw new UsageError('watch --all follows every profile: leave out --profile, --portal and --demo');
  }
  // --profile is repeatable here: each watched profile is connected to in turn.
  const connection = parseConnectionFlags({ ...flags, profile: undefined });
  const profiles = watchedProfiles(flags, io.env);
  const { senders, keys } = watchDestinations(
    flags.alert ?? [],
    profiles.map((name) => (name ? (getProfile(name, io.env).alerts ?? []) : [])),
    { allowInsecureHttp: flags.allowInsecureHttp },
    { env: io.env, version: packageVersion() },
  );
  const rules = await loadRuleSpecs(flags.rules, io.env);
  const detectNew = gatedDetectNew(loadDetectNew);

  const connections: Connected[] = [];
  let store: Awaited<ReturnType<typeof openArchive>> | undefined;
  let health: Health | undefined;
  const stop = new AbortController();
  const onSignal = () => {
    if (!stop.signal.aborted) reporter.note('Stopping: finishing the current cycle...');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let dispatcher: Dispatcher | undefined;
  try {
    const portals: WatchedPortal[] = [];
    for (const [i, profile] of profiles.entries()) {
      const conn = await connect({ ...connection, profile }, reporter, io.env);
      connections.push(conn);
      portals.push({ name: profile ?? conn.client.portal, client: conn.client, portalKey: flags.demo ? DEMO_PORTAL_KEY : undefined, destinations: keys[i] });
    }
    store = await openArchive({ db: flags.db, demo: flags.demo }, io.env, { syncDemo: false, reporter });
    const staleAfterMs = 2 * everyMs + 60_000;
    if (flags.healthFile) health = healthFile(flags.healthFile, Date.now, staleAfterMs);
    else if (healthPort !== undefined) {
      health = await healthServer(healthPort, Date.now, staleAfterMs);
      reporter.note(`Health: http://127.0.0.1:${health.port}/`);
    }
    if (!senders.length) reporter.warn('no alert destination (--alert or a profile\'s alerts): findings are recorded, nothing is sent');
    reporter.note(
      `Watching ${portals.map((p) => p.name).join(', ')} ${flags.once ? 'once' : `every ${flags.every ?? '1m'}`}` +
        `${senders.length ? `; alerts to ${senders.map((s) => s.label).join(', ')}` : ''}`,
    );
    const archive = store;
    const delivering = (dispatcher = new Dispatcher(archive.outbox(), senders, {
      now: Date.now,
      onOutcome: (o) => {
        if (o.kind === 'failed' || o.kind === 'gone') reporter.warn(`alert ${o.claim.alertId} to ${o.label}: ${o.error}`);
      },
    }));
    let worst: number = EXIT.ok;
    await watchLoop(
      {
        store: archive,
        portals,
        rules,
        detectNew,
        dispatcher: delivering,
        now: Date.now,
        // Half the interval (2 s to 1 min) for delivery: the next sync starts on time.
        deliverBudgetMs: Math.min(60_000, Math.max(2_000, everyMs / 2)),
        overlapMs,
        onWarning: (m) => reporter.warn(m),
        autoRespond: flags.autoRespond ? { enabled: true, allowAdmin: flags.allowAdmin, maxPerHour } : undefined,
      },
      {
        everyMs,
        once: flags.once,
        signal: stop.signal,
        onCycle: (report) => {
          io.stdout.write(`${cycleLine(report, flags.logFormat ?? 'text')}\n`);
          health?.record(report, Date.now());
          worst = Math.max(EXIT.ok, ...report.portals.map((p) => (p.failure ? exitCodeFor(p.failure) : EXIT.ok)));
        },
      },
    );
    // A cron run says whether it worked; a stopped service ends cleanly.
    return flags.once ? worst : EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Senders hold sockets (syslog, SMTP) even before the first delivery.
    await (dispatcher?.close() ?? Promise.all(senders.map((s) => s.close())));
    await health?.close();
    await Promise.all(connections.map((c) => c.close()));
    await store?.close();
  }
}

/** Which profiles: `--all`, the `--profile` list, or one portal configured the usual way (undefined). */
function watchedProfiles(flags: WatchFlags, env: NodeJS.ProcessEnv): Array<string | undefined> {
  if (flags.all) {
    const names = Object.keys(loadConfig(env).profiles);
    if (!names.length) throw new UsageError('watch --all needs profiles: add one with docspace-logins profiles add');
    return names;
  }
  if (flags.profile?.length) return [...new Set(flags.profile)];
  // No profile named: the default profile, when nothing else says which portal (its alerts too).
  const configured = flags.demo || flags.portal || env.DOCSPACE_URL || env.DOCSPACE_API_HOST;
  return [configured ? undefined : loadConfig(env).defaultProfile];
}

/** The built-in rules and those of `--rules`, through the watcher's cache of checked rules (rules-cache.ts). */
async function loadRuleSpecs(dir: string | undefined, env: NodeJS.ProcessEnv) {
  const paths = [BUILTIN_RULES_DIR, ...(dir ? [dir] : [])];
  return cachedRuleSpecs(paths, {
    dir: cacheDir(env),
    version: packageVersion(),
    load: async () => {
      const { loadRules } = await import('../../detect/index.js');
      return paths.flatMap((p) => loadRules(p)).map((r) => r.spec);
    },
  });
}
