/**
 * A run that waits says so: a portal that asks for a pause (429 with Retry-After) is announced on
 * stderr even in a pipe or a log when the wait is long, so a cron job's log shows why it paused
 * instead of a silent freeze; a short routine wait stays quiet there, and `-q` silences it.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { cli } from './helpers/cli.js';

let emu: RunningEmulator;

beforeAll(async () => {
  emu = await startEmulator({ seed: 52, events: 200, days: 10, now: Date.parse('2025-07-01T10:00:00Z') });
});
afterAll(async () => {
  await emu.close();
});

/** A proxy to the emulator that answers its first request with 429 and `Retry-After: seconds`. */
async function pausingPortal(seconds: number): Promise<{ url: string; refused: () => number; close: () => Promise<void> }> {
  let refused = 0;
  const server: Server = createServer((req, res) => {
    if (refused === 0) {
      refused++;
      res.writeHead(429, { 'retry-after': String(seconds) });
      res.end();
      return;
    }
    const upstream = request(`${emu.url}${req.url}`, { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    refused: () => refused,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('a wait the portal asks for', () => {
  it('of 5 s is announced on stderr in a pipe, and the run then completes', async () => {
    const portal = await pausingPortal(5);
    try {
      const r = await cli(['users'], { DOCSPACE_URL: portal.url, DOCSPACE_API_KEY: emu.apiKey });
      expect(r.code, r.stderr).toBe(0);
      expect(portal.refused()).toBe(1);
      expect(r.stderr).toContain('portal asks to wait 5 s');
      expect(r.stdout.trim().split('\n').length).toBeGreaterThan(1);
    } finally {
      await portal.close();
    }
  });

  it('of 1 s is routine in a pipe: not announced there', async () => {
    const portal = await pausingPortal(1);
    try {
      const r = await cli(['users'], { DOCSPACE_URL: portal.url, DOCSPACE_API_KEY: emu.apiKey });
      expect(r.code, r.stderr).toBe(0);
      expect(portal.refused()).toBe(1);
      expect(r.stderr).not.toContain('wait');
    } finally {
      await portal.close();
    }
  });
});
