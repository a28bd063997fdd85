/** An archive filled from an emulator by a real sync over loopback HTTP, for tests that read archives. */
import { DocSpaceClient, type RunningEmulator } from '../../src/index.js';
import { openStore } from '../../src/store/index.js';
import { syncPortal } from '../../src/sync/index.js';

export async function syncInto(emu: RunningEmulator, db: string): Promise<void> {
  const client = new DocSpaceClient({ portal: emu.url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } });
  const store = await openStore(db);
  try {
    await syncPortal(client, store);
  } finally {
    await store.close();
    await client.close();
  }
}
