import type { DocSpaceClient } from '../client/client.js';
import type { Quota } from '../client/schemas.js';

export interface PortalCapabilities {
  /** The plan's `audit` feature: without it `login/filter` silently answers the 20 newest events. */
  audit: boolean;
  /** Days the portal keeps login history (`loginHistoryLifeTime`, at most 180). */
  lifetimeDays: number;
}

export interface ProbeOptions {
  /**
   * A retention read recently enough to trust (an archive keeps the last one): the settings
   * request is skipped. The `audit` feature is always read: it decides how `filter` answers.
   */
  knownLifetimeDays?: number;
  /** The quota, already asked for (a sync asks before its archive is open: sync/head.ts). */
  quota?: Promise<Quota>;
}

/** Read the quota and the retention setting (in parallel) before relying on `login/filter`. */
export async function probePortal(client: DocSpaceClient, opts: ProbeOptions = {}): Promise<PortalCapabilities> {
  const [quota, lifetimeDays] = await Promise.all([
    opts.quota ?? client.quota(),
    opts.knownLifetimeDays ?? client.auditSettings().then((s) => s.loginHistoryLifeTime),
  ]);
  // A quota object without the flag is an older server; treat it like the plans that have it,
  // because `filter` only degrades when the feature is explicitly off.
  return { audit: quota.audit !== false, lifetimeDays };
}
