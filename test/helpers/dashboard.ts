/**
 * A seeded archive for the dashboard tests: the emulator's portal with a few hundred events, an
 * injected `<script>` typed login sent through the emulator's real login endpoint, synced into a
 * temporary SQLite file over loopback HTTP.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator } from '../../src/emulator/index.js';
import { openStore } from '../../src/store/index.js';
import type { ArchiveStore } from '../../src/store/index.js';
import { syncInto } from './archive.js';

/** What the hostile login types: a space keeps it from looking like a password (which would be masked). */
export const SCRIPT_LOGIN = '<script>window.__pwned=1</script> anna';
/** A password typed into the login field by mistake: it must never be shown in clear. */
export const PASSWORD_LOGIN = 'Winter2026Pass';
/** The emulator's clock starts here and then runs in real time: pages are read an hour later, so the injected logins are in. */
export const NOW = Date.UTC(2026, 2, 10, 12, 0, 0);

export interface SeededArchive {
  store: ArchiveStore;
  path: string;
  close(): Promise<void>;
}

export async function seededArchive(opts: { events?: number; now?: number } = {}): Promise<SeededArchive> {
  const dir = mkdtempSync(join(tmpdir(), 'dashboard-test-'));
  const path = join(dir, 'archive.sqlite');
  const emu = await startEmulator({ seed: 7, users: 25, events: opts.events ?? 1500, days: 60, now: opts.now ?? NOW });
  try {
    for (const userName of [PASSWORD_LOGIN, SCRIPT_LOGIN]) {
      const res = await fetch(`${emu.url}/api/2.0/authentication`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userName, password: 'wrong password' }),
      });
      await res.arrayBuffer();
    }
    await syncInto(emu, path);
  } finally {
    await emu.close();
  }
  const store = await openStore(path, { readOnly: true });
  return {
    store,
    path,
    close: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
