// The tenant's security state: sessions, brute-force guard, IP restrictions, API keys, audit trail.
export { addStartKeys, type ApiKey, ApiKeys, KEY_SCOPES, scopeAllows } from './api-keys.js';
export { AUDIT_TEXT, type AuditQuery, type AuditRecord, AuditTrail } from './audit-trail.js';
export { BruteForceGuard, DEFAULT_LOGIN_SETTINGS, type LoginSettings } from './brute-force.js';
export { type IpRestriction, IpRestrictions } from './ip-restrictions.js';
export { type Session, Sessions } from './sessions.js';
export { tfaCode, tfaCodeValid } from './tfa.js';
