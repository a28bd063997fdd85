/**
 * zod's "mini" API with English error messages, which classic zod sets up on import and mini
 * leaves to the caller. The edge schemas (responses, the config file) use it: the same checks and
 * messages as classic zod for a twentieth of the code to compile at start-up.
 *
 * Only named exports, never `export *`: a re-exported namespace (zod's `locales`) would keep all
 * of its code in the bundle of every command.
 */
import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

config(en());

export {
  _default,
  array,
  boolean,
  gte,
  int,
  looseObject,
  lte,
  nullish,
  number,
  object,
  optional,
  record,
  string,
  unknown,
} from 'zod/mini';
export type { infer, ZodMiniType } from 'zod/mini';
