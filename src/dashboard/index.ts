// The dashboard: an app object over the archive (`createDashboardApp`), and the socket in front of it.
export { type ActionOutcome, type ActionRequest, type ActionRunner, type DashboardAction } from './actions.js';
export { createDashboardApp, type DashboardApp, type DashboardOptions } from './app.js';
export { archiveFindings } from './data/findings-store.js';
export type { DashboardFinding, FindingsQuery, FindingsSource, FindingStatus } from './data/findings.js';
export { escapeHtml, html, Html } from './html.js';
export { type RunningDashboard, startDashboard } from './server.js';
export { type RespondFunction, respondRunner, type ResponseRecordLike } from './respond-runner.js';
