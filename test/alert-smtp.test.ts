/**
 * E-mail and file destinations. The SMTP receiver is a few lines of SMTP on loopback, enough for
 * nodemailer: EHLO, MAIL, RCPT, DATA, QUIT, with a scripted answer to RCPT.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alertDocument, createAlert, createSender, parseDestination } from '../src/alert/index.js';
import { Clock, finding, T0 } from './helpers/alert-helpers.js';

interface Mail {
  from: string;
  to: string[];
  data: string;
}

/** An SMTP server on 127.0.0.1; `rcptReply` answers every RCPT TO. */
async function smtpServer(rcptReply = '250 OK'): Promise<{ port: number; mails: Mail[]; server: Server }> {
  const mails: Mail[] = [];
  const server = createServer((socket) => {
    let buffer = '';
    let inData = false;
    let mail: Mail = { from: '', to: [], data: '' };
    socket.write('220 test ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          mail.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          mails.push(mail);
          mail = { from: '', to: [], data: '' };
          socket.write('250 queued\r\n');
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250-test\r\n250 8BITMIME\r\n');
        else if (verb === 'MAIL') {
          mail.from = /<(.*)>/.exec(line)?.[1] ?? '';
          socket.write('250 OK\r\n');
        } else if (verb === 'RCPT') {
          mail.to.push(/<(.*)>/.exec(line)?.[1] ?? '');
          socket.write(`${rcptReply}\r\n`);
        } else if (verb === 'DATA') {
          inData = true;
          socket.write('354 go ahead\r\n');
        } else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else if (verb === 'RSET' || verb === 'NOOP') socket.write('250 OK\r\n');
        else socket.write('502 not implemented\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, mails, server };
}

const cleanup: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const clock = new Clock(T0);

describe('smtp destinations', () => {
  it('send a text + HTML mail with the summary as subject, threaded per finding, to every recipient', async () => {
    const { port, mails, server } = await smtpServer();
    cleanup.push(() => void server.close());
    const sender = createSender(parseDestination(`smtp://127.0.0.1:${port}?to=soc@example.org,oncall@example.org&from=alerts@example.org`), { now: clock.now });
    cleanup.push(() => sender.close());
    expect(await sender.send(createAlert(finding({ revision: 3 }), 'escalated', T0))).toEqual({ status: 'delivered' });

    expect(mails).toHaveLength(1);
    expect(mails[0].from).toBe('alerts@example.org');
    expect(mails[0].to).toEqual(['soc@example.org', 'oncall@example.org']);
    // Unfold headers and undo quoted-printable soft breaks and escapes.
    const data = mails[0].data
      .replace(/\r\n[ \t]/g, ' ')
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    expect(data).toMatch(/^Subject: \[HIGH\] Escalated: Password spray from one IP \(198\.51\.100\.7, 18 events\)$/m);
    expect(data).toMatch(/^Message-ID: <[0-9a-f]{24}\.r3@docspace-logins>$/m);
    expect(data).toMatch(/^In-Reply-To: <[0-9a-f]{24}@docspace-logins>$/m);
    expect(data).toMatch(/^X-DocSpace-Logins-Alert-Id: dsl-003:198\.51\.100\.7:3$/im);
    expect(data).toContain('Content-Type: text/plain');
    expect(data).toContain('Content-Type: text/html');
    expect(data).toContain('Event ids: 81234, 81235, 81240');
    expect(data).toContain('docspace-logins history --ip 198.51.100.7 --since 1h');
  });

  it('a 5xx refusal fails the delivery; a 4xx one asks for a retry', async () => {
    const refused = await smtpServer('550 no such user');
    const busy = await smtpServer('451 try later');
    cleanup.push(() => void refused.server.close(), () => void busy.server.close());
    const alert = createAlert(finding(), 'new', T0);
    const a = createSender(parseDestination(`smtp://127.0.0.1:${refused.port}?to=nobody@example.org`));
    const b = createSender(parseDestination(`smtp://127.0.0.1:${busy.port}?to=soc@example.org`));
    cleanup.push(() => a.close(), () => b.close());
    expect(await a.send(alert)).toMatchObject({ status: 'failed', error: expect.stringMatching(/550/) });
    expect(await b.send(alert)).toMatchObject({ status: 'retry', error: expect.stringMatching(/451/) });
  });

  it('plain SMTP must upgrade with STARTTLS except on loopback: a server without it gets nothing', async () => {
    expect(parseDestination('smtp://127.0.0.1:2525?to=a@example.org')).toMatchObject({ requireTls: false });
    expect(parseDestination('smtp://mail.example.org?to=a@example.org')).toMatchObject({ requireTls: true, port: 587 });
    expect(parseDestination('smtp://mail.example.org?to=a@example.org', { allowInsecureHttp: true })).toMatchObject({ requireTls: false });
    expect(parseDestination('smtps://mail.example.org?to=a@example.org')).toMatchObject({ requireTls: false, secure: true, port: 465 });

    const { port, mails, server } = await smtpServer();
    cleanup.push(() => void server.close());
    // What a remote plain-SMTP destination gets: the same server, as if it were not on loopback.
    const dest = { ...parseDestination(`smtp://127.0.0.1:${port}?to=soc@example.org`), requireTls: true };
    const sender = createSender(dest);
    cleanup.push(() => sender.close());
    expect(await sender.send(createAlert(finding(), 'new', T0))).toMatchObject({ status: 'failed', error: expect.stringMatching(/STARTTLS/i) });
    expect(mails).toEqual([]);
  });
});

describe('file destinations', () => {
  it('append one alert document per line (NDJSON)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl-alert-file-'));
    const path = join(dir, 'sub', 'alerts.ndjson');
    const sender = createSender(parseDestination(`file:${path}`));
    const first = createAlert(finding(), 'new', T0);
    const second = createAlert(finding({ revision: 2, severity: 'critical' }), 'escalated', T0 + 1000);
    expect(await sender.send(first)).toEqual({ status: 'delivered' });
    expect(await sender.send(second)).toEqual({ status: 'delivered' });
    const lines = readFileSync(path, 'utf8').split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1).map((l) => JSON.parse(l))).toEqual([alertDocument(first), alertDocument(second)]);
  });
});
