/**
 * Self-hosted portals with a private CA: `--ca-file` makes the certificate trusted; without it the
 * error says what to do. Needs the `openssl` command to make a throw-away certificate.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { cli } from './helpers/cli.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const openssl = hasOpenssl();

describe.skipIf(!openssl)(openssl ? 'a portal behind a private CA' : 'a portal behind a private CA (skipped: no openssl command to make a certificate)', () => {
  let emu: RunningEmulator;
  let url: string;
  let caFile: string;
  let close: () => void;

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl-tls-'));
    caFile = join(dir, 'cert.pem');
    const keyFile = join(dir, 'key.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', keyFile, '-out', caFile,
    ], { stdio: 'ignore' });
    emu = await startEmulator({ seed: 31, events: 200 });
    // The emulator's app behind TLS, as a self-hosted portal would be.
    const server = createServer({ key: readFileSync(keyFile), cert: readFileSync(caFile) }, emu.app.handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => {
      server.closeAllConnections();
      server.close();
    };
  });
  afterAll(async () => {
    close?.();
    await emu?.close();
  });

  it('is trusted with --ca-file', async () => {
    const r = await cli(['users', '--portal', url, '--ca-file', caFile], { DOCSPACE_API_KEY: emu.apiKey });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').length).toBeGreaterThan(0);
  });

  it('is refused without it, with a hint to pass --ca-file (exit 6)', async () => {
    const r = await cli(['users', '--portal', url, '--retries', '0'], { DOCSPACE_API_KEY: emu.apiKey });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/not trusted.*--ca-file/);
  });
});
