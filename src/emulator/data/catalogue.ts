/**
 * The tables generated portals are drawn from: names, cities with invented address prefixes,
 * devices as the server's user-agent parser prints them, pages and the logins attackers try.
 */

export interface Device {
  browser: string | null;
  platform: string | null;
}

export interface Location {
  ip: string;
  country: string;
  city: string;
}

export const FIRST_NAMES = [
  'Anna', 'Lukas', 'Sophie', 'Jonas', 'Marie', 'Felix', 'Emma', 'Paul', 'Lea', 'Leon', 'Clara',
  'Noah', 'Hannah', 'Elias', 'Mia', 'Ben', 'Laura', 'Tim', 'Julia', 'David', 'Sara', 'Jan', 'Nina',
  'Max', 'Olivia', 'James', 'Chloe', 'Oliver', 'Isabel', 'Marco', 'Giulia', 'Pierre', 'Camille',
  'Lucas', 'Inès', 'Mateo', 'Lucía', 'Pablo', 'Eva', 'Tomás', 'Katarzyna', 'Piotr', 'Aleksandra',
  'Jakub', 'Ingrid', 'Erik', 'Astrid', 'Lars', 'Yuki', 'Kenji', 'Priya', 'Arjun', 'Fatima', 'Omar',
  'Elif', 'Mehmet', 'Zoe', 'Daniel', 'Nora', 'Samuel', 'Ada', 'Viktor', 'Lina', 'Hugo',
];

export const LAST_NAMES = [
  'Schmidt', 'Müller', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Hoffmann',
  'Koch', 'Richter', 'Klein', 'Wolf', 'Neumann', 'Schwarz', 'Braun', 'Zimmermann', 'Krüger',
  'Hartmann', 'Lange', 'Smith', 'Johnson', 'Brown', 'Taylor', 'Wilson', 'Clarke', 'Rossi',
  'Bianchi', 'Martin', 'Bernard', 'Dubois', 'García', 'Fernández', 'López', 'Martínez', 'Kowalski',
  'Nowak', 'Wiśniewska', 'Andersson', 'Johansson', 'Nielsen', 'Hansen', 'Tanaka', 'Sato', 'Sharma',
  'Patel', 'Haddad', 'Yılmaz', 'Kaya', 'Novák', 'Horváth', 'Costa', 'Silva', 'Jansen', 'de Vries',
  'Peeters', "O'Brien", 'Murphy',
];

export const DEPARTMENTS = ['Sales', 'Marketing', 'Engineering', 'Finance', 'Legal', 'Support', 'Operations', 'HR'];
export const CULTURES = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'es-ES', 'it-IT', 'pl-PL', 'nl-NL'];

export interface City {
  country: string;
  city: string;
  /** First two octets used for addresses in this city (invented, for realism only). */
  prefix: string;
  /** Where the city is, for plausible (and implausible) travel between logins. */
  lat?: number;
  lon?: number;
}

export const OFFICE_CITIES: City[] = [
  { country: 'Germany', city: 'Berlin', prefix: '85.214', lat: 52.52, lon: 13.405 },
  { country: 'Germany', city: 'Munich', prefix: '89.246', lat: 48.137, lon: 11.575 },
  { country: 'Germany', city: 'Hamburg', prefix: '91.64', lat: 53.551, lon: 9.994 },
  { country: 'Germany', city: 'Frankfurt am Main', prefix: '84.132', lat: 50.11, lon: 8.682 },
  { country: 'Germany', city: 'Cologne', prefix: '93.197', lat: 50.938, lon: 6.96 },
  { country: 'Austria', city: 'Vienna', prefix: '83.64', lat: 48.208, lon: 16.373 },
  { country: 'Switzerland', city: 'Zurich', prefix: '178.197', lat: 47.377, lon: 8.541 },
  { country: 'France', city: 'Paris', prefix: '90.84', lat: 48.857, lon: 2.352 },
  { country: 'France', city: 'Lyon', prefix: '86.246', lat: 45.764, lon: 4.836 },
  { country: 'Netherlands', city: 'Amsterdam', prefix: '145.53', lat: 52.37, lon: 4.895 },
  { country: 'United Kingdom', city: 'London', prefix: '81.2', lat: 51.507, lon: -0.128 },
  { country: 'United Kingdom', city: 'Manchester', prefix: '86.13', lat: 53.481, lon: -2.243 },
  { country: 'Spain', city: 'Madrid', prefix: '88.26', lat: 40.417, lon: -3.704 },
  { country: 'Spain', city: 'Barcelona', prefix: '79.152', lat: 41.385, lon: 2.173 },
  { country: 'Italy', city: 'Milan', prefix: '93.41', lat: 45.464, lon: 9.19 },
  { country: 'Poland', city: 'Warsaw', prefix: '83.22', lat: 52.23, lon: 21.012 },
  { country: 'Czechia', city: 'Prague', prefix: '89.24', lat: 50.076, lon: 14.438 },
  { country: 'Sweden', city: 'Stockholm', prefix: '90.224', lat: 59.329, lon: 18.069 },
  { country: 'Latvia', city: 'Riga', prefix: '87.110', lat: 56.95, lon: 24.105 },
  { country: 'Portugal', city: 'Lisbon', prefix: '85.240', lat: 38.722, lon: -9.139 },
  { country: 'United States', city: 'New York', prefix: '72.229', lat: 40.713, lon: -74.006 },
  { country: 'United States', city: 'San Francisco', prefix: '76.102', lat: 37.775, lon: -122.419 },
];

