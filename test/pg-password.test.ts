/**
 * The CLI signs in to PostgreSQL with a password, by SCRAM-SHA-256 and by MD5. Its bundle loads
 * pg's password hashing only when a server asks for it (scripts/bundle-cli.mjs, pgCryptoOnUse):
 * this is what fails if that ever breaks. Needs the two roles' pg_hba.conf lines that
 * scripts/pg-scratch.sh writes; a server that lets them in without a password skips, saying so.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';
import { pgAdmin } from './helpers/dialects.js';

const PG_URL = process.env.DOCSPACE_LOGINS_TEST_PG;
const ROLES = [
  { role: 'dl_scram', method: 'scram-sha-256' },
  { role: 'dl_md5', method: 'md5' },
] as const;
const PASSWORD = 'pw-for-the-handshake-test';

function urlFor(role: string, password: string): string {
  const u = new URL(PG_URL!);
  u.username = role;
  u.password = password;
  return u.toString();
}

/** Why the suite cannot run here, or undefined. */
async function unavailable(): Promise<string | undefined> {
  if (!PG_URL) return 'DOCSPACE_LOGINS_TEST_PG is not set (start one: eval "$(scripts/pg-scratch.sh start)")';
  try {
    await pgAdmin(async (c) => {
      for (const { role, method } of ROLES) {
        await c.query(`set password_encryption = '${method}'`);
        const exists = await c.query('select 1 from pg_roles where rolname = $1', [role]);
        await c.query(`${exists.rowCount ? 'alter' : 'create'} role ${role} login password '${PASSWORD}'`);
      }
    });
  } catch (err) {
    return `PostgreSQL at DOCSPACE_LOGINS_TEST_PG is not reachable or cannot create roles: ${(err as Error).message}`;
  }
  for (const { role } of ROLES) {
    const c = new pg.Client({ connectionString: urlFor(role, 'not-the-password') });
    const letIn = await c.connect().then(
      () => true,
      () => false,
    );
    await c.end().catch(() => {});
    if (letIn) {
      return `the server lets ${role} in without its password: pg_hba.conf has no line asking for one (scripts/pg-scratch.sh writes it)`;
    }
  }
  return undefined;
}

const skip = await unavailable();
if (skip) console.warn(`PostgreSQL password tests SKIPPED: ${skip}`);

describe.skipIf(skip !== undefined)('the CLI signs in to PostgreSQL with a password', () => {
  afterAll(async () => {
    await pgAdmin(async (c) => {
      for (const { role } of ROLES) await c.query(`drop role if exists ${role}`);
    });
  });

  for (const { role, method } of ROLES) {
    it(`by ${method}: the right password is let in, a wrong one is refused in one line`, async () => {
      // The database holds no archive for this role: reaching that answer proves the sign-in.
      const signedIn = await cli(['status', '--db', urlFor(role, PASSWORD)]);
      expect(signedIn.stderr).toMatch(/is not a docspace-logins archive yet/);
      expect(signedIn.stderr).not.toContain(PASSWORD);

      const refused = await cli(['status', '--db', urlFor(role, 'not-the-password')]);
      expect(refused.stderr.trim().split('\n')).toHaveLength(1);
      expect(refused.stderr).toContain(`refused the credentials: password authentication failed for user "${role}"`);
      expect(refused.code).not.toBe(0);
      expect(refused.code).not.toBe(1);
    });
  }
});
