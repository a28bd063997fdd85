/**
 * Which statements the `sql` command lets through to PostgreSQL.
 *
 * A READ ONLY transaction stops writes to tables, but not everything a SELECT can do: it can
 * call `pg_terminate_backend` on a running sync, hold `pg_advisory_lock` (the sync lock's own
 * key), change the session with `set_config`, sleep, read server files (`pg_read_file`,
 * `pg_ls_dir`), export large objects (`lo_export`), or open a second, writable session
 * through `dblink`; `query_to_xml` and friends run SQL text built at run time. No setting turns
 * those off, and a role that lacks them would have to be created by an administrator first.
 *
 * So the check is an allowlist that needs no SQL parser: the text is split into tokens (strings,
 * quoted identifiers and comments recognised, so nothing hides in them), it must be one
 * statement, and every name called as a function must be one of the
 * built-ins below, which only compute. The backend then runs it as the body of a cursor
 * (`DECLARE … CURSOR FOR`, which PostgreSQL accepts for SELECT and VALUES only and refuses for
 * data-modifying WITH) inside a READ ONLY transaction of a session of its own. Each layer
 * covers the others' blind spots: the grammar refuses COPY, CALL, DO and SELECT INTO, the
 * transaction refuses writes through any function missed here, and the allowlist refuses the
 * side effects a read-only transaction allows.
 */
import { UsageError } from '../errors/index.js';
import { READ_ONLY_SQL } from './backend.js';

type Token = { kind: 'word' | 'quoted' | 'punct' | 'other'; text: string };

/**
 * Statements that are not queries. Refused here for a clear message; anything else that is not
 * a query is refused by the cursor's grammar as a syntax error.
 */
const NOT_A_QUERY = new Set(
  (
    'abort alter analyze begin call checkpoint close cluster comment commit copy create deallocate ' +
    'declare delete discard do drop end execute explain fetch grant import insert listen load lock ' +
    'merge move notify prepare reassign refresh reindex release reset revoke rollback savepoint ' +
    'security set show start truncate unlisten update vacuum'
  ).split(' '),
);

/** Words that only appear in statements that write (or in SELECT … INTO, which creates a table). */
const WRITING_WORDS = new Set(['insert', 'update', 'delete', 'merge', 'into', 'truncate', 'copy', 'call']);

/** Keywords that may stand before `(` without being a function call. */
const KEYWORDS_BEFORE_PAREN = new Set(
  (
    'all and any array as asc at between both by case cast coalesce collate cube desc distinct else ' +
    'end escape except exists extract filter first following for from greatest group grouping groups ' +
    'having ilike in intersect interval is join last lateral leading least like limit not nullif ' +
    'nulls offset on only or order over overlay partition position preceding range recursive rollup ' +
    'row rows select sets similar some substring then trailing trim union using values when where ' +
    'window with within zone'
  ).split(' '),
);

/** Built-in functions that compute from their arguments and the rows, and nothing else. */
const ALLOWED_FUNCTIONS = new Set(
  (
    // aggregates and window functions
    'count sum avg min max string_agg array_agg bool_and bool_or every json_agg jsonb_agg ' +
    'json_object_agg jsonb_object_agg percentile_cont percentile_disc mode stddev stddev_pop ' +
    'stddev_samp variance var_pop var_samp corr covar_pop covar_samp row_number rank dense_rank ' +
    'percent_rank cume_dist ntile lag lead first_value last_value nth_value ' +
    // numbers
    'abs ceil ceiling floor round trunc sign sqrt cbrt power pow exp ln log log10 mod div ' +
    'width_bucket pi degrees radians gcd lcm to_number ' +
    // text
    'lower upper length char_length character_length octet_length bit_length substr left right ' +
    'lpad rpad ltrim rtrim btrim replace translate concat concat_ws split_part strpos starts_with ' +
    'reverse repeat initcap md5 format regexp_replace regexp_match regexp_matches ' +
    'regexp_split_to_array regexp_split_to_table regexp_like regexp_count regexp_substr ' +
    'regexp_instr quote_ident quote_literal quote_nullable to_hex ascii chr encode decode ' +
    'string_to_array string_to_table array_to_string ' +
    // arrays and rows
    'unnest array_length array_lower array_upper cardinality array_position array_positions ' +
    'array_remove array_replace array_append array_prepend array_cat generate_series generate_subscripts ' +
    // time
    'now current_setting statement_timestamp transaction_timestamp to_timestamp to_char to_date ' +
    'date_trunc date_part date_bin age make_date make_time make_timestamp make_timestamptz ' +
    'make_interval justify_days justify_hours justify_interval timezone isfinite ' +
    // JSON
    'to_json to_jsonb row_to_json array_to_json json_build_object jsonb_build_object ' +
    'json_build_array jsonb_build_array json_object jsonb_object json_extract_path ' +
    'json_extract_path_text jsonb_extract_path jsonb_extract_path_text json_array_length ' +
    'jsonb_array_length json_each jsonb_each json_each_text jsonb_each_text json_array_elements ' +
    'jsonb_array_elements json_array_elements_text jsonb_array_elements_text json_object_keys ' +
    'jsonb_object_keys json_typeof jsonb_typeof jsonb_pretty jsonb_strip_nulls json_strip_nulls ' +
    'jsonb_path_query jsonb_path_query_array jsonb_path_query_first jsonb_path_exists jsonb_path_match ' +
    // network addresses
    'host hostmask abbrev family masklen netmask network broadcast inet_same_family inet_merge set_masklen'
  ).split(' '),
);

