/**
 * Slack incoming-webhook message in Block Kit. Example (test/fixtures/alert/slack.json):
 *
 *   {"text":"[HIGH] New: Password spray from one IP (198.51.100.7, 18 events)",
 *    "blocks":[{"type":"header","text":{"type":"plain_text","text":"Password spray from one IP"}},
 *              {"type":"section","fields":[{"type":"mrkdwn","text":"*Severity*\nhigh"}, …]},
 *              {"type":"section","text":{"type":"mrkdwn","text":"*Evidence*\n• ip: 198.51.100.7"}},
 *              {"type":"section","text":{"type":"mrkdwn","text":"*Suggested response*\n…"}},
 *              {"type":"context","elements":[{"type":"mrkdwn","text":"alert dsl-003:198.51.100.7:1 · events 81234, 81235"}]}]}
 */
import { evidenceFacts, oneLine, summaryLine } from '../payload.js';
import type { Alert } from '../types.js';

/** Slack reads &, < and > as markup (links, mentions): typed logins must not ping @channel. */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

export function slackMessage(alert: Alert): Record<string, unknown> {
  const f = alert.finding;
  const field = (name: string, value: string) => ({ type: 'mrkdwn', text: cut(`*${name}*\n${slackEscape(oneLine(value))}`, 2000) });
  const blocks: Array<Record<string, unknown>> = [
    // Header text is plain_text and at most 150 characters.
    { type: 'header', text: { type: 'plain_text', text: cut(oneLine(f.title), 150) } },
    {
      type: 'section',
      fields: [
        field('Severity', `${f.severity}${alert.reason === 'new' ? '' : ` (${alert.reason})`}`),
        field('Rule', f.rule),
        field('Group', f.groupKey),
        field('Events', String(f.count)),
        field('First seen', new Date(f.firstSeen).toISOString()),
        field('Last seen', new Date(f.lastSeen).toISOString()),
      ],
    },
  ];
  const facts = evidenceFacts(f.evidence);
  if (facts.length) {
    const lines = facts.map(([k, v]) => `• ${slackEscape(k)}: ${slackEscape(v)}`).join('\n');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(`*Evidence*\n${lines}`, 3000) } });
  }
  if (f.suggestedResponse) {
    const commands = (f.suggestedResponse.commands ?? []).map((c) => `\`${slackEscape(oneLine(c).replace(/`/g, "'"))}\``).join('\n');
    const text = `*Suggested response*\n${slackEscape(oneLine(f.suggestedResponse.summary))}${commands ? `\n${commands}` : ''}`;
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(text, 3000) } });
  }
  const ids = f.eventIds.slice(0, 20).join(', ') + (f.eventIds.length > 20 ? ', …' : '');
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: cut(slackEscape(`alert ${alert.id} · ${f.portal}${ids ? ` · events ${ids}` : ''}`), 2000) }],
  });
  return { text: slackEscape(summaryLine(alert)), blocks };
}
