/** Failed logins are written by anonymous requests, so they carry the Guest user id. */
export const GUEST_ID = '712d9ec3-5d2b-4b13-824f-71f00191dcca';
export const EMPTY_GUID = '00000000-0000-0000-0000-000000000000';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID.test(value);
}

export function isAnonymousId(userId: string): boolean {
  return userId.toLowerCase() === GUEST_ID;
}
