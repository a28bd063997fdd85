/**
 * Whose failed login is it? DocSpace writes a failed login under the Guest id, because the request
 * was anonymous; the only trace of the account aimed at is the `login` typed into the form. This is
 * the one rule every per-user count uses to give such a failure to a user:
 *
 * - it belongs to the member whose e-mail or user name equals the typed login, compared by
 *   `attributionKey` (Unicode-aware case folding, see there);
 * - the text DocSpace writes when nothing was typed ("Email is not specified", in the portal's
 *   language) belongs to nobody;
 * - a login two members could claim (one's user name is the other's e-mail) belongs to nobody:
 *   counting it twice would inflate both, and guessing would be worse;
 * - without a people directory nothing is attributed, and callers must say so.
 *
 * Matching is done here in JavaScript, never in SQL: SQLite's `lower()` folds ASCII only, so
 * `ÄNNE@…` and `änne@…` would stay apart there.
 */

/**
 * The placeholder login, as the server's audit resources spell it per language (English first).
 * Compared by `attributionKey`. Languages missing here still fall to nobody unless a member's
 * e-mail or user name is that very text.
 */
const PLACEHOLDER_LOGINS: readonly string[] = [
  'Email is not specified',
  'E-Mail-Adresse ist nicht angegeben',
  "L'émail n'est pas spécifiée",
  'Email no especificado',
  'Email non è specificato',
  'E-mail não está especificado',
  'Email не указан',
  'Електронна пошта не вказана',
  'Nie podano e-maila',
  'E-mail není zadán',
  'E-mail is niet gespecificeerd',
  'Eposta belirtilmemiş',
  'Το email δεν έχει οριστεί',
  'Sähköpostia ei ole määritelty',
  '未指定电邮',
  'メールは指定されません',
];

/**
 * The form of a login that attribution compares: NFKC-normalised, trimmed and case-folded.
 * JavaScript has no case-fold function, so this folds by lower → upper → lower case: the upper
 * step expands what full folding expands (`ß` and `ẞ` → `ss`), and the final sigma, which
 * `toLowerCase` writes at the end of a word, becomes `σ` as folding does. NFKC first makes
 * full-width and compatibility forms (`Ａｎｎａ`, the Kelvin sign) their plain letters; NFKC again
 * at the end recomposes what the case mappings decomposed. Locale-free: a Turkish `İ` is not `i`.
 */
export function attributionKey(login: string): string {
  return login.normalize('NFKC').trim().toLowerCase().toUpperCase().toLowerCase().replace(/ς/g, 'σ').normalize('NFKC');
}

const PLACEHOLDER_KEYS: ReadonlySet<string> = new Set(PLACEHOLDER_LOGINS.map(attributionKey));

/**
 * The key a typed login is compared by (`attributionKey`), or undefined when nothing was typed:
 * blank, or the text DocSpace writes when the login form was sent empty. Every comparison of
 * typed logins (attribution, `--user` filters, the failures report) goes through it.
 */
export function typedLoginKey(login: string | null | undefined): string | undefined {
  if (!login?.trim()) return undefined;
  const key = attributionKey(login);
  return PLACEHOLDER_KEYS.has(key) ? undefined : key;
}

/** Is this the text DocSpace writes when the login form was sent empty? */
export function isPlaceholderLogin(login: string): boolean {
  return PLACEHOLDER_KEYS.has(attributionKey(login));
}

/** A member as far as attribution cares (the people API's `id`, `email` and `userName`). */
export interface DirectoryPerson {
  id: string;
  email?: string | null;
  userName?: string | null;
}

/** Who can claim which typed login: built once from the people list, then read per failure. */
export class PeopleDirectory {
  /** Attribution key → lower-case user id, or null when two members share the key. */
  private readonly owners = new Map<string, string | null>();

  constructor(people: Iterable<DirectoryPerson>) {
    for (const p of people) {
      const id = p.id.toLowerCase();
      for (const value of [p.email, p.userName]) {
        if (!value?.trim()) continue;
        const key = attributionKey(value);
        const have = this.owners.get(key);
        this.owners.set(key, have === undefined || have === id ? id : null);
      }
    }
  }

  /** The one member `key` names, if exactly one does. */
  ownerOf(key: string): string | undefined {
    return this.owners.get(key) ?? undefined;
  }
}

/** The lower-case user id a failed login typed as `login` belongs to, or undefined: nobody. */
export function attributeFailure(login: string | null | undefined, directory: PeopleDirectory): string | undefined {
  const key = typedLoginKey(login);
  return key === undefined ? undefined : directory.ownerOf(key);
}
