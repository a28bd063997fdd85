/** Who is acting: the key's user (`GET people/@self`) and the key's scopes (`GET keys/@self`). */
import type { DocSpaceClient } from '../client/client.js';
import { apiKeySchema, personSchema } from '../client/schemas.js';
import * as z from '../client/zod.js';
import { NotDocSpaceError } from '../errors/index.js';
import type { Caller } from './guard.js';

export async function readCaller(client: DocSpaceClient): Promise<Caller> {
  const [self, key] = await Promise.all([client.get('people/@self', personSchema), keyInUse(client)]);
  return {
    id: self.id.toLowerCase(),
    name: self.displayName ?? self.email ?? self.id,
    isOwner: self.isOwner === true,
    isAdmin: self.isAdmin === true,
    ...(key ? { permissions: key.permissions ?? [] } : {}),
  };
}

/**
 * The key the request was made with: `GET keys/@self` answers it, or nothing for a session
 * token (which carries the member's full rights). A server without that route answers 404: the
 * scope is then unknown and the write itself decides; its 403 without a body is explained as a
 * missing `*:write` (see respond.ts). We read the scopes as the current server stores them:
 * an empty list or `*` is full access.
 */
async function keyInUse(client: DocSpaceClient) {
  try {
    return await client.get('keys/@self', z.nullish(apiKeySchema));
  } catch (err) {
    if (err instanceof NotDocSpaceError && err.details.status === 404) return undefined;
    throw err;
  }
}
