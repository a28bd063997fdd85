/**
 * `people`: the member lists (active only; the filter with statuses, activation and types),
 * the e-mail lookup, one profile by user name or GUID, as EmployeeFullDto; and disabling or
 * re-enabling members (`people/status/{status}`), which ends a disabled member's sessions.
 */
import type { EmulatorPerson } from '../data/people.js';
import { ModelErrors, parseGuid, parseInt32, peopleDenied, userNotFound } from '../dotnet.js';
import { isAdmin } from '../http/auth.js';
import { type Ctx, type EmulatorResponse, queryAll } from '../http/context.js';
import { EmulatorError } from '../http/error.js';
import { api, type Route } from '../http/middleware.js';
import { envelope, readJson } from '../http/respond.js';
import type { EmulatorState } from '../state.js';
import { actor } from './security.js';

export function peopleRoutes(state: EmulatorState): Route[] {
  return [
    { method: 'GET', pattern: api('people'), area: 'accounts', handler: (c) => peopleList(state, c, false) },
    { method: 'GET', pattern: api('people/filter'), area: 'accounts', handler: (c) => peopleList(state, c, true) },
    { method: 'GET', pattern: api('people/email'), area: 'accounts', handler: (c) => personByEmail(state, c) },
    { method: 'GET', pattern: api('people/([^/]+)'), area: 'accounts', handler: (c) => personByKey(state, c) },
    { method: 'PUT', pattern: api('people/status/([^/]+)'), area: 'accounts', handler: (c) => setStatus(state, c) },
  ];
}

const AVATAR = '/static/images/default_user_photo_size_';

function employeeSummary(p: EmulatorPerson, origin: string) {
  return {
    id: p.id,
    displayName: p.displayName,
    avatar: `${AVATAR}82-82.png`,
    avatarOriginal: `${AVATAR}200-200.png`,
    avatarMax: `${AVATAR}200-200.png`,
    avatarMedium: `${AVATAR}48-48.png`,
    avatarSmall: `${AVATAR}32-32.png`,
    profileUrl: `${origin}/accounts/people/filter?search=${encodeURIComponent(p.email)}`,
    hasAvatar: false,
    isAnonim: false,
  };
}

/** EmployeeFullDto, in the server's property order; `terminated` only while disabled. */
function personDto(state: EmulatorState, p: EmulatorPerson, origin: string, callerIsAdmin: boolean) {
  const dto: Record<string, unknown> = {
    ...employeeSummary(p, origin),
    firstName: p.firstName,
    lastName: p.lastName,
    userName: p.userName,
    email: p.email,
    status: p.status,
    activationStatus: p.activationStatus,
  };
  if (p.terminated !== undefined && p.status === 2) dto.terminated = state.formatDate(p.terminated);
  if (p.department) dto.department = p.department;
  Object.assign(dto, {
    isAdmin: p.role === 'admin',
    isRoomAdmin: p.role === 'roomAdmin',
    isLDAP: false,
    isOwner: p.role === 'owner',
    isVisitor: p.role === 'guest',
    isCollaborator: p.role === 'user',
    cultureName: p.cultureName,
  });
  if (p.mobilePhone) dto.mobilePhone = p.mobilePhone;
  dto.mobilePhoneActivationStatus = 0;
  dto.isSSO = p.isSSO;
  dto.usedSpace = Number.parseInt(p.id.slice(0, 6), 16) * 97;
  if (callerIsAdmin) {
    dto.createdBy = employeeSummary(state.people[0], origin);
    dto.tfaAppEnabled = p.tfaAppEnabled;
  }
  dto.registrationDate = state.formatDate(p.registered);
  dto.hasPersonalFolder = p.role !== 'guest';
  return dto;
}

/** EmployeeType: 1 RoomAdmin, 2 Guest, 3 DocSpaceAdmin (the owner included), 4 User. */
const EMPLOYEE_TYPES: Record<number, ReadonlyArray<EmulatorPerson['role']>> = {
  1: ['roomAdmin'],
  2: ['guest'],
  3: ['admin', 'owner'],
  4: ['user'],
};

