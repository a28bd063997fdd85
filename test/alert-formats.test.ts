/**
 * One alert in every format, compared with the examples in test/fixtures/alert/ that the source
 * comments and the README quote. After a deliberate format change, regenerate them with
 * `UPDATE_ALERT_FIXTURES=1 npx vitest run test/alert-formats.test.ts` and review the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { alertDocument, alertEmail, cefMessage, createAlert, MAX_EVENT_IDS, rfc5424, slackMessage, teamsMessage } from '../src/alert/index.js';
import { finding, T0 } from './helpers/alert-helpers.js';

const alert = createAlert(finding(), 'new', T0);
const update = process.env.UPDATE_ALERT_FIXTURES === '1';

function golden(name: string, actual: string): void {
  const path = fileURLToPath(new URL(`./fixtures/alert/${name}`, import.meta.url));
  if (update) writeFileSync(path, actual);
  expect(existsSync(path), `${name} is missing: run with UPDATE_ALERT_FIXTURES=1`).toBe(true);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

describe('alert formats match their published examples', () => {
  it('webhook body (the alert document)', () => golden('webhook.json', json(alertDocument(alert))));
  it('Slack Block Kit message', () => golden('slack.json', json(slackMessage(alert))));
  it('Teams Adaptive Card', () => golden('teams.json', json(teamsMessage(alert))));
  it('RFC 5424 syslog line', () =>
    golden('syslog.txt', `${rfc5424(alert, { facility: 10, hostname: 'watch-01', appName: 'docspace-logins', procId: '4242', now: T0 })}\n`));
  it('CEF record', () => golden('cef.txt', `${cefMessage(alert, '0.1.0')}\n`));
  it('e-mail text part', () => {
    const mail = alertEmail(alert);
    golden('email.txt', `Subject: ${mail.subject}\nMessage-ID: ${mail.messageId}\nIn-Reply-To: ${mail.threadId}\n\n${mail.text}`);
  });
});

describe('the alert document', () => {
  it('carries the finding, evidence, event ids and suggested response', () => {
    const doc = alertDocument(alert);
    expect(doc.type).toBe('docspace_logins.alert.new');
    expect(doc.data.finding.firstSeen).toBe('2026-03-02T09:10:00.000Z');
    expect(doc.data.evidence).toEqual(finding().evidence);
    expect(doc.data.eventIds).toEqual([81234, 81235, 81240]);
    expect(doc.data.suggestedResponse?.summary).toMatch(/^Block/);
    expect(alertDocument(createAlert(finding({ suggestedResponse: undefined }), 'new', T0)).data.suggestedResponse).toBeNull();
  });

  it('lists at most MAX_EVENT_IDS event ids and says how many there were', () => {
    const many = Array.from({ length: MAX_EVENT_IDS + 7 }, (_, i) => i + 1);
    const doc = alertDocument(createAlert(finding({ eventIds: many }), 'new', T0));
    expect(doc.data.eventIds).toHaveLength(MAX_EVENT_IDS);
    expect(doc.data.eventIdsTotal).toBe(MAX_EVENT_IDS + 7);
    expect(Buffer.byteLength(JSON.stringify(doc))).toBeLessThan(20_000);
  });
});
