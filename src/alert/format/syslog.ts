/**
 * RFC 5424 syslog messages and their framing. The MSG is the alert document as one line of JSON
 * (or a CEF record with `?format=cef`); the structured data repeats the facts a SIEM indexes
 * without parsing the MSG. Example (test/fixtures/alert/syslog.txt):
 *
 *   <83>1 2026-03-02T09:30:00.000Z host docspace-logins 4242 DSL-003 [alert@32473 id="dsl-003:198.51.100.7:1"
 *   reason="new" rule="DSL-003" severity="high" group="198.51.100.7" count="18" portal="https://…"] {"type":…}
 *
 * 32473 is the enterprise number RFC 5612 reserves for examples: we have no number of our own,
 * and receivers index SD-IDs by name anyway.
 */
import { alertDocument, oneLine } from '../payload.js';
import type { Alert, Severity } from '../types.js';

export const SD_ID = 'alert@32473';

/** Syslog severities: critical → 2 (crit), high → 3 (err), medium → 4 (warning), low → 5 (notice), info → 6. */
const SYSLOG_SEVERITY: Record<Severity, number> = { critical: 2, high: 3, medium: 4, low: 5, info: 6 };

export interface SyslogHeader {
  facility: number;
  hostname: string;
  appName: string;
  procId: string;
  /** Epoch ms the message is sent. */
  now: number;
}

/** PRINTUSASCII without spaces, at most `max` characters, `-` when empty (RFC 5424 §6.2). */
function headerField(text: string, max: number): string {
  const clean = text.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean || '-';
}

/** Inside a PARAM-VALUE, `"`, `\` and `]` are escaped with a backslash (RFC 5424 §6.3.3). */
export function sdValue(text: string): string {
  return oneLine(text).replace(/["\\\]]/g, (c) => `\\${c}`);
}

export function structuredData(alert: Alert): string {
  const f = alert.finding;
  const params: Array<[string, string]> = [
    ['id', alert.id],
    ['reason', alert.reason],
    ['rule', f.rule],
    ['severity', f.severity],
    ['group', f.groupKey],
    ['count', String(f.count)],
    ['portal', f.portal],
  ];
  return `[${SD_ID} ${params.map(([k, v]) => `${k}="${sdValue(v)}"`).join(' ')}]`;
}

/** One RFC 5424 message; `message` defaults to the alert document as JSON. */
export function rfc5424(alert: Alert, header: SyslogHeader, message = JSON.stringify(alertDocument(alert))): string {
  const pri = header.facility * 8 + SYSLOG_SEVERITY[alert.finding.severity];
  return [
    `<${pri}>1`,
    new Date(header.now).toISOString(),
    headerField(header.hostname, 255),
    headerField(header.appName, 48),
    headerField(header.procId, 128),
    headerField(alert.finding.rule, 32),
    structuredData(alert),
    oneLine(message),
  ].join(' ');
}

/** RFC 6587 octet counting (`LEN SP MSG`), which RFC 5425 requires on TLS: messages may hold any byte. */
export function octetFrame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
