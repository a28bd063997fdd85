/**
 * One line per cycle, timestamped: text for people and journald, JSON for log pipelines. Built
 * only from counts, portal names and redacted errors: never a key, a secret or a webhook URL.
 */
import type { CycleReport } from './cycle.js';

export type LogFormat = 'text' | 'json';

export function cycleLine(r: CycleReport, format: LogFormat): string {
  const time = new Date(r.startedAt).toISOString();
  const added = sum(r, 'added');
  const findings = sum(r, 'findings');
  const queued = sum(r, 'queued');
  const requests = sum(r, 'requests');
  const history = r.portals.reduce((n, p) => n + (p.history ?? 0), 0);
  const d = r.delivery;
  if (format === 'json') {
    return JSON.stringify({
      time,
      level: r.ok ? 'info' : 'warn',
      msg: 'watch cycle',
      ok: r.ok,
      durationMs: r.durationMs,
      added,
      findings,
      queued,
      requests,
      delivery: d,
      deliverMs: r.deliverMs,
      released: r.released,
      portals: r.portals.map(({ failure: _failure, ...p }) => p),
    });
  }
  const parts = [
    `${added} new events`,
    `${findings} findings changed`,
    `${queued} alerts queued`,
    ...(history ? [`${history} past findings in one summary`] : []),
    `${d.delivered} delivered`,
    ...(d.deferred ? [`${d.deferred} left for the next cycle`] : []),
    ...(d.retry ? [`${d.retry} to retry`] : []),
    ...(d.failed ? [`${d.failed} failed`] : []),
    ...(d.gone ? [`${d.gone} gone`] : []),
    ...(r.released ? [`${r.released} taken back from a stopped watcher`] : []),
    ...responseParts(r),
    `${requests} requests`,
    `${(r.durationMs / 1000).toFixed(1)} s`,
  ];
  const problems = r.portals.flatMap((p) => (p.error ? [`${p.portal}: ${p.error}`] : p.busy ? [`${p.portal}: held by another watcher`] : []));
  return `${time} watch cycle ${r.ok ? 'ok' : 'failed'}: ${parts.join(', ')}${problems.length ? `; ${problems.join('; ')}` : ''}`;
}

function sum(r: CycleReport, key: 'added' | 'findings' | 'queued' | 'requests'): number {
  return r.portals.reduce((n, p) => n + p[key], 0);
}

function responseParts(r: CycleReport): string[] {
  const acted = r.portals.flatMap((p) => (p.responses ?? []).filter((x) => x.outcome !== undefined));
  return acted.length ? [`${acted.length} automatic responses (${acted.map((x) => `${x.action} ${x.target}: ${x.outcome}`).join(', ')})`] : [];
}
