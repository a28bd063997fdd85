import { z } from 'zod';
import { parseDuration } from '../model/time.js';
import { SEVERITIES } from './types.js';
import { VIEW_FIELDS } from './view.js';

/**
 * The rule file format (documented in rules/README.md). Sigma-shaped: named selections and a
 * boolean `condition` over them; a `correlation` that counts matches per group in a sliding
 * window (Sigma's event_count, value_count, temporal_ordered) or compares with what a user did
 * before (new_value, baseline); `suppress` so one attack is one finding; `tests` that ship
 * with the rule. `engine: code` hands the events to a named TypeScript module instead.
 */

const duration = z.string().refine((s) => parseDuration(s) !== undefined, {
  message: 'expected a duration such as 30s, 15m, 3h or 14d',
});
const field = z.enum(VIEW_FIELDS);
const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** `field` or `field|modifier` → a value or a list of values (any of them matches). */
const selection = z.record(z.string(), z.union([scalar, z.array(scalar)]));

const correlation = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('event_count'),
    group_by: z.array(field).default([]),
    window: duration,
    distinct: z.array(field).default([]),
    where: z.string(),
  }),
  z.strictObject({
    type: z.literal('value_count'),
    group_by: z.array(field).default([]),
    window: duration,
    field,
    distinct: z.array(field).default([]),
    where: z.string(),
  }),
  z.strictObject({
    type: z.literal('temporal_ordered'),
    group_by: z.tuple([field]),
    window: duration,
    /** Steps in order: findings of other rules (on the same target), then a selection. */
    after: z.array(z.string()).min(1),
    then: z.string(),
  }),
  z.strictObject({
    type: z.literal('new_value'),
    group_by: z.tuple([field]),
    fields: z.array(field).min(1),
    /** How long a user must have been seen before novelty counts (silent seeding before). */
    learning: duration,
    /** And how many successes the user needs before that (a user seen twice has no baseline yet). */
    min_events: z.number().int().min(0).default(0),
    /** A value last seen longer ago than this counts as new again. */
    history: duration.optional(),
  }),
  z.strictObject({
    type: z.literal('baseline'),
    group_by: z.tuple([field]),
    metric: z.enum(['hour_of_week', 'idle']),
    history: duration,
    /** The user must have been seen this long before (a few weeks, so every weekday has history). */
    learning: duration.optional(),
    min_events: z.number().int().nonnegative().default(0),
    active_days: z.number().int().positive().default(3),
    tolerance: z.number().int().nonnegative().default(0),
    idle: duration.optional(),
  }),
]);

const testEvent = z.looseObject({
  at: z.string().optional(),
  repeat: z.number().int().positive().optional(),
  every: duration.optional(),
  cycle: z.record(z.string(), z.array(scalar)).optional(),
});

const expectation = z.strictObject({
  group: z.string().optional(),
  severity: z.enum(SEVERITIES).optional(),
  count: z.number().int().optional(),
  confidence: z.enum(['high', 'low']).optional(),
  evidence: z.record(z.string(), z.unknown()).optional(),
});

const ruleTest = z.strictObject({
  name: z.string(),
  start: z.string().optional(),
  people: z.array(z.looseObject({ id: z.string() })).optional(),
  events: z.array(testEvent).default([]),
  polls: z.array(z.record(z.string(), z.unknown())).optional(),
  expect: z.array(expectation),
});

export const ruleSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash, underscore'),
    title: z.string().min(1),
    description: z.string().default(''),
    status: z.enum(['stable', 'test', 'experimental']).default('stable'),
    severity: z.enum(SEVERITIES),
    tags: z.array(z.string()).default([]),
    references: z.array(z.string()).default([]),
    params: z.record(z.string(), z.union([scalar, z.array(scalar)])).default({}),
    engine: z.enum(['rules', 'code']).default('rules'),
    module: z.string().optional(),
    detection: z
      .object({ condition: z.string().optional() })
      .catchall(z.union([selection, z.string()]))
      .optional(),
    correlation: correlation.optional(),
    escalate: z.array(z.strictObject({ when: z.string(), severity: z.enum(SEVERITIES) })).default([]),
    suppress: z.strictObject({ window: duration, group_by: z.array(field).optional() }).optional(),
    tests: z.array(ruleTest).default([]),
    /**
     * The containment a watcher may run on its own for this rule's findings (`autoRespondPolicy`
     * in src/respond/policy.ts): off unless the watcher is told to, capped per hour, never on
     * the owner, and on admins only with --allow-admin.
     */
    respond: z.enum(['logout-session', 'logout-user', 'disable-user']).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.engine === 'code' && !r.module) ctx.addIssue({ code: 'custom', path: ['module'], message: 'engine: code needs a module' });
    if (r.engine === 'rules' && !r.detection) ctx.addIssue({ code: 'custom', path: ['detection'], message: 'required' });
  });

export type RuleSpec = z.infer<typeof ruleSchema>;
export type CorrelationSpec = z.infer<typeof correlation>;
export type RuleTestSpec = z.infer<typeof ruleTest>;
export type Expectation = z.infer<typeof expectation>;
