// A first sync's progress is measured against the history the portal holds, not its retention.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { DocSpaceClient, startEmulator } from '../src/index.js';
import { openStore } from '../src/store/index.js';
import { syncPortal } from '../src/sync/index.js';

const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

it('ends at 100% when 60 days are all a portal with 180-day retention holds', async () => {
  const emu = await startEmulator({ now: Date.parse('2025-07-01T10:00:00Z'), seed: 8, events: 6000, days: 60, lifetimeDays: 180 });
  open.push(emu);
  const client = new DocSpaceClient({ portal: emu.url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } });
  open.push(client);
  const store = await openStore(join(mkdtempSync(join(tmpdir(), 'dl-progress-')), 'a.sqlite'));
  open.push(store);
  let last = 0;
  await syncPortal(client, store, {
    now: () => emu.state.now(),
    onProgress: (p) => {
      if (p.oldest !== undefined) last = (p.now - p.oldest) / (p.now - p.floor);
    },
  });
  // Before, the bar stopped at about a third (60 of 180 days) when the read was done.
  expect(last).toBeGreaterThan(0.97);
  expect(last).toBeLessThanOrEqual(1.01);
});