/** Where unwanted traffic comes from; country "" means the geo table does not know the address. */
export const ATTACK_CITIES: City[] = [
  { country: 'United States', city: 'Ashburn', prefix: '34.86', lat: 39.044, lon: -77.487 },
  { country: 'Netherlands', city: 'Amsterdam', prefix: '185.220', lat: 52.37, lon: 4.895 },
  { country: 'Singapore', city: 'Singapore', prefix: '159.89', lat: 1.352, lon: 103.82 },
  { country: 'Brazil', city: 'São Paulo', prefix: '177.54', lat: -23.551, lon: -46.633 },
  { country: 'India', city: 'Mumbai', prefix: '103.21', lat: 19.076, lon: 72.878 },
  { country: 'Vietnam', city: 'Hanoi', prefix: '113.160', lat: 21.028, lon: 105.834 },
  { country: 'Romania', city: 'Bucharest', prefix: '89.38', lat: 44.427, lon: 26.103 },
  { country: '', city: '', prefix: '45.155' },
  { country: '', city: '', prefix: '194.26' },
  { country: '', city: '', prefix: '5.188' },
];

export const DESKTOPS: Array<{ device: Device; weight: number }> = [
  { device: { browser: 'Chrome 125', platform: 'Windows 10' }, weight: 30 },
  { device: { browser: 'Chrome 124', platform: 'Windows 10' }, weight: 6 },
  { device: { browser: 'Edge 124', platform: 'Windows 10' }, weight: 14 },
  { device: { browser: 'Firefox 126', platform: 'Windows 10' }, weight: 8 },
  { device: { browser: 'Safari 17', platform: 'Mac OS X 10 Apple Mac' }, weight: 12 },
  { device: { browser: 'Chrome 125', platform: 'Mac OS X 10 Apple Mac' }, weight: 10 },
  { device: { browser: 'Firefox 126', platform: 'Mac OS X 10 Apple Mac' }, weight: 3 },
  { device: { browser: 'Firefox 126', platform: 'Ubuntu' }, weight: 6 },
  { device: { browser: 'Chrome 125', platform: 'Linux' }, weight: 3 },
  { device: { browser: 'Desktop Editors 8.1', platform: 'Windows 10' }, weight: 3 },
];

export const MOBILES: Device[] = [
  { browser: 'Mobile Safari 17', platform: 'iOS 17 Apple iPhone' },
  { browser: 'Safari 17', platform: 'iOS 17 Apple iPad' },
  { browser: 'Chrome Mobile 125', platform: 'Android 14 Google Pixel 8' },
  { browser: 'Samsung Internet 24', platform: 'Android 14 Samsung SM-S911B' },
];

export const SCRIPT_DEVICES: Device[] = [
  { browser: 'Python Requests 2', platform: 'Other' },
  { browser: 'curl 8', platform: 'Other' },
  { browser: 'Other', platform: 'Other' },
  // No User-Agent header at all: browser and platform are absent.
  { browser: null, platform: null },
];

export const SOCIAL_PROVIDERS = ['Google', 'Facebook', 'LinkedIn', 'Microsoft'];

/** Logins that sprays and bursts try besides real addresses. */
export const COMMON_LOGINS = [
  'admin', 'administrator', 'root', 'test', 'user', 'info', 'support', 'office', 'guest',
];

export const PAGES = {
  login: '/login',
  api: '/api/2.0/authentication',
  tfa: '/confirm/TfaAuth',
  authLink: '/confirm/Auth',
  oauth: '/oauth2/authorize',
  sso: 'https://idp.demo-sso.test/saml2/sso',
  afterLogout: [
    '/rooms/shared',
    '/rooms/personal',
    '/rooms/shared/filter',
    '/files/recent',
    '/accounts/people',
    '/profile',
    '/portal-settings/customization/general',
  ],
} as const;

/** Text the server writes as `login` when the form had no user name. */
export const EMAIL_NOT_SPECIFIED = 'Email is not specified';

const BY_PREFIX = new Map([...OFFICE_CITIES, ...ATTACK_CITIES].map((c) => [c.prefix, c]));

/** The emulator's own geolocation: the city whose invented prefix the address has, if any. */
export function catalogueCity(ip: string): { country: string; city: string } | undefined {
  const m = /^(?:::ffff:)?(\d+\.\d+)\.\d+\.\d+$/i.exec(ip);
  const c = m ? BY_PREFIX.get(m[1]) : undefined;
  return c && { country: c.country, city: c.city };
}

/** Great-circle distance in km between two catalogue cities (both with coordinates). */
export function distanceKm(a: City, b: City): number {
  const rad = Math.PI / 180;
  const dLat = ((b.lat ?? 0) - (a.lat ?? 0)) * rad;
  const dLon = ((b.lon ?? 0) - (a.lon ?? 0)) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos((a.lat ?? 0) * rad) * Math.cos((b.lat ?? 0) * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}
