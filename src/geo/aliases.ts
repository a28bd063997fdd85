/**
 * Names one place goes by. GeoNames' main name is sometimes the local form (Köln, Nürnberg) and
 * sometimes the English one (Munich, Kyiv), while DocSpace's geo database and people write either,
 * so each group lists every spelling we have met for one place; the resolver tries the others
 * when the one it was given is not in the gazetteer. Spellings here are compared folded.
 */
const GROUPS: readonly (readonly string[])[] = [
  ['Munich', 'München', 'Muenchen'],
  ['Kyiv', 'Kiev'],
  ['Köln', 'Cologne', 'Koeln'],
  ['Nürnberg', 'Nuremberg', 'Nuernberg'],
  ['Hannover', 'Hanover'],
  ['Frankfurt am Main', 'Frankfurt'],
  ['Bengaluru', 'Bangalore'],
  ['Yekaterinburg', 'Ekaterinburg'],
  ['Nizhniy Novgorod', 'Nizhny Novgorod'],
  ['Rostov-na-Donu', 'Rostov-on-Don'],
  ['Saint Petersburg', 'Petersburg'],
  ['Moscow', 'Moskva'],
  ['Kharkiv', 'Kharkov'],
  ['Lviv', 'Lvov'],
  ['Odessa', 'Odesa'],
  ['Dnipro', 'Dnepropetrovsk', 'Dnipropetrovsk'],
  ['Zaporizhzhia', 'Zaporozhye'],
  ['Chisinau', 'Kishinev'],
  ['Almaty', 'Alma-Ata'],
  ['Antwerpen', 'Antwerp'],
  ['Brussels', 'Bruxelles', 'Brussel'],
  ['The Hague', 'Den Haag', "'s-Gravenhage"],
  ['Genève', 'Geneva', 'Genf'],
  ['Zürich', 'Zurich', 'Zuerich'],
  ['Göteborg', 'Gothenburg'],
  ['Copenhagen', 'København'],
  ['Vienna', 'Wien'],
  ['Prague', 'Praha'],
  ['Warsaw', 'Warszawa'],
  ['Lisbon', 'Lisboa'],
  ['Rome', 'Roma'],
  ['Milan', 'Milano'],
  ['Naples', 'Napoli'],
  ['Turin', 'Torino'],
  ['Florence', 'Firenze'],
  ['Venice', 'Venezia'],
  ['Athens', 'Athina'],
  ['Bucharest', 'Bucuresti'],
  ['Belgrade', 'Beograd'],
  ['Mumbai', 'Bombay'],
  ['Kolkata', 'Calcutta'],
  ['Chennai', 'Madras'],
  ['Beijing', 'Peking'],
  ['Guangzhou', 'Canton'],
  ['Ho Chi Minh City', 'Saigon'],
  ['Mexico City', 'Ciudad de México'],
  ['New York City', 'New York'],
  ['Washington, D.C.', 'Washington DC', 'Washington'],
];

const byName = new Map<string, readonly string[]>();

/** Other spellings of `folded` (a folded name), folded; empty when we know none. */
export function placeAliases(folded: string, fold: (s: string) => string): readonly string[] {
  if (byName.size === 0) {
    for (const group of GROUPS) {
      const keys = group.map(fold);
      for (const k of keys) byName.set(k, keys.filter((o) => o !== k));
    }
  }
  return byName.get(folded) ?? [];
}
