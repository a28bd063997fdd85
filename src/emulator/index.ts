// The DocSpace emulator: an in-memory portal app (app.ts), its server (server.ts) and its data.
export { ApiDates } from './api-date.js';
export { createEmulatorApp, type EmulatorApp } from './app.js';
export type { Device, Location } from './data/catalogue.js';
export type { EventSink, SinkEvent } from './data/generator.js';
export type { Scenario, ScenarioKind } from './data/scenarios.js';
export { type GeoRange, parseGeoCsv } from './geo.js';
export { tfaCode } from './security/index.js';
export type { EmulatorPerson, Role } from './data/people.js';
export { generatePortal } from './data/portal.js';
export { apiKeyForSeed, DEMO, DEMO_EMAIL, DEMO_PASSWORD } from './demo.js';
export { parseGuid, parseQueryDate } from './dotnet.js';
export { EmulatorError, type EmulatorErrorInit } from './http/error.js';
export {
  type EmulatorOptions,
  type ExtraKey,
  type KeyRole,
  type OddDate,
  type RateLimitHeaders,
  type RateLimitOptions,
  type ResolvedEmulatorOptions,
  resolveOptions,
} from './options.js';
export { actionText, displayUser, type ServedEvent } from './render.js';
export { hashSeed, Rng } from './random.js';
export { type RunningEmulator, startEmulator } from './server.js';
export type { EmulatorStats } from './counters.js';
export { EmulatorState } from './state.js';
export { EventStore, PlaceTable, StringTable } from './store.js';
export { parseUserAgent } from './user-agent.js';
export { ZoneOffsets } from '../model/zone.js';
