/**
 * A session token made from DOCSPACE_USER/DOCSPACE_PASSWORD is a secret like the API key: a
 * server that echoes it back (as is, upper-cased, URL-encoded) gets none of it into an error,
 * its details or the debug lines; and a real run against the emulator with --debug prints none
 * of the tokens it was issued.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DocSpaceClient, type RunningEmulator, startEmulator } from '../src/index.js';
import { cli } from './helpers/cli.js';
import { envelope, type ScriptedServer, scriptedServer } from './helpers/scripted-server.js';

const TOKEN = 'Zm9vYmFyLXNlc3Npb24tdG9rZW4tdGhhdC1tdXN0LXN0YXktc2VjcmV0';
let server: ScriptedServer | undefined;
let client: DocSpaceClient | undefined;
let emu: RunningEmulator | undefined;
afterEach(async () => {
  await client?.close();
  await server?.close();
  await emu?.close();
  client = server = emu = undefined;
});

describe('the session token never reaches output', () => {
  it('echoed back by the server, transformed or not, it is redacted from errors and debug lines', async () => {
    const echoes = [TOKEN, TOKEN.toUpperCase(), encodeURIComponent(`${TOKEN}==`)];
    server = await scriptedServer([
      envelope({ token: TOKEN, expires: '2027-01-01T00:00:00.0000000Z', sms: false, tfa: false }),
      (_req, res) => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `bad session ${echoes.join(' and ')}` }, status: 1, statusCode: 400 }));
      },
    ]);
    const lines: string[] = [];
    client = new DocSpaceClient({
      portal: server.url,
      credentials: { kind: 'password', userName: 'anna@example.com', password: 'p4ssw0rd' },
      sleep: async () => {},
      retry: { attempts: 1 },
      onDebug: (l) => lines.push(l),
    });
    const err = await client.auditSettings().catch((e) => e);
    expect(err.message).toContain('bad session');
    const shown = [err.message, JSON.stringify(err.details ?? null), ...lines].join('\n').toLowerCase();
    expect(lines.length).toBeGreaterThan(0);
    expect(shown).not.toContain(TOKEN.toLowerCase());
    expect(shown).not.toContain('p4ssw0rd');
  });

  it('a password run with --debug prints none of the tokens the portal issued', async () => {
    emu = await startEmulator({ seed: 5, events: 200 });
    const issued: string[] = [];
    const sessions = emu.state.sessions;
    const issue = sessions.issue.bind(sessions);
    sessions.issue = (...args) => {
      const r = issue(...args);
      issued.push(r.token);
      return r;
    };
    const r = await cli(['events', '--limit', '3', '--debug'], {
      DOCSPACE_URL: emu.url,
      DOCSPACE_USER: emu.user.email,
      DOCSPACE_PASSWORD: emu.user.password,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/debug: /);
    expect(issued).toHaveLength(1);
    for (const out of [r.stdout, r.stderr]) {
      expect(out).not.toContain(issued[0]);
      expect(out).not.toContain(encodeURIComponent(issued[0]));
      expect(out).not.toContain(emu.user.password);
    }
  });
});
