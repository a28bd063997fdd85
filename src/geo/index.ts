// Offline geography: DocSpace's country names and city strings to coordinates, and distances.
export { countryCode } from './countries.js';
export { distanceKm } from './distance.js';
export { foldPlace } from './fold.js';
export { GEO_ATTRIBUTION, type Place, resolvePlace } from './gazetteer.js';
