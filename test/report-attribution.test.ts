/**
 * Whose anonymous failed login is it: the one rule (model/attribution.ts) and the one per-user
 * builder that applies it (report/activity.ts).
 */
import { describe, expect, it } from 'vitest';
import { attributeFailure, attributionKey, isPlaceholderLogin, PeopleDirectory } from '../src/model/attribution.js';
import { GUEST_ID } from '../src/model/ids.js';
import { type ActivityFact, buildUserActivity, failuresReport } from '../src/report/index.js';

const ANNA = 'a0000000-0000-4000-8000-000000000001';
const JENS = 'b0000000-0000-4000-8000-000000000002';

const base = { ip: '', country: '', city: '', browser: null, platform: null, events: 1, first: 1, last: 1 };
const own = (userId: string, kind: ActivityFact['kind'], events = 1): ActivityFact => ({
  ...base,
  userId,
  name: userId,
  login: null,
  anonymous: false,
  kind,
  events,
});
const typed = (login: string, events = 1): ActivityFact => ({
  ...base,
  userId: GUEST_ID,
  name: '',
  login,
  anonymous: true,
  kind: 'failure',
  events,
});

describe('attributionKey: how typed logins are compared', () => {
  it.each([
    ['Anna@Example.COM', 'anna@example.com'],
    ['  anna@example.com ', 'anna@example.com'],
    // Full case folding, not just lower case: ß and ẞ fold to ss, final sigma to sigma.
    ['STRAẞE@example.com', 'strasse@example.com'],
    ['straße', 'strasse'],
    ['ΟΔΥΣΣΕΥΣ', 'οδυσσευσ'],
    ['οδυσσευς', 'οδυσσευσ'],
    // NFKC: full-width letters and the Kelvin sign are their plain letters.
    ['Ａｎｎａ', 'anna'],
    ['\u212Aim', 'kim'],
    // Composed and decomposed accents are the same login.
    ['Ja\u0308nne', 'jänne'],
  ])('%j compares as %j', (login, key) => {
    expect(attributionKey(login)).toBe(key);
  });

  it('is idempotent, and SQLite-lowered text (ASCII only) has the same key as the original', () => {
    for (const s of ['ÄNNE@Example.com', 'STRAẞE', 'Ｋｉｍ']) {
      expect(attributionKey(attributionKey(s))).toBe(attributionKey(s));
      const asciiLowered = s.replace(/[A-Z]/g, (c) => c.toLowerCase());
      expect(attributionKey(asciiLowered)).toBe(attributionKey(s));
    }
  });
});

describe('placeholders: what DocSpace writes when nothing was typed belongs to nobody', () => {
  it.each(['Email is not specified', 'EMAIL IS NOT SPECIFIED', 'E-Mail-Adresse ist nicht angegeben', 'Email не указан'])(
    '%j is a placeholder',
    (login) => expect(isPlaceholderLogin(login)).toBe(true),
  );

  it('a real login is not', () => {
    expect(isPlaceholderLogin('anna@example.com')).toBe(false);
    expect(isPlaceholderLogin('Email')).toBe(false);
  });

  it('is never attributed, even to a member whose user name is that very text', () => {
    const directory = new PeopleDirectory([{ id: ANNA, email: 'anna@example.com', userName: 'Email is not specified' }]);
    expect(attributeFailure('Email is not specified', directory)).toBeUndefined();
  });
});

describe('attributeFailure', () => {
  const directory = new PeopleDirectory([
    { id: ANNA.toUpperCase(), email: 'Anna.Schmidt@Example.com', userName: 'anna.schmidt' },
    { id: JENS, email: 'jens@example.com', userName: 'straße' },
  ]);

  it.each([
    ['ANNA.SCHMIDT@EXAMPLE.COM', ANNA],
    ['anna.schmidt', ANNA],
    ['STRASSE', JENS],
    ['jens@example.com', JENS],
    ['anna', undefined],
    ['anna.schmidt@example.co', undefined],
    ['', undefined],
    [null, undefined],
  ])('%j → %s', (login, owner) => {
    expect(attributeFailure(login, directory)).toBe(owner);
  });

  it('a login two members could claim belongs to neither', () => {
    const shared = new PeopleDirectory([
      { id: ANNA, email: 'anna@example.com', userName: 'shared' },
      { id: JENS, email: 'SHARED', userName: 'jens' },
    ]);
    expect(attributeFailure('shared', shared)).toBeUndefined();
    expect(attributeFailure('anna@example.com', shared)).toBe(ANNA);
  });
});

describe('buildUserActivity: the one per-user builder', () => {
  const facts = [
    own(ANNA, 'success', 2),
    own(ANNA, 'failure'),
    own(JENS, 'logout'),
    typed('ANNA@example.com', 3),
    typed('Email is not specified', 4),
    typed('nobody@example.com', 5),
  ];
  const people = new Map([
    [ANNA, { email: 'anna@example.com', userName: 'anna', name: 'Anna Schmidt' }],
    [JENS, { email: 'jens@example.com', userName: 'jens', name: 'Jens Berg' }],
  ]);

  it('credits an anonymous failure to the member it names, and no other', () => {
    const { rows, attributed } = buildUserActivity(facts, { people });
    expect(attributed).toBe(true);
    const byId = new Map(rows.map((r) => [r.userId, r]));
    expect(byId.get(ANNA)).toMatchObject({ name: 'Anna Schmidt', successes: 2, failures: 4, anonymousFailures: 3 });
    expect(byId.get(JENS)).toMatchObject({ failures: 0, logouts: 1 });
  });

  it('without a people directory credits nothing and says so', () => {
    const { rows, attributed } = buildUserActivity(facts);
    expect(attributed).toBe(false);
    expect(rows.find((r) => r.userId === ANNA)).toMatchObject({ failures: 1, anonymousFailures: 0 });
  });

  it('with includeAnonymous, the Guest id has a row with every anonymous event', () => {
    const { rows } = buildUserActivity(facts, { people, includeAnonymous: true });
    expect(rows.find((r) => r.userId === GUEST_ID)).toMatchObject({ name: 'Anonymous', failures: 12 });
  });
});

describe('failuresReport: the login a failure is counted under', () => {
  // A live read's facts carry the login as typed, the archive's rollups its attribution key.
  it('groups by the attribution key, so typed logins and archived keys give one row', () => {
    const rows = failuresReport([typed('Straße@example.com', 2), typed('strasse@example.com', 3), typed('STRASSE@EXAMPLE.COM')], []);
    expect(rows.filter((r) => r.group === 'login')).toMatchObject([{ key: 'strasse@example.com', failures: 6 }]);
  });

  it("counts the text DocSpace writes when nothing was typed as none typed, in any of its languages", () => {
    const rows = failuresReport([typed('Email is not specified', 2), typed('Email не указан'), { ...typed('x'), login: null }], []);
    expect(rows.filter((r) => r.group === 'login')).toMatchObject([{ key: '', failures: 4 }]);
  });
});