/** EmployeeStatus: 1 active, 2 terminated, 4 pending; 5 is active only (per the server); 7 all. */
const STATUSES: Record<number, ReadonlyArray<number>> = { 1: [1], 2: [2], 4: [4], 5: [1], 7: [1, 2, 4] };

interface Selection {
  statuses: ReadonlyArray<number>;
  activation?: number;
  types?: ReadonlyArray<EmulatorPerson['role']>;
  admins?: string;
  text?: string;
  sortBy: string;
  order: string;
}

function selectPeople(state: EmulatorState, o: Selection): EmulatorPerson[] {
  let list = state.people.filter((p) => !p.deleted && o.statuses.includes(p.status));
  if (o.activation !== undefined) list = list.filter((p) => p.activationStatus === o.activation);
  const types = o.types;
  if (types) list = list.filter((p) => types.includes(p.role));
  const admins = o.admins;
  if (admins !== undefined) list = list.filter((p) => isAdmin(p) === (admins.toLowerCase() === 'true'));
  const text = o.text;
  if (text) {
    list = list.filter((p) => p.displayName.toLowerCase().includes(text) || p.email.toLowerCase().includes(text));
  }
  const key = (p: EmulatorPerson): string | number => {
    if (o.sortBy === 'firstname') return p.firstName;
    if (o.sortBy === 'lastname') return p.lastName;
    if (o.sortBy === 'email') return p.email;
    if (o.sortBy === 'registrationdate') return p.registered;
    return p.displayName;
  };
  const collator = new Intl.Collator('en');
  list.sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
  });
  if (o.order === 'descending' || o.order === '1') list.reverse();
  return list;
}

/** Sorted and filtered lists, memoised per portal: the members do not change while running. */
const memo = new WeakMap<EmulatorState, Map<string, EmulatorPerson[]>>();

function peopleList(state: EmulatorState, ctx: Ctx, filter: boolean): EmulatorResponse {
  const caller = ctx.identity!.person;
  if (caller.role === 'user' || caller.role === 'guest') {
    throw peopleDenied(filter ? 'GetFullByFilterAsync' : 'GetAllAsync');
  }
  const q = ctx.query;
  const errors = new ModelErrors();
  const count = errors.int(q, 'count', 100);
  if (!errors.has('count') && (count < 1 || count > 100)) errors.range('count', 1, 100);
  const startIndex = errors.int(q, 'startIndex', 0);
  // `people` lists active members only. The filter without `employeeStatus` gives an admin
  // everyone not removed; for a room admin the server's choice is not documented, and we assume
  // it keeps to active members, like the plain list.
  let statuses: ReadonlyArray<number> = filter && isAdmin(caller) ? STATUSES[7] : STATUSES[1];
  let activation: number | undefined;
  let types: Array<EmulatorPerson['role']> | undefined;
  if (filter) {
    if (q.has('employeestatus')) {
      const status = errors.int(q, 'employeeStatus', 1);
      if (STATUSES[status]) statuses = STATUSES[status];
      else if (!errors.has('employeeStatus')) errors.invalid('employeeStatus', q.get('employeestatus')!);
    }
    if (q.has('activationstatus')) {
      const raw = q.get('activationstatus')!;
      activation = parseInt32(raw);
      if (activation === undefined || ![0, 1, 2, 4].includes(activation)) errors.invalid('activationStatus', raw);
    }
    for (const key of ['employeeType', 'employeeTypes']) {
      for (const raw of queryAll(ctx, key)) {
        const n = parseInt32(raw);
        // 0 (All) selects no type.
        if (n === 0) continue;
        if (n === undefined || !EMPLOYEE_TYPES[n]) errors.invalid(key, raw);
        else types = [...(types ?? []), ...EMPLOYEE_TYPES[n]];
      }
    }
  }
  errors.throwIfAny();
  const admins = filter ? q.get('isadministrator') : undefined;
  const text = q.get('filtervalue')?.trim().toLowerCase();
  // Default order: display name ascending (what the web client asks for).
  const sortBy = (q.get('sortby') ?? 'displayname').toLowerCase();
  const order = (q.get('sortorder') ?? 'ascending').toLowerCase();
  const selection: Selection = { statuses, activation, types, admins, text, sortBy, order };
  let lists = memo.get(state);
  if (!lists) memo.set(state, (lists = new Map()));
  const memoKey = `${state.peopleVersion}|${JSON.stringify(selection)}`;
  let list = lists.get(memoKey);
  if (!list) {
    list = selectPeople(state, selection);
    if (lists.size > 100) lists.clear();
    lists.set(memoKey, list);
  }
  const start = Math.max(0, startIndex);
  const page = list.slice(start, start + count);
  const dtos = page.map((p) => personDto(state, p, ctx.origin, isAdmin(caller)));
  return envelope(ctx, dtos, { total: list.length });
}

