// Senders: one per destination kind, all behind `Sender.send(alert) → DeliveryResult`.
import type { Destination } from '../destination.js';
import type { Sender, SenderContext } from './context.js';
import { fileSender } from './file.js';
import { httpSender } from './http.js';
import { smtpSender } from './smtp.js';
import { syslogSender } from './syslog.js';

export type { Sender, SenderContext } from './context.js';

/** Build the sender of a parsed destination; throws a UsageError when its secret or CA file is missing. */
export function createSender(dest: Destination, ctx: SenderContext = {}): Sender {
  switch (dest.kind) {
    case 'webhook':
    case 'slack':
    case 'teams':
      return httpSender(dest, ctx);
    case 'syslog':
      return syslogSender(dest, ctx);
    case 'smtp':
      return smtpSender(dest, ctx);
    case 'file':
      return fileSender(dest);
  }
}
