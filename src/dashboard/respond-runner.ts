/**
 * The dashboard's actions through the respond library: "log out this session" is
 * `respond({ action: 'logout-session', target: <login event id> })`, "log out everywhere" is
 * `respond({ action: 'logout-user', target: <user id> })`, never a dry run (the confirmation
 * page was the dry run), recorded in the archive next to the finding when a store is given.
 * The respond function and the portal's client are passed in, so this file depends on their
 * shape only.
 */
import { UsageError } from '../errors/index.js';
import type { ActionOutcome, ActionRunner, DashboardAction } from './actions.js';

/** What the dashboard needs of a response record. */
export interface ResponseRecordLike {
  outcome: 'planned' | 'verified' | 'unverified' | 'failed';
  error?: string;
  target?: { name?: string };
}

export type RespondFunction<Client, Store> = (o: {
  client: Client;
  action: DashboardAction;
  target: string;
  dryRun: boolean;
  store?: Store;
  portalId?: number;
}) => Promise<ResponseRecordLike>;

export interface RespondRunnerOptions<Client, Store> {
  respond: RespondFunction<Client, Store>;
  /** The client of the portal an action is on; undefined when serve has no credentials for it. */
  clientFor(portalId: number): Client | undefined;
  store?: Store;
}

const SUMMARY: Record<ResponseRecordLike['outcome'], string> = {
  verified: 'done: the portal accepted it and its audit trail shows it',
  unverified: 'sent and accepted, but the audit trail does not show it yet: check the portal before assuming it worked',
  failed: 'the portal refused it',
  planned: 'planned only: nothing was sent',
};

export function respondRunner<Client, Store>(o: RespondRunnerOptions<Client, Store>): ActionRunner {
  return async (req): Promise<ActionOutcome> => {
    const client = o.clientFor(req.portalId);
    if (!client) throw new UsageError('serve has no credentials for this portal: actions act only on the portal serve was started for');
    const record = await o.respond({
      client,
      action: req.action,
      target: req.target,
      dryRun: false,
      store: o.store,
      portalId: req.portalId,
    });
    const ok = record.outcome === 'verified' || record.outcome === 'unverified';
    return { ok, summary: SUMMARY[record.outcome] + (record.error ? ` (${record.error})` : ''), record };
  };
}
