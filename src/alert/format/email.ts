/**
 * The alert as an e-mail: subject, plain text and a small HTML part, threaded per finding.
 * Example plain text (test/fixtures/alert/email.txt):
 *
 *   [HIGH] New: Password spray from one IP (198.51.100.7, 18 events)
 *
 *   Rule: DSL-003   Portal: https://acme.docspace.example
 *   First seen: 2026-03-02T09:10:00.000Z   Last seen: 2026-03-02T09:29:00.000Z
 *   Evidence:
 *     ip: 198.51.100.7
 *   Suggested response: …
 *   Event ids: 81234, 81235
 */
import { createHash } from 'node:crypto';
import { evidenceFacts, oneLine, summaryLine } from '../payload.js';
import type { Alert } from '../types.js';

export interface Email {
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** The thread every revision of one finding replies to. */
  threadId: string;
}

function token(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function alertEmail(alert: Alert): Email {
  const f = alert.finding;
  const facts = evidenceFacts(f.evidence, 30);
  const lines = [
    summaryLine(alert),
    '',
    `Rule: ${f.rule}   Portal: ${f.portal}`,
    `First seen: ${new Date(f.firstSeen).toISOString()}   Last seen: ${new Date(f.lastSeen).toISOString()}`,
    ...(facts.length ? ['Evidence:', ...facts.map(([k, v]) => `  ${oneLine(k)}: ${v}`)] : []),
    ...(f.suggestedResponse
      ? [`Suggested response: ${oneLine(f.suggestedResponse.summary)}`, ...(f.suggestedResponse.commands ?? []).map((c) => `  ${oneLine(c)}`)]
      : []),
    `Event ids: ${f.eventIds.join(', ') || '-'}`,
    `Alert id: ${alert.id}`,
  ];
  const text = `${lines.join('\n')}\n`;
  const html = `<!doctype html><html><body><pre style="font-family:monospace">${escapeHtml(text)}</pre></body></html>`;
  // Message ids must be dot-atoms: finding ids hold anything the engine chose, so hash them.
  const thread = token(f.id);
  return {
    subject: summaryLine(alert),
    text,
    html,
    messageId: `<${thread}.r${f.revision}@docspace-logins>`,
    threadId: `<${thread}@docspace-logins>`,
  };
}
