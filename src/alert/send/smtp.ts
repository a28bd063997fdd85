/** E-mail through nodemailer: one message per alert, threaded per finding, 4xx retried, 5xx failed. */
import type { Transporter } from 'nodemailer';
import { UsageError } from '../../errors/index.js';
import type { SmtpDestination } from '../destination.js';
import { alertEmail } from '../format/email.js';
import type { Alert, DeliveryResult } from '../types.js';
import { DEFAULT_TIMEOUT_MS, errorText, readCaFile, type Sender, type SenderContext } from './context.js';

export function smtpSender(dest: SmtpDestination, ctx: SenderContext): Sender {
  let password = dest.password;
  if (dest.passwordEnv) {
    password = (ctx.env ?? process.env)[dest.passwordEnv];
    if (password === undefined) throw new UsageError(`${dest.label} takes its password from ${dest.passwordEnv}, which is not set`);
  }
  const ca = readCaFile(dest);
  const timeout = ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // nodemailer (about 300 KB of code) is loaded at the first e-mail, not by every watcher start.
  let transport: Promise<Transporter> | undefined;
  const connect = () => (transport ??= import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport({
    host: dest.host,
    port: dest.port,
    secure: dest.secure,
    requireTLS: dest.requireTls,
    auth: dest.user ? { user: dest.user, pass: password ?? '' } : undefined,
    tls: ca ? { ca } : undefined,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  })));

  return {
    key: dest.key,
    label: dest.label,
    minIntervalMs: dest.minIntervalMs,
    async send(alert: Alert): Promise<DeliveryResult> {
      const mail = alertEmail(alert);
      try {
        await (await connect()).sendMail({
          from: dest.from,
          to: dest.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: mail.messageId,
          inReplyTo: mail.threadId,
          references: [mail.threadId],
          headers: { 'X-DocSpace-Logins-Alert-Id': alert.id },
        });
        return { status: 'delivered' };
      } catch (err) {
        const code = (err as { responseCode?: number }).responseCode;
        const error = `${dest.label}: ${errorText(err)}`;
        // 5xx is a permanent refusal (unknown mailbox, policy); 4xx and lost connections are temporary.
        return code !== undefined && code >= 500 ? { status: 'failed', error } : { status: 'retry', error };
      }
    },
    async close() {
      if (transport) (await transport).close();
    },
  };
}
