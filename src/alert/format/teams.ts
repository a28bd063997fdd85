/**
 * Microsoft Teams through a Workflows webhook ("When a Teams webhook request is received"), which
 * accepts Adaptive Cards only; Office 365 connectors are retired. Example (test/fixtures/alert/teams.json):
 *
 *   {"type":"message","attachments":[{"contentType":"application/vnd.microsoft.card.adaptive","contentUrl":null,
 *    "content":{"$schema":"http://adaptivecards.io/schemas/adaptive-card.json","type":"AdaptiveCard","version":"1.4",
 *               "msteams":{"width":"full"},
 *               "body":[{"type":"TextBlock","text":"Password spray from one IP","size":"Large","weight":"Bolder","wrap":true,"color":"Attention"},
 *                       {"type":"FactSet","facts":[{"title":"Severity","value":"high"}, …]}, …]}}]}
 */
import { evidenceFacts, oneLine, summaryLine } from '../payload.js';
import type { Alert, Severity } from '../types.js';

const COLOR: Record<Severity, string> = { info: 'Default', low: 'Accent', medium: 'Warning', high: 'Attention', critical: 'Attention' };

/**
 * TextBlocks render a small Markdown subset (emphasis, links, lists): typed logins must show as
 * typed. Escape only what starts emphasis or a link; lists need a line start, which oneLine removes.
 */
function plain(text: string): string {
  return oneLine(text).replace(/([\\`*_[\]])/g, '\\$1');
}

export function teamsMessage(alert: Alert): Record<string, unknown> {
  const f = alert.finding;
  const fact = (title: string, value: string) => ({ title, value: plain(value) });
  const body: Array<Record<string, unknown>> = [
    { type: 'TextBlock', text: plain(f.title), size: 'Large', weight: 'Bolder', wrap: true, color: COLOR[f.severity] },
    { type: 'TextBlock', text: plain(summaryLine(alert)), isSubtle: true, wrap: true, spacing: 'None' },
    {
      type: 'FactSet',
      facts: [
        fact('Severity', f.severity),
        fact('Rule', f.rule),
        fact('Group', f.groupKey),
        fact('Events', String(f.count)),
        fact('First seen', new Date(f.firstSeen).toISOString()),
        fact('Last seen', new Date(f.lastSeen).toISOString()),
        fact('Portal', f.portal),
        fact('Alert', alert.id),
      ],
    },
  ];
  const facts = evidenceFacts(f.evidence);
  if (facts.length) {
    body.push({ type: 'TextBlock', text: 'Evidence', weight: 'Bolder', wrap: true });
    body.push({ type: 'FactSet', facts: facts.map(([k, v]) => fact(k, v)) });
  }
  if (f.suggestedResponse) {
    body.push({ type: 'TextBlock', text: 'Suggested response', weight: 'Bolder', wrap: true });
    body.push({ type: 'TextBlock', text: plain(f.suggestedResponse.summary), wrap: true });
    for (const command of f.suggestedResponse.commands ?? []) {
      body.push({ type: 'TextBlock', text: oneLine(command), fontType: 'Monospace', wrap: true, spacing: 'Small' });
    }
  }
  if (f.eventIds.length) {
    const ids = f.eventIds.slice(0, 20).join(', ') + (f.eventIds.length > 20 ? ', …' : '');
    body.push({ type: 'TextBlock', text: `Events: ${ids}`, isSubtle: true, wrap: true });
  }
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          msteams: { width: 'full' },
          body,
        },
      },
    ],
  };
}
