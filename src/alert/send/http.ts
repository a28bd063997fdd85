/** Webhook, Slack and Teams senders: one JSON POST each, differing only in body and headers. */
import { alertDocument } from '../payload.js';
import type { HttpDestination } from '../destination.js';
import { slackMessage } from '../format/slack.js';
import { teamsMessage } from '../format/teams.js';
import { classifyHttp } from '../retry.js';
import { loadSecret, signatureHeaders } from '../signature.js';
import type { Alert, DeliveryResult } from '../types.js';
import { DEFAULT_TIMEOUT_MS, errorText, type Sender, type SenderContext } from './context.js';

export function httpSender(dest: HttpDestination, ctx: SenderContext): Sender {
  const now = ctx.now ?? Date.now;
  const doFetch = ctx.fetch ?? globalThis.fetch;
  // Loaded once when the sender is built: a missing secret is a start-up error, not a failed delivery.
  const secret = dest.secret ? loadSecret(dest.secret, ctx) : undefined;

  function request(alert: Alert): { body: string; headers: Record<string, string> } {
    const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'docspace-logins' };
    if (dest.kind === 'slack') return { body: JSON.stringify(slackMessage(alert)), headers };
    if (dest.kind === 'teams') return { body: JSON.stringify(teamsMessage(alert)), headers };
    const body = JSON.stringify(alertDocument(alert));
    return { body, headers: { ...headers, ...(secret ? signatureHeaders(secret, alert.id, now(), body) : {}) } };
  }

  return {
    key: dest.key,
    label: dest.label,
    minIntervalMs: dest.minIntervalMs,
    async send(alert: Alert): Promise<DeliveryResult> {
      const { body, headers } = request(alert);
      let response: Response;
      try {
        response = await doFetch(dest.url, {
          method: 'POST',
          headers,
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS),
        });
      } catch (err) {
        return { status: 'retry', error: `${dest.label}: ${errorText(err)}` };
      }
      // Drain the body so the connection can be reused; its text helps explain a refusal.
      const text = await response.text().catch(() => '');
      const result = classifyHttp(response.status, response.headers.get('retry-after'), now());
      if (result.status === 'delivered') return result;
      const detail = text.trim().slice(0, 200).replace(/\s+/g, ' ');
      return { ...result, error: `${dest.label}: ${result.error}${detail ? ` ${detail}` : ''}` };
    },
    async close() {},
  };
}
