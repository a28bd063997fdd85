/**
 * The login-history action catalogue: every MessageAction code the server writes to
 * `login_events` (1000–1029), with the kind we file it under and the server's English text.
 */

export type ActionKind = 'success' | 'failure' | 'logout' | 'other';

export interface ActionInfo {
  readonly code: number;
  readonly name: string;
  readonly kind: ActionKind;
  readonly label: string;
}

const table: ReadonlyArray<readonly [number, string, ActionKind, string]> = [
  [1000, 'LoginSuccess', 'success', 'Login Success'],
  [1001, 'LoginSuccessViaSocialAccount', 'success', 'Login Via Social Account Success'],
  [1002, 'LoginFailInvalidCombination', 'failure', 'Login Fail. Invalid username-password combination'],
  [1003, 'LoginFailSocialAccountNotFound', 'failure', 'Login Fail. Associated Social Account Not Found'],
  [1004, 'LoginFailDisabledProfile', 'failure', 'Login Fail. Profile Disabled'],
  [1005, 'LoginFail', 'failure', 'Login Fail'],
  [1006, 'Logout', 'logout', 'Logout'],
  [1007, 'LoginSuccessViaSms', 'success', 'Login via SMS successful'],
  [1008, 'LoginFailViaSms', 'failure', 'Login via SMS failed'],
  [1009, 'LoginFailIpSecurity', 'failure', 'IP Security: Login Failed'],
  [1010, 'LoginSuccessViaApi', 'success', 'Successful Login via API'],
  [1011, 'LoginSuccessViaSocialApp', 'success', 'Successful login via social application'],
  [1012, 'LoginSuccessViaApiSms', 'success', 'Successful Login via API & SMS Code'],
  [1013, 'LoginFailViaApi', 'failure', 'Failed Login via API'],
  [1014, 'LoginFailViaApiSms', 'failure', 'Failed Login via API & SMS Code'],
  [1015, 'LoginSuccessViaSSO', 'success', 'Successful Login via SSO'],
  // Session markers exist in the enum but nothing writes them any more.
  [1016, 'SessionStarted', 'other', 'Session Started'],
  [1017, 'SessionCompleted', 'other', 'Session Completed'],
  [1018, 'LoginFailViaSSO', 'failure', 'Login via SSO Failed'],
  [1019, 'LoginSuccessViaApiSocialAccount', 'success', 'Login Via Social Account Success: {0}'],
  [1020, 'LoginFailViaApiSocialAccount', 'failure', 'Login via API & Social Media Failed'],
  [1021, 'LoginSuccesViaTfaApp', 'success', 'Successful Login via authenticator application'],
  [1022, 'LoginFailViaTfaApp', 'failure', 'Login via authenticator application Failed'],
  [1023, 'LoginFailBruteForce', 'failure', 'Login Fail. Too many attempts'],
  [1024, 'LoginSuccessViaApiTfa', 'success', 'Successful Login via API & authenticator application'],
  [1025, 'LoginFailViaApiTfa', 'failure', 'Failed Login via API & authenticator application'],
  [1026, 'LoginFailRecaptcha', 'failure', 'Login Fail. Recaptcha is invalid'],
  // The server counts a confirm-link login as a login.
  [1027, 'AuthLinkActivated', 'success', 'The authorization link has been activated'],
  [1028, 'LoginSuccessViaOAuth', 'success', 'Successful Login via OAuth 2.0'],
  [1029, 'LoginSuccessViaPassword', 'success', 'Login success via login and password'],
];

export const ACTIONS: ReadonlyMap<number, ActionInfo> = new Map(
  table.map(([code, name, kind, label]) => [code, Object.freeze({ code, name, kind, label })]),
);

export const ACTION_KINDS: readonly ActionKind[] = ['success', 'failure', 'logout', 'other'];

/** Kind of any code; codes outside the catalogue (a newer server) are `other`, never an error. */
export function actionKind(code: number): ActionKind {
  return ACTIONS.get(code)?.kind ?? 'other';
}

/** English label; a code we do not know keeps the server's own text or its number. */
export function actionLabel(code: number, serverText?: string): string {
  const info = ACTIONS.get(code);
  if (!info) return serverText || `Action ${code}`;
  return info.label.includes('{0}') && serverText ? serverText : info.label.replace(': {0}', '');
}

/** Codes of one kind, for filters. */
export function actionCodes(kind: ActionKind): number[] {
  return [...ACTIONS.values()].filter((a) => a.kind === kind).map((a) => a.code);
}

export function isActionKind(value: string): value is ActionKind {
  return (ACTION_KINDS as readonly string[]).includes(value);
}
