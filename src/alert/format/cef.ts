/**
 * ArcSight Common Event Format, for SIEMs that parse CEF out of syslog. Example (test/fixtures/alert/cef.txt):
 *
 *   CEF:0|docspace-logins|docspace-logins|0.1.0|DSL-003|Password spray from one IP|8|rt=1772443800000
 *   start=… end=… cnt=18 externalId=dsl-003:198.51.100.7:1 src=198.51.100.7 cs1Label=rule cs1=DSL-003 …
 */
import { oneLine } from '../payload.js';
import type { Alert, Severity } from '../types.js';

/** CEF severity 0–10. */
const CEF_SEVERITY: Record<Severity, number> = { info: 1, low: 3, medium: 5, high: 8, critical: 10 };

/** Header fields escape `\` and `|`; newlines cannot appear in a record. */
export function cefHeader(text: string): string {
  return oneLine(text).replace(/[\\|]/g, (c) => `\\${c}`);
}

/** Extension values escape `\` and `=`, and write newlines as \n. */
export function cefValue(text: string): string {
  return text
    .replace(/[\\=]/g, (c) => `\\${c}`)
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/[\u0000-\u001f\u007f]/g, ' ');
}

export function cefMessage(alert: Alert, version: string): string {
  const f = alert.finding;
  const evidence = f.evidence !== null && typeof f.evidence === 'object' && !Array.isArray(f.evidence) ? f.evidence : {};
  const ext: Array<[string, string | number | undefined]> = [
    ['rt', alert.createdAt],
    ['start', f.firstSeen],
    ['end', f.lastSeen],
    ['cnt', f.count],
    ['externalId', alert.id],
    // The common evidence fields where SIEMs expect them; the rest stays in the webhook/JSON forms.
    ['src', typeof evidence.ip === 'string' ? evidence.ip : undefined],
    ['duser', typeof evidence.target === 'string' ? evidence.target : undefined],
    ['msg', f.title],
    ['act', f.suggestedResponse?.summary],
    ['cs1Label', 'rule'],
    ['cs1', f.rule],
    ['cs2Label', 'groupKey'],
    ['cs2', f.groupKey],
    ['cs3Label', 'portal'],
    ['cs3', f.portal],
    ['cs4Label', 'reason'],
    ['cs4', alert.reason],
    ['cs5Label', 'status'],
    ['cs5', f.status],
    ['cs6Label', 'eventIds'],
    ['cs6', f.eventIds.slice(0, 50).join(',')],
  ];
  const extension = ext
    .filter((e): e is [string, string | number] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${k}=${cefValue(String(v))}`)
    .join(' ');
  const header = ['CEF:0', 'docspace-logins', 'docspace-logins', version, f.rule, f.title, String(CEF_SEVERITY[f.severity])];
  return `${header.map((h, i) => (i === 0 ? h : cefHeader(h))).join('|')}|${extension}`;
}
