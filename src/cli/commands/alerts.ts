/**
 * `docspace-logins alerts list | show ID | replay --since 24h | test DEST`: the alert outbox in
 * the archive, and a way to check a destination before trusting it with real alerts.
 */
import { parseDestination } from '../../alert/destination.js';
import { alertDocument, createAlert } from '../../alert/payload.js';
import { createSender } from '../../alert/send/index.js';
import type { AlertRow } from '../../alert/outbox.js';
import { UsageError } from '../../errors/index.js';
import { timeAgo } from '../../output/relative.js';
import { openArchive } from '../archive.js';
import { parseWholeNumber } from '../context.js';
import { EXIT } from '../exit.js';
import { parseSince } from '../history-flags.js';
import type { CliIo, Reporter } from '../io.js';
import { FORMATS_OF } from '../formats.js';
import { type OutputFlags, parseOutputFlags, writeRows } from '../output.js';
import { packageVersion } from '../version.js';

export interface AlertsFlags extends OutputFlags {
  db?: string;
  since?: string;
  limit?: string;
  alert?: string;
  allowInsecureHttp?: boolean;
}

export async function alertsListCommand(flags: AlertsFlags, io: CliIo, _reporter: Reporter): Promise<number> {
  const now = Date.now();
  const since = parseSince(flags.since, now);
  const limit = parseWholeNumber(flags.limit, '--limit', 1, 1_000_000) ?? 100;
  const output = parseOutputFlags(flags, io, FORMATS_OF.alerts);
  const store = await openArchive({ db: flags.db }, io.env, true);
  try {
    const rows = await store.outbox().alerts({ since, limit });
    await writeRows<AlertRow>(
      output,
      io,
      {
        columns: [
          // As every table shows a time the tool recorded: "3 h ago" at a terminal, ISO elsewhere.
          {
            key: 'created',
            header: 'Created',
            value: (r) => new Date(r.createdAt),
            relative: (r, now) => timeAgo(r.createdAt, now),
            kind: 'date',
            keep: true,
          },
          { key: 'severity', header: 'Severity', value: (r) => r.severity, keep: true },
          { key: 'reason', header: 'Reason', value: (r) => r.reason },
          { key: 'rule', header: 'Rule', value: (r) => r.rule },
          { key: 'title', header: 'Title', value: (r) => r.title },
          { key: 'deliveries', header: 'Deliveries', value: (r) => deliveries(r) },
          // Never cut (like gh's ids): `alerts show` takes it as printed.
          { key: 'id', header: 'Alert id', value: (r) => r.id, whole: true },
        ],
        json: (r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString() }),
      },
      rows,
    );
  } finally {
    await store.close();
  }
  return EXIT.ok;
}

function deliveries(r: AlertRow): string {
  const parts = Object.entries(r.deliveries).map(([status, n]) => `${n} ${status}`);
  return parts.length ? parts.join(', ') : 'none';
}

/** The alert as destinations receive it (the webhook document), and where each delivery stands; `id` may be a unique prefix. */
export async function alertsShowCommand(id: string, flags: AlertsFlags, io: CliIo, _reporter: Reporter): Promise<number> {
  const store = await openArchive({ db: flags.db }, io.env, true);
  try {
    const outbox = store.outbox();
    const ids = id.length ? await outbox.alertIds(id) : [];
    if (ids.length > 1) {
      const more = ids.length > 5 ? ', …' : '';
      throw new UsageError(`The id "${id}" fits more than one alert (${ids.slice(0, 5).join(', ')}${more}): give more of it`);
    }
    const alert = ids.length ? await outbox.alert(ids[0]) : undefined;
    if (!alert) throw new UsageError(`No alert "${id}" in the archive (see: docspace-logins alerts list)`);
    const deliveries = (await outbox.deliveries(ids[0])).map((d) => ({
      destination: d.destination,
      status: d.status,
      attempts: d.attempts,
      nextAt: d.status === 'pending' ? new Date(d.nextAt).toISOString() : null,
      deliveredAt: d.deliveredAt === null ? null : new Date(d.deliveredAt).toISOString(),
      lastError: d.lastError,
    }));
    io.stdout.write(`${JSON.stringify({ ...alertDocument(alert), deliveries }, null, 2)}\n`);
  } finally {
    await store.close();
  }
  return EXIT.ok;
}

/** Finished deliveries of recent alerts become due again; a watcher sends them on its next cycle. */
export async function alertsReplayCommand(flags: AlertsFlags, io: CliIo, reporter: Reporter): Promise<number> {
  if (flags.since === undefined) throw new UsageError('alerts replay needs --since (e.g. --since 24h, or all)');
  const now = Date.now();
  const since = parseSince(flags.since, now) ?? 0;
  const destination = flags.alert !== undefined ? parseDestination(flags.alert, { allowInsecureHttp: flags.allowInsecureHttp }).key : undefined;
  const store = await openArchive({ db: flags.db }, io.env);
  try {
    const outbox = store.outbox();
    if (destination !== undefined && (await outbox.enableDestination(destination))) {
      reporter.note(`${flags.alert ? parseDestination(flags.alert, { allowInsecureHttp: true }).label : ''} was disabled after a 410: enabled again`);
    }
    const n = await outbox.replay(since, now, destination);
    reporter.note(`${n} ${n === 1 ? 'delivery' : 'deliveries'} queued again (same alert ids): a running watcher sends them on its next cycle, or run docspace-logins watch --once`);
  } finally {
    await store.close();
  }
  return EXIT.ok;
}

/** Send a test alert to one destination and say what happened; exit 6 when it was not accepted. */
export async function alertsTestCommand(uri: string, flags: AlertsFlags, io: CliIo, reporter: Reporter): Promise<number> {
  const dest = parseDestination(uri, { allowInsecureHttp: flags.allowInsecureHttp });
  let answered: number | undefined;
  const sender = createSender(dest, {
    env: io.env,
    version: packageVersion(),
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      answered = response.status;
      return response;
    },
  });
  const now = Date.now();
  const alert = createAlert(
    {
      id: `test:${now}`,
      rule: 'TEST',
      title: 'Test alert from docspace-logins (nothing happened)',
      severity: 'info',
      portal: '',
      groupKey: 'test',
      firstSeen: now,
      lastSeen: now,
      count: 1,
      eventIds: [],
      evidence: { test: true },
      status: 'open',
      revision: 1,
      suggestedResponse: { summary: 'Nothing to do: this checks that alerts reach this destination.' },
    },
    'new',
    now,
  );
  try {
    const result = await sender.send(alert);
    const status = answered !== undefined ? ` (HTTP ${answered})` : '';
    if (result.status === 'delivered') {
      io.stdout.write(`${dest.label} accepted the test alert ${alert.id}${status}\n`);
      return EXIT.ok;
    }
    // Sender errors start with the destination's label, which this line names already.
    const error = result.error.startsWith(`${dest.label}: `) ? result.error.slice(dest.label.length + 2) : result.error;
    reporter.warn(`${dest.label} did not accept the test alert${status}: ${error}${result.status === 'retry' ? ' (a watcher would retry)' : ''}`);
    return EXIT.unavailable;
  } finally {
    await sender.close();
  }
}
