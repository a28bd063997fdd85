/**
 * Plausible travel for the benign background: a member whose next login would come from a city
 * too far away for the time since the last one (faster than an airliner) logs in from where
 * they were instead. Only used with labelled scenarios, where the one impossible journey must
 * be the labelled one.
 */
import type { Columns, StoreTables } from '../store.js';
import { ATTACK_CITIES, type City, distanceKm, OFFICE_CITIES } from './catalogue.js';
import type { EmulatorPerson } from './people.js';

/** Faster than this between two cities this far apart is not a journey anyone made. */
const MAX_KMH = 500;
const MIN_KM = 300;

export function keepTravelPlausible(cols: Columns, count: number, people: EmulatorPerson[], tables: StoreTables): void {
  const cities = new Map<string, City>();
  for (const c of [...OFFICE_CITIES, ...ATTACK_CITIES]) if (c.lat !== undefined) cities.set(c.city, c);
  const rowsOf = new Map<number, number[]>();
  for (const p of people) rowsOf.set(p.userIndex, []);
  for (let r = 0; r < count; r++) rowsOf.get(cols.user[r])?.push(r);
  for (const rows of rowsOf.values()) {
    rows.sort((a, b) => cols.time[a] - cols.time[b]);
    let last: { time: number; city: City; place: number } | undefined;
    for (const r of rows) {
      const city = cities.get(tables.places.get(cols.place[r]).city);
      if (!city) continue;
      if (last && last.city !== city) {
        const km = distanceKm(last.city, city);
        const hours = Math.max((cols.time[r] - last.time) / 3_600_000, 1 / 60);
        if (km > MIN_KM && km / hours > MAX_KMH) {
          cols.place[r] = last.place;
          last = { ...last, time: cols.time[r] };
          continue;
        }
      }
      last = { time: cols.time[r], city, place: cols.place[r] };
    }
  }
}
