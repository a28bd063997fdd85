/**
 * What keeps a watch cycle with nothing new cheap: the checked rules cached as JSON while their
 * files are unchanged, and detection (with its engine) loaded only when an event lies after the
 * stored engine state. Real files and a real archive; no timing.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BUILTIN_RULES_DIR, fixtureEvents, loadRules, rulesFingerprint } from '../src/detect/index.js';
import { detectNew } from '../src/detect/run.js';
import type { RuleSpec } from '../src/detect/rule-schema.js';
import { FIXTURE_DIRECTORY } from './helpers/people.js';
import { type ArchiveStore, openStore } from '../src/store/index.js';
import type { DetectNew } from '../src/watch/contract.js';
import { gatedDetectNew, nothingNew } from '../src/watch/gate.js';
import { cachedRuleSpecs } from '../src/watch/rules-cache.js';

const dir = mkdtempSync(join(tmpdir(), 'dl-watch-idle-'));
const stores: ArchiveStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the built-in rules in a folder of the test's own. */
function rulesFolder(name: string): string {
  const folder = join(dir, name);
  mkdirSync(folder);
  for (const f of readdirSync(BUILTIN_RULES_DIR).filter((x) => x.endsWith('.yaml'))) copyFileSync(join(BUILTIN_RULES_DIR, f), join(folder, f));
  return folder;
}

describe('the watcher\'s rules cache', () => {
  it('loads the rules once; the next start reads the same specs (same fingerprint) until a rule file changes', async () => {
    const folder = rulesFolder('rules-a');
    const cache = join(dir, 'cache-a');
    let loads = 0;
    const load = async (): Promise<RuleSpec[]> => {
      loads++;
      return loadRules(folder).map((r) => r.spec);
    };
    const first = await cachedRuleSpecs([folder], { dir: cache, version: '1.0.0', load });
    const second = await cachedRuleSpecs([folder], { dir: cache, version: '1.0.0', load });
    expect(loads).toBe(1);
    expect(second).toEqual(first);
    expect(rulesFingerprint(second, { secret: 'k' })).toBe(rulesFingerprint(first, { secret: 'k' }));

    // Another version of the tool, or a changed rule file: loaded (and checked) again.
    await cachedRuleSpecs([folder], { dir: cache, version: '1.0.1', load });
    expect(loads).toBe(2);
    const file = join(folder, readdirSync(folder)[0]);
    writeFileSync(file, 'id: [not a rule\n');
    await expect(cachedRuleSpecs([folder], { dir: cache, version: '1.0.1', load })).rejects.toThrow(/invalid rule/);
    expect(loads).toBe(3);
  });

  it('without a usable cache folder every start loads in full', async () => {
    const folder = rulesFolder('rules-b');
    const blocked = join(dir, 'a-file');
    writeFileSync(blocked, '');
    let loads = 0;
    const load = async () => (loads++, loadRules(folder).map((r) => r.spec));
    for (let i = 0; i < 2; i++) await cachedRuleSpecs([folder], { dir: join(blocked, 'cache'), version: '1', load });
    expect(loads).toBe(2);
  });
});

describe('detection loaded only when something is new', () => {
  const RULES = loadRules(BUILTIN_RULES_DIR).map((r) => r.spec);
  const PEOPLE = FIXTURE_DIRECTORY;

  it('a cycle with nothing after the stored state never loads the engine; new events do', async () => {
    const store = await openStore(join(dir, 'gate.sqlite'));
    stores.push(store);
    const portal = await store.ensurePortal({ url: 'https://acme.example.com' });
    await store.replacePeople(portal, PEOPLE, Date.UTC(2025, 5, 1));
    const burst = (start: string, idBase: number) =>
      fixtureEvents({ name: 'burst', start, events: [{ action: 'failure', user: 'bob', ip: '198.51.100.9', repeat: 12, every: '1m' }], expect: [] } as never).map((e) => ({
        ...e,
        id: e.id + idBase,
      }));
    await store.insertEvents(portal, burst('2025-06-01T10:00:00Z', 0));
    let loads = 0;
    const gated = gatedDetectNew(async () => {
      loads++;
      return detectNew as DetectNew;
    });
    const opts = { portalId: portal, rules: RULES, secret: 'k' };
    // No stored state yet: the first run loads detection and reads everything.
    expect(await nothingNew(store, opts)).toBe(false);
    expect((await gated(store, opts)).events).toBe(12);
    expect(loads).toBe(1);
    expect(await nothingNew(store, opts)).toBe(true);
    expect(await gated(store, opts)).toMatchObject({ events: 0, created: 0, updated: 0 });
    expect(loads).toBe(1);
    // Other rules (another fingerprint) have no state of their own: not "nothing new".
    expect(await nothingNew(store, { ...opts, rules: RULES.slice(1) })).toBe(false);
    await store.insertEvents(portal, burst('2025-06-02T10:00:00Z', 1000));
    expect(await nothingNew(store, opts)).toBe(false);
    const next = await gated(store, opts);
    expect(next.events).toBe(12);
    expect(next.created).toBeGreaterThan(0);
    expect(loads).toBe(2);
  });
});
