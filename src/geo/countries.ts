import data from './data/cities.json' with { type: 'json' };
import { foldPlace } from './fold.js';

/**
 * DocSpace sends a country as .NET's `RegionInfo.EnglishName` ("Germany"), never an ISO code.
 * Node's ICU carries the same CLDR English names, so the reverse map is built at first use from the
 * codes GeoNames lists (live codes only: ICU also names retired ones, and DD is "Germany" too); the aliases cover what .NET (and older servers) spell differently from CLDR.
 */
const ALIASES: Readonly<Record<string, string>> = {
  'Hong Kong SAR': 'HK',
  'Hong Kong': 'HK',
  'Macao SAR': 'MO',
  Macau: 'MO',
  Korea: 'KR',
  'Republic of Korea': 'KR',
  'Korea, Republic of': 'KR',
  'North Korea': 'KP',
  Turkey: 'TR',
  'Czech Republic': 'CZ',
  'Russian Federation': 'RU',
  'United States of America': 'US',
  USA: 'US',
  'Great Britain': 'GB',
  UK: 'GB',
  Myanmar: 'MM',
  Burma: 'MM',
  'Congo (DRC)': 'CD',
  'Democratic Republic of the Congo': 'CD',
  Congo: 'CG',
  'Republic of the Congo': 'CG',
  "Côte d'Ivoire": 'CI',
  'Ivory Coast': 'CI',
  'Palestinian Authority': 'PS',
  Palestine: 'PS',
  'Vatican City': 'VA',
  Macedonia: 'MK',
  'Macedonia, FYRO': 'MK',
  Swaziland: 'SZ',
  eSwatini: 'SZ',
  'Cape Verde': 'CV',
  Micronesia: 'FM',
  Taiwan: 'TW',
  Iran: 'IR',
  Syria: 'SY',
  Vietnam: 'VN',
  Laos: 'LA',
  Moldova: 'MD',
  Bolivia: 'BO',
  Venezuela: 'VE',
  Tanzania: 'TZ',
  'Bosnia and Herzegovina': 'BA',
  'Trinidad and Tobago': 'TT',
};

let byName: Map<string, string> | undefined;

function table(): Map<string, string> {
  if (byName) return byName;
  byName = new Map();
  const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
  for (const code of Object.keys(data.centroids)) {
    const name = names.of(code);
    if (name && name !== code) byName.set(foldPlace(name), code);
  }
  for (const [name, code] of Object.entries(ALIASES)) byName.set(foldPlace(name), code);
  return byName;
}

/** ISO 3166-1 alpha-2 code of a country as DocSpace names it, or undefined. Accepts codes too. */
export function countryCode(name: string): string | undefined {
  const trimmed = name.trim();
  if (!trimmed) return undefined;
  const hit = table().get(foldPlace(trimmed));
  if (hit) return hit;
  return /^[A-Za-z]{2}$/.test(trimmed) ? trimmed.toUpperCase() : undefined;
}
