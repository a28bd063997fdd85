// Alerts: destinations as URIs, their formats and senders, grouping, the durable outbox and its worker.
export * from './types.js';
export { type Destination, type DestinationKind, DESTINATION_USAGE, parseDestination, type ParseOptions, redactUri } from './destination.js';
export { loadSecret, parseSecret, SIGNATURE_HEADER, signatureHeaders, type WebhookSecret } from './signature.js';
export { alertDocument, type AlertDocument, alertId, createAlert, MAX_EVENT_IDS, summaryLine } from './payload.js';
export { slackMessage } from './format/slack.js';
export { teamsMessage } from './format/teams.js';
export { rfc5424, octetFrame } from './format/syslog.js';
export { cefMessage } from './format/cef.js';
export { alertEmail } from './format/email.js';
export { createSender, type Sender, type SenderContext } from './send/index.js';
export { classifyHttp, DEFAULT_SCHEDULE, nextRetryDelay, type RetrySchedule } from './retry.js';
export { RateGate } from './rate.js';
export { decideNotify, DEFAULT_GROUPING, type GroupingPolicy, type NotifiedState, type NotifyDecision } from './grouping.js';
export { type AlertRow, type Claim, createOutboxTables, DEFAULT_LEASE_MS, type DeliveryRow, type DeliveryStatus, OUTBOX_DDL, Outbox, type OutboxOptions, type TransactionRunner, type Worker } from './outbox.js';
export { DESTINATION_GONE_RULE, Dispatcher, type DispatcherOptions, type DispatchOutcome, type DispatchSummary, type DrainOptions } from './dispatch.js';
export { notifyFinding } from './notify.js';
