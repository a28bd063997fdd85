/** An archive filled from an emulator by a real sync over loopback HTTP, for tests that read archives. */
import { DocSpaceClient, type EmulatorOptions, type RunningEmulator, startEmulator } from '../../src/index.js';
import { type ArchiveStore, openStore } from '../../src/store/index.js';
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

/** The people directory as the reports take it (`identities`), by user id. */
export type Identities = Map<string, { email: string | null; userName: string | null; name: string }>;

export interface SyncedArchive {
  emu: RunningEmulator;
  db: string;
  store: ArchiveStore;
  identities: Identities;
}

/** An emulator synced into a fresh archive (`fresh`: a dialect's), opened, with its people directory. */
export async function syncedArchive(fresh: () => Promise<string>, options: EmulatorOptions): Promise<SyncedArchive> {
  const emu = await startEmulator(options);
  const db = await fresh();
  await syncInto(emu, db);
  const store = await openStore(db);
  const portal = (await store.portals())[0].id;
  const people = await store.people(portal, { includeRemoved: true });
  const identities: Identities = new Map(people.map((p) => [p.id, { email: p.email ?? null, userName: p.userName ?? null, name: p.displayName }]));
  return { emu, db, store, identities };
}
