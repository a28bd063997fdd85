/** Syslog over UDP (RFC 5426), TCP (RFC 6587) and TLS (RFC 5425), one connection per send. */
import { createSocket } from 'node:dgram';
import { isIP, connect as netConnect, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { connect as tlsConnect } from 'node:tls';
import type { SyslogDestination } from '../destination.js';
import { cefMessage } from '../format/cef.js';
import { octetFrame, rfc5424 } from '../format/syslog.js';
import { summaryLine } from '../payload.js';
import type { Alert, DeliveryResult } from '../types.js';
import { DEFAULT_TIMEOUT_MS, errorText, readCaFile, type Sender, type SenderContext } from './context.js';

/** RFC 5426 asks receivers for at least 2048 octets per datagram; beyond that we send the summary only. */
export const UDP_MAX_BYTES = 2048;

export function syslogSender(dest: SyslogDestination, ctx: SenderContext): Sender {
  const now = ctx.now ?? Date.now;
  const ca = readCaFile(dest);

  function message(alert: Alert, brief = false): string {
    const header = { facility: dest.facility, hostname: ctx.hostname ?? hostname(), appName: 'docspace-logins', procId: String(process.pid), now: now() };
    if (dest.format === 'cef') return rfc5424(alert, header, cefMessage(alert, ctx.version ?? 'unknown'));
    return brief ? rfc5424(alert, header, summaryLine(alert)) : rfc5424(alert, header);
  }

  async function sendUdp(alert: Alert): Promise<DeliveryResult> {
    let data = Buffer.from(message(alert), 'utf8');
    if (data.length > UDP_MAX_BYTES && dest.format === 'rfc5424') data = Buffer.from(message(alert, true), 'utf8');
    const socket = createSocket(dest.host.includes(':') ? 'udp6' : 'udp4');
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.send(data, dest.port, dest.host, (err) => (err ? reject(err) : resolve()));
      });
      // UDP has no acknowledgement: handed to the network is the best "delivered" there is.
      return { status: 'delivered' };
    } catch (err) {
      return { status: 'retry', error: `${dest.label}: ${errorText(err)}` };
    } finally {
      socket.close();
    }
  }

  async function sendStream(alert: Alert): Promise<DeliveryResult> {
    const frame = octetFrame(message(alert));
    const socket: Socket =
      dest.transport === 'tls'
        ? tlsConnect({ host: dest.host, port: dest.port, ca, servername: isIP(dest.host) ? undefined : dest.host })
        : netConnect({ host: dest.host, port: dest.port });
    socket.setTimeout(ctx.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.once('timeout', () => reject(new Error('timed out')));
        socket.once(dest.transport === 'tls' ? 'secureConnect' : 'connect', () => {
          // Syslog has no acknowledgement: the frame flushed to the connection is delivered.
          socket.end(frame, () => resolve());
        });
        socket.resume();
      });
      return { status: 'delivered' };
    } catch (err) {
      return { status: 'retry', error: `${dest.label}: ${errorText(err)}` };
    } finally {
      socket.destroy();
    }
  }

  return {
    key: dest.key,
    label: dest.label,
    minIntervalMs: dest.minIntervalMs,
    send: (alert) => (dest.transport === 'udp' ? sendUdp(alert) : sendStream(alert)),
    async close() {},
  };
}
