import data from './data/cities.json' with { type: 'json' };
import { placeAliases } from './aliases.js';
import { countryCode } from './countries.js';
import { foldPlace } from './fold.js';

/**
 * Where a (country, city) pair DocSpace reported lies. `level` says how far we trust it:
 * `city` — the place itself; `country` — only the country's population centre (city missing,
 * unknown, or a name several distant places share); `none` — not even the country.
 */
export interface Place {
  level: 'city' | 'country' | 'none';
  /** ISO 3166-1 alpha-2, when the country resolved. */
  country?: string;
  /** The gazetteer's name of the city, when level is `city`. */
  city?: string;
  lat: number;
  lon: number;
}

interface Row {
  name: string;
  lat: number;
  lon: number;
  ambiguous: boolean;
}

const NOWHERE: Place = Object.freeze({ level: 'none', lat: Number.NaN, lon: Number.NaN });
const countries = data.countries as Record<string, string>;
const centroids = data.centroids as Record<string, number[]>;

/** Folded name → row, built per country on first use: a portal's events mention few countries. */
const indexes = new Map<string, Map<string, Row>>();

function countryIndex(iso: string): Map<string, Row> {
  let index = indexes.get(iso);
  if (index) return index;
  index = new Map();
  for (const line of (countries[iso] ?? '').split('\n')) {
    if (!line) continue;
    const [name, lat, lon, flag] = line.split('\t');
    index.set(foldPlace(name), { name, lat: Number(lat), lon: Number(lon), ambiguous: flag === '?' });
  }
  indexes.set(iso, index);
  return index;
}

/** Resolves a country name and city string from a login event. Never throws. */
export function resolvePlace(country: string, city: string): Place {
  const iso = countryCode(country);
  if (!iso || !centroids[iso]) return NOWHERE;
  const [clat, clon] = centroids[iso];
  const atCountry: Place = { level: 'country', country: iso, lat: clat, lon: clon };
  const key = foldPlace(city);
  if (!key) return atCountry;
  const index = countryIndex(iso);
  const direct = index.get(key);
  if (direct && !direct.ambiguous) return at(iso, direct);
  for (const other of placeAliases(key, foldPlace)) {
    const row = index.get(other);
    if (row && !row.ambiguous) return at(iso, row);
  }
  return atCountry;
}

function at(iso: string, row: Row): Place {
  return { level: 'city', country: iso, city: row.name, lat: row.lat, lon: row.lon };
}

/** The attribution the GeoNames licence (CC BY 4.0) asks for, for NOTICE and `--licenses`. */
export const GEO_ATTRIBUTION = 'Contains data from GeoNames (https://www.geonames.org/), licensed under CC BY 4.0.';