/** Split `text` into tokens, dropping whitespace and comments. */
function tokens(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  const unterminated = () => new UsageError('SQL error: unterminated string, identifier or comment');
  while (i < n) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (text.startsWith('--', i)) {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (text.startsWith('/*', i)) {
      // PostgreSQL's block comments nest.
      let depth = 0;
      do {
        if (i >= n) throw unterminated();
        if (text.startsWith('/*', i)) {
          depth++;
          i += 2;
        } else if (text.startsWith('*/', i)) {
          depth--;
          i += 2;
        } else i++;
      } while (depth > 0);
    } else if (c === "'") {
      // E'…' strings allow backslash escapes; a backslash before a quote then does not end it.
      const escapes = (text[i - 1] === 'e' || text[i - 1] === 'E') && out.at(-1)?.text === 'e';
      for (i++; ; i++) {
        if (i >= n) throw unterminated();
        if (escapes && text[i] === '\\') i++;
        else if (text[i] === "'" && text[i + 1] === "'") i++;
        else if (text[i] === "'") break;
      }
      i++;
      out.push({ kind: 'other', text: "'" });
    } else if (c === '"') {
      let name = '';
      for (i++; ; i++) {
        if (i >= n) throw unterminated();
        if (text[i] === '"' && text[i + 1] === '"') {
          name += '"';
          i++;
        } else if (text[i] === '"') break;
        else name += text[i];
      }
      i++;
      out.push({ kind: 'quoted', text: name });
    } else if (c === '$' && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(text.slice(i))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i))![0];
      const end = text.indexOf(tag, i + tag.length);
      if (end < 0) throw unterminated();
      i = end + tag.length;
      out.push({ kind: 'other', text: "'" });
    } else if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      const m = /^[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/.exec(text.slice(i))![0];
      i += m.length;
      out.push({ kind: 'word', text: m.toLowerCase() });
    } else if (text.startsWith('::', i)) {
      i += 2;
      out.push({ kind: 'punct', text: '::' });
    } else {
      i++;
      out.push({ kind: /[(),;.]/.test(c) ? 'punct' : 'other', text: c });
    }
  }
  return out;
}

/** Throw a UsageError unless `text` is one query whose every function call only computes. */
export function assertReadOnlyQuery(text: string): void {
  const toks = tokens(text);
  while (toks.at(-1)?.text === ';') toks.pop();
  if (toks.length === 0) throw new UsageError('The SQL statement is empty');
  if (toks[0].kind === 'word' && NOT_A_QUERY.has(toks[0].text)) throw new UsageError(READ_ONLY_SQL);
  if (toks.some((t) => t.kind === 'punct' && t.text === ';'))
    throw new UsageError('The sql command runs one statement at a time');
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (t.kind === 'word' && WRITING_WORDS.has(t.text)) throw new UsageError(READ_ONLY_SQL);
    if (toks[k + 1]?.text !== '(' || (t.kind !== 'word' && t.kind !== 'quoted')) continue;
    const before = toks[k - 1];
    const qualified = before?.text === '.';
    if (!qualified) {
      if (t.kind === 'word' && KEYWORDS_BEFORE_PAREN.has(t.text)) continue;
      // A table alias or CTE with its column list, or a type with its modifier: not a call.
      if (before && (before.text === 'as' || before.text === 'with' || before.text === 'recursive' || before.text === '::'))
        continue;
    }
    const schema = qualified ? toks[k - 2]?.text : undefined;
    if ((schema !== undefined && schema !== 'pg_catalog') || !ALLOWED_FUNCTIONS.has(t.text)) {
      const name = schema ? `${schema}.${t.text}` : t.text;
      throw new UsageError(
        `The sql command is read-only and does not call ${name}(): it runs queries with built-in ` +
          'functions that only compute (aggregates, text, numbers, time, JSON)',
        { function: name },
      );
    }
  }
}
