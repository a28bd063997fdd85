export {
  actionText,
  createEmulatorApp,
  displayUser,
  type EmulatorApp,
  type EmulatorOptions,
  EmulatorState,
  type EmulatorStats,
  type ExtraKey,
  type KeyRole,
  parseGuid,
  parseQueryDate,
  parseUserAgent,
  type RateLimitHeaders,
  type RateLimitOptions,
  type ResolvedEmulatorOptions,
  resolveOptions,
  type ServedEvent,
} from './app.js';
export {
  apiKeyForSeed,
  DEMO,
  DEMO_EMAIL,
  DEMO_PASSWORD,
  type EmulatorPerson,
  generatePortal,
  type Role,
  ZoneOffsets,
} from './data.js';
export { hashSeed, Rng } from './random.js';
export { type RunningEmulator, startEmulator } from './server.js';
export { EventStore, PlaceTable, StringTable } from './store.js';
