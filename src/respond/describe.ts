/**
 * A response as text for people: the plan of a dry run, or what was sent and each check of the
 * proof. One wording for the CLI, the dashboard and the watcher's log.
 */
import { describeRequest } from './plan.js';
import type { ResponseRecord } from './types.js';

/** One line: the action, its target, and the finding it answers. */
export function summarizeRecord(r: ResponseRecord): string {
  const who = `${r.target.name} (${r.target.userId}${r.target.role === 'member' ? '' : `, ${r.target.role}`})`;
  const what = r.target.sessionId !== undefined ? `session ${r.target.sessionId} of ${who}` : who;
  return `${r.action} ${what} on ${r.portal}${r.findingId ? ` for finding ${r.findingId}` : ''}`;
}

/** The plan or the record, as lines a person reads. */
export function describeRecord(r: ResponseRecord): string {
  const lines = [summarizeRecord(r)];
  if (r.dryRun) {
    lines.push('dry run: nothing was sent. Add --yes to send:');
    for (const p of r.planned) lines.push(`  ${describeRequest(p)}`);
    lines.push(`then the audit trail is read for action ${r.auditAction}.`);
    return `${lines.join('\n')}\n`;
  }
  for (const s of r.sent) lines.push(`  sent ${describeRequest(s)} -> ${s.status}${s.error ? ` (${s.error})` : ''}`);
  for (const c of r.verification?.checks ?? []) {
    lines.push(`  ${c.ok === true ? 'ok' : c.ok === false ? 'FAILED' : 'n/a'} ${c.check}: ${c.detail}`);
  }
  lines.push(r.outcome === 'verified' ? 'verified' : `${r.outcome}: ${r.error ?? 'the effect could not be proven'}`);
  return `${lines.join('\n')}\n`;
}
