/** The people directory in the archive, once per database. */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors/index.js';
import type { DirectoryPerson } from '../src/model/person.js';
import { type ArchiveStore, openStore, SCHEMA_VERSION } from '../src/store/index.js';
import { dialects, dialectTitle } from './helpers/dialects.js';

const DIALECTS = await dialects('people');
const open: ArchiveStore[] = [];
afterEach(async () => {
  for (const s of open.splice(0).reverse()) await s.close();
});
afterAll(async () => {
  for (const d of DIALECTS) await d.cleanup();
});

const T1 = Date.UTC(2025, 5, 1);
const T2 = T1 + 86_400_000;
const T3 = T2 + 86_400_000;

function person(n: number, over: Partial<DirectoryPerson> = {}): DirectoryPerson {
  return {
    id: `0B9A4C1E-2222-4333-8444-${String(n).padStart(12, '0')}`,
    displayName: `Person ${String(n).padStart(4, '0')}`,
    userName: `person${n}`,
    email: `Person${n}@Example.com`,
    status: 1,
    role: 'user',
    registeredAt: T1 - n * 1000,
    terminatedAt: null,
    ...over,
  };
}

const idOf = (n: number) => person(n).id.toLowerCase();

for (const d of DIALECTS) {
  describe.skipIf(Boolean(d.skip))(dialectTitle(d, 'people directory'), () => {
    async function setup(): Promise<{ store: ArchiveStore; portal: number; target: string }> {
      const target = await d.fresh();
      const store = await openStore(target);
      open.push(store);
      const portal = await store.ensurePortal({ url: 'https://acme.example.com' });
      return { store, portal, target };
    }

    it('is part of the current schema', () => {
      expect(SCHEMA_VERSION).toBeGreaterThanOrEqual(4);
    });

    it('keeps everyone read, ids lower-cased, in display-name order, with every field', async () => {
      const { store, portal } = await setup();
      const admin = person(2, { role: 'admin', status: 2, terminatedAt: T1 - 5, email: null, userName: null });
      const r = await store.replacePeople(portal, [person(3), admin, person(1, { role: 'owner' })], T1);
      expect(r).toEqual({ added: 3, updated: 0, removed: 0 });
      const all = await store.people(portal);
      expect(all.map((p) => p.id)).toEqual([idOf(1), idOf(2), idOf(3)]);
      expect(all[1]).toEqual({
        ...admin,
        id: idOf(2),
        portalId: portal,
        readAt: T1,
        removedAt: null,
      });
      expect(all[0].role).toBe('owner');
    });

    it('marks members missing from a complete read as removed, keeps them, and restores them when they return', async () => {
      const { store, portal } = await setup();
      await store.replacePeople(portal, [person(1), person(2), person(3)], T1);
      const r = await store.replacePeople(portal, [person(1, { displayName: 'Renamed' }), person(3)], T2);
      expect(r).toEqual({ added: 0, updated: 2, removed: 1 });
      expect((await store.people(portal)).map((p) => p.id)).toEqual([idOf(3), idOf(1)]);
      const kept = await store.people(portal, { includeRemoved: true });
      expect(kept.find((p) => p.id === idOf(2))).toMatchObject({ removedAt: T2, readAt: T1 });
      expect(kept.find((p) => p.id === idOf(1))).toMatchObject({ displayName: 'Renamed', readAt: T2 });

      // Removed once: a later read does not move the removal date.
      await store.replacePeople(portal, [person(1), person(3)], T3);
      expect((await store.people(portal, { includeRemoved: true })).find((p) => p.id === idOf(2))?.removedAt).toBe(T2);

      await store.replacePeople(portal, [person(1), person(2), person(3)], T3 + 1);
      expect((await store.people(portal)).map((p) => p.id).sort()).toEqual([idOf(1), idOf(2), idOf(3)]);
    });

    it('a partial read updates who it lists and removes no one', async () => {
      const { store, portal } = await setup();
      await store.replacePeople(portal, [person(1), person(2)], T1);
      const r = await store.replacePeople(portal, [person(2, { status: 2, terminatedAt: T2 })], T2, { complete: false });
      expect(r).toEqual({ added: 0, updated: 1, removed: 0 });
      const all = await store.people(portal);
      expect(all.map((p) => [p.id, p.status, p.removedAt])).toEqual([
        [idOf(1), 1, null],
        [idOf(2), 2, null],
      ]);
    });

    it('a read older than the archive overwrites nothing and removes no one', async () => {
      const { store, portal } = await setup();
      await store.replacePeople(portal, [person(1, { displayName: 'New' }), person(2)], T2);
      await store.replacePeople(portal, [person(1, { displayName: 'Old' })], T1);
      const all = await store.people(portal);
      expect(all.map((p) => [p.displayName, p.readAt, p.removedAt])).toEqual([
        ['New', T2, null],
        ['Person 0002', T2, null],
      ]);
    });

    it('finds people by id, e-mail or user name in any case, removed ones included, per portal', async () => {
      const { store, portal } = await setup();
      const other = await store.ensurePortal({ url: 'https://other.example.com' });
      await store.replacePeople(portal, [person(1), person(2), person(3)], T1);
      await store.replacePeople(portal, [person(1), person(3)], T2);
      await store.replacePeople(other, [person(4)], T1);
      const found = await store.findPeople(portal, {
        keys: [person(1).id, 'PERSON2@example.COM', 'Person3', 'person4@example.com', 'nobody'],
      });
      expect(found.map((p) => [p.id, p.removedAt])).toEqual([
        [idOf(1), null],
        [idOf(2), T2],
        [idOf(3), null],
      ]);
      expect(await store.findPeople(other, { keys: ['person4'] })).toHaveLength(1);
      expect(await store.findPeople(portal, { keys: [] })).toEqual([]);
    });

    it('writes a large directory in batches, all in one transaction', async () => {
      const { store, portal } = await setup();
      const many = Array.from({ length: 1234 }, (_, i) => person(i + 1));
      expect(await store.replacePeople(portal, many, T1)).toEqual({ added: 1234, updated: 0, removed: 0 });
      expect(await store.people(portal)).toHaveLength(1234);
      const keys = many.slice(0, 700).map((p) => p.email!);
      expect(await store.findPeople(portal, { keys })).toHaveLength(700);

      // A failure inside the caller's transaction takes the whole read back.
      const err = await store
        .transaction(async (tx) => {
          await tx.replacePeople(portal, many.slice(0, 600), T2);
          throw new Error('network gone');
        })
        .catch((e: Error) => e);
      expect(err.message).toBe('network gone');
      expect((await store.people(portal, { includeRemoved: true })).every((p) => p.readAt === T1 && p.removedAt === null)).toBe(true);
    });

    it('refuses a person it cannot store, and writes nothing of that read', async () => {
      const { store, portal } = await setup();
      const bad = { ...person(2), status: 3 } as unknown as DirectoryPerson;
      await expect(store.replacePeople(portal, [person(1), bad], T1)).rejects.toThrow(/status 3/);
      const role = { ...person(2), role: 'superuser' } as unknown as DirectoryPerson;
      await expect(store.replacePeople(portal, [role], T1)).rejects.toThrow(/role superuser/);
      expect(await store.people(portal, { includeRemoved: true })).toEqual([]);
    });

    it('a read-only store reads the directory and refuses to replace it', async () => {
      const { store, portal, target } = await setup();
      await store.replacePeople(portal, [person(1)], T1);
      const ro = await openStore(target, { readOnly: true });
      open.push(ro);
      expect((await ro.people(portal)).map((p) => p.id)).toEqual([idOf(1)]);
      await expect(ro.replacePeople(portal, [], T2)).rejects.toBeInstanceOf(UsageError);
      expect(await store.people(portal)).toHaveLength(1);
    });
  });
}