/** `people/email?email=`: any status (disabled members too), 404 JSON when nobody has it. */
function personByEmail(state: EmulatorState, ctx: Ctx): EmulatorResponse {
  const person = state.directory.withEmail(ctx.query.get('email') ?? '');
  if (!person) throw userNotFound();
  return envelope(ctx, personDto(state, person, ctx.origin, isAdmin(ctx.identity!.person)));
}

/** `people/{x}`: `@self`, a user name, or a GUID. An e-mail address is not matched (404). */
function personByKey(state: EmulatorState, ctx: Ctx): EmulatorResponse {
  const key = ctx.params[0];
  const caller = ctx.identity!.person;
  const person = key.toLowerCase() === '@self' ? caller : state.directory.profile(key);
  if (!person) throw userNotFound();
  return envelope(ctx, personDto(state, person, ctx.origin, isAdmin(caller)));
}

/**
 * `people/status/{1|2}` with `{userIds}`. Silently skips the owner, the caller, and admins
 * unless the caller is the owner; disabling ends every session of the member. Answers the
 * members asked about, as they are now.
 */
async function setStatus(state: EmulatorState, ctx: Ctx): Promise<EmulatorResponse> {
  const caller = ctx.identity!.person;
  if (!isAdmin(caller)) throw peopleDenied('UpdateUserStatusAsync');
  const status = parseInt32(ctx.params[0]);
  if (status === undefined || ![1, 2, 4].includes(status)) {
    throw new EmulatorError(400, { validation: { status: [`The value '${ctx.params[0]}' is not valid.`] } });
  }
  const body = await readJson(ctx);
  const ids = body.ok ? (body.value as { userIds?: unknown } | undefined)?.userIds : undefined;
  if (!Array.isArray(ids)) throw new EmulatorError(400, { validation: { userIds: ['The UserIds field is required.'] } });
  const wanted = new Set(ids.map((v) => (typeof v === 'string' ? parseGuid(v) : undefined)));
  const people = state.people.filter((p) => wanted.has(p.id) && !p.deleted);
  for (const p of people) {
    const refused = p.role === 'owner' || p.id === caller.id || (p.role === 'admin' && caller.role !== 'owner');
    if (refused || p.status === 4) continue;
    if (status === 2 && p.status !== 2) {
      p.status = 2;
      p.terminated = Math.floor(state.now() / 1000) * 1000;
      state.endSessions(p);
    } else if (status === 1 && p.status === 2) {
      p.status = 1;
      p.terminated = undefined;
    }
  }
  state.peopleVersion++;
  state.writeAudit(
    actor(ctx),
    4020,
    people.map((p) => p.id),
    people.map((p) => p.displayName),
  );
  return envelope(
    ctx,
    people.map((p) => personDto(state, p, ctx.origin, true)),
  );
}
