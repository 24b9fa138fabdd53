// Query parameters of LIST and WATCH (metav1.ListOptions) parsed and checked as kube-apiserver does.
import { errors } from '../api/errors.ts';
import { queryBool } from '../api/query-bool.ts';

export interface ListQuery {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  watch?: boolean;
  allowWatchBookmarks?: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
}

type Query = Record<string, string | string[] | undefined>;

function one(q: Query, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[0] : v;
}

function bool(q: Query, name: string): boolean | undefined {
  return queryBool(q[name]);
}

function int(q: Query, name: string): number | undefined {
  const v = one(q, name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw errors.badRequest(`invalid value for ${name}: ${JSON.stringify(v)}`);
  return n;
}

export function parseListQuery(q: Query): ListQuery {
  const match = one(q, 'resourceVersionMatch');
  if (match !== undefined && match !== '' && match !== 'Exact' && match !== 'NotOlderThan') {
    throw errors.badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
  }
  const out: ListQuery = {
    labelSelector: one(q, 'labelSelector') || undefined,
    fieldSelector: one(q, 'fieldSelector') || undefined,
    limit: int(q, 'limit'),
    continue: one(q, 'continue') || undefined,
    resourceVersion: one(q, 'resourceVersion') || undefined,
    resourceVersionMatch: (match || undefined) as ListQuery['resourceVersionMatch'],
    watch: bool(q, 'watch'),
    allowWatchBookmarks: bool(q, 'allowWatchBookmarks'),
    sendInitialEvents: bool(q, 'sendInitialEvents'),
    timeoutSeconds: int(q, 'timeoutSeconds'),
  };
  validateListQuery(out);
  return out;
}

/** The cross-field rules of metav1 ListOptions validation (apimachinery's ValidateListOptions). */
function validateListQuery(o: ListQuery): void {
  // A WatchList (sendInitialEvents) may leave the version unset: "from the most recent".
  if (o.resourceVersionMatch && !o.resourceVersion && o.sendInitialEvents === undefined) {
    throw invalidListOptions('resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
  }
  if (o.continue && o.resourceVersion && o.resourceVersion !== '0') {
    throw invalidListOptions('resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden when continue is provided');
  }
  if (o.resourceVersionMatch === 'Exact' && o.resourceVersion === '0') {
    throw invalidListOptions('resourceVersionMatch', 'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"');
  }
  if (o.sendInitialEvents !== undefined) {
    if (!o.watch) throw invalidListOptions('sendInitialEvents', 'Forbidden: sendInitialEvents is forbidden for list');
    if (o.resourceVersionMatch !== 'NotOlderThan') {
      throw invalidListOptions('resourceVersionMatch', 'Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
    }
    if (o.sendInitialEvents && !o.allowWatchBookmarks) {
      throw invalidListOptions('allowWatchBookmarks', 'Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true');
    }
  } else if (o.watch && o.resourceVersionMatch) {
    throw invalidListOptions('resourceVersionMatch', 'Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
  }
  if (o.limit !== undefined && o.limit < 0) o.limit = 0;
}

function invalidListOptions(path: string, message: string) {
  return errors.invalid('ListOptions', 'meta.k8s.io', '', [{ type: 'FieldValueForbidden', field: path, detail: message.replace(/^Forbidden: /, '') }]);
}

export function parseResourceVersion(rv: string, what = 'resource version'): number {
  if (!/^\d+$/.test(rv)) throw errors.badRequest(`invalid ${what}: ${rv}`);
  // Resource versions are uint64s in kube (strconv.ParseUint); past that, a 400 naming the field.
  if (rv.length > 20 || BigInt(rv) > 0xffff_ffff_ffff_ffffn) {
    throw errors.badRequest(`invalid ${what}: resourceVersion: Invalid value: "${rv}": strconv.ParseUint: parsing "${rv}": value out of range`);
  }
  return Number(rv);
}

// ---- continue tokens: base64url JSON {v, rv, start}, the shape kube-apiserver uses ----

export interface ContinueToken {
  rv: number;
  /** The last key returned, relative to the list prefix. */
  start: string;
}

export function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.rv, start: token.start })).toString('base64url');
}

export function decodeContinue(s: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') throw new Error('shape');
    return { rv: parsed.rv, start: parsed.start };
  } catch {
    throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}
