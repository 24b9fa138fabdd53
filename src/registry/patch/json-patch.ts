// JSON patch (RFC 6902) with the behaviour kube-apiserver v1.32 has: it applies patches with
// gopkg.in/evanphx/json-patch.v4, quirks included (replace of a missing object key adds it;
// copy from a missing key copies null; negative array indexes count from the end; the first
// path segment before '/' is ignored). A patch that does not decode is 400 BadRequest; one that
// decodes but does not apply is 422 Invalid with kube's generic message, as the apiserver's
// patch handler answers (errors.NewGenericServerResponse(422, ...)).
import { StatusError, errors } from '../../api/errors.ts';
import { exceedsNestingDepth, jsonByteLength, jsonPatchMaxCopyBytes, maxNestingDepth } from '../../api/json-limits.ts';
import {
  cloneJson, getKey, goJsonTypeName, hasKey, isJsonObject, jsonDeepEqual, setKey,
  type JsonObject, type JsonValue,
} from './json-value.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface JsonPatchOptions {
  /** Strict and Warn (kube's default) decode the patch strictly first, which words errors differently. */
  fieldValidation?: FieldValidation;
}

/** handlers.maxJSONPatchOperations. */
export const maxJSONPatchOperations = 10000;

type Operation = Record<string, unknown>;
type Container = JsonObject | JsonValue[];

/** A patch that decoded but cannot be applied; its text is evanphx's, kept only for logs. */
class ApplyError extends Error {}

// ---- decoding ----

function decodeError(message: string, strict: boolean): StatusError {
  return errors.badRequest(strict ? `error decoding patch: ${message}` : message);
}

/** What json.Unmarshal into []jsonPatchOp (strict) or jsonpatch.Patch reports for a wrong shape. */
function decodePatch(patch: unknown, strict: boolean): Operation[] {
  if (patch === null) return [];
  const listType = strict ? '[]handlers.jsonPatchOp' : 'jsonpatch.Patch';
  const opType = strict ? 'handlers.jsonPatchOp' : 'jsonpatch.Operation';
  if (!Array.isArray(patch)) throw decodeError(`json: cannot unmarshal ${goJsonTypeName(patch)} into Go value of type ${listType}`, strict);
  for (const op of patch) {
    if (op !== null && !isJsonObject(op)) throw decodeError(`json: cannot unmarshal ${goJsonTypeName(op)} into Go value of type ${opType}`, strict);
    if (!strict || op === null) continue;
    for (const name of ['op', 'path', 'from']) {
      const v = getKey(op, name);
      if (v !== undefined && v !== null && typeof v !== 'string') {
        throw decodeError(`json: cannot unmarshal ${goJsonTypeName(v)} into Go struct field jsonPatchOp.${name} of type string`, strict);
      }
    }
  }
  return patch.map((op) => (op === null ? {} : (op as Operation)));
}

// ---- containers (partialDoc, partialArray) ----

/** strconv.Atoi: optional sign, decimal digits. */
function atoi(key: string): number {
  if (!/^[+-]?[0-9]+$/.test(key)) throw new ApplyError(`strconv.Atoi: parsing "${key}": invalid syntax`);
  const n = Number(key);
  if (!Number.isSafeInteger(n)) throw new ApplyError(`strconv.Atoi: parsing "${key}": value out of range`);
  return n;
}

function invalidIndex(idx: number): ApplyError {
  return new ApplyError(`Unable to access invalid index: ${idx}`);
}

/** An existing element's index; negative counts from the end. */
function elementIndex(arr: JsonValue[], key: string): number {
  const idx = atoi(key);
  if (idx >= arr.length || idx < -arr.length) throw invalidIndex(idx);
  return idx < 0 ? idx + arr.length : idx;
}

function get(con: Container, key: string): JsonValue | undefined {
  return Array.isArray(con) ? con[elementIndex(con, key)] : getKey(con, key);
}

function set(con: Container, key: string, value: JsonValue): void {
  if (Array.isArray(con)) con[elementIndex(con, key)] = value;
  else setKey(con, key, value);
}

function add(con: Container, key: string, value: JsonValue): void {
  if (!Array.isArray(con)) return setKey(con, key, value);
  if (key === '-') {
    con.push(value);
    return;
  }
  const idx = atoi(key);
  const size = con.length + 1;
  if (idx >= size || idx < -size) throw invalidIndex(idx);
  con.splice(idx < 0 ? idx + size : idx, 0, value);
}

function remove(con: Container, key: string): void {
  if (Array.isArray(con)) {
    con.splice(elementIndex(con, key), 1);
    return;
  }
  if (!hasKey(con, key)) throw new ApplyError(`Unable to remove nonexistent key: ${key}: missing value`);
  delete con[key];
}

/** RFC 6901 unescaping in one pass: `~1` is '/', `~0` is '~'. */
function decodePatchKey(k: string): string {
  return k.replace(/~[01]/g, (m) => (m === '~1' ? '/' : '~'));
}

function asContainer(v: JsonValue | undefined): Container | undefined {
  return Array.isArray(v) || isJsonObject(v) ? v : undefined;
}

/** findObject: the container holding the path's last segment, and that segment. */
function findObject(root: Container, path: string): { con: Container; key: string } | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let con: Container = root;
  for (const part of split.slice(1, -1)) {
    let next: Container | undefined;
    try {
      next = asContainer(get(con, decodePatchKey(part)));
    } catch {
      return undefined;
    }
    if (!next) return undefined;
    con = next;
  }
  return { con, key: decodePatchKey(split[split.length - 1]) };
}

// ---- operations ----

function stringField(op: Operation, name: 'path' | 'from'): string {
  const v = op[name];
  if (typeof v !== 'string') throw new ApplyError(`operation missing ${name} field`);
  return v;
}

/** The operation's value; an absent or null value is JSON null. */
function valueOf(op: Operation): JsonValue {
  const v = op.value;
  return v === undefined ? null : cloneJson(v as JsonValue);
}

function locate(root: Container, path: string, opName: string, what = 'path'): { con: Container; key: string } {
  const found = findObject(root, path);
  if (!found) throw new ApplyError(`${opName} operation does not apply: doc is missing ${what}: ${path}`);
  return found;
}

class JsonPatcher {
  /** What `copy` operations added so far (evanphx's accumulatedCopySize). */
  private copied = 0;

  constructor(public root: Container) {}

  apply(op: Operation): void {
    const kind = typeof op.op === 'string' ? op.op : 'unknown';
    switch (kind) {
      case 'add': return this.add(op);
      case 'remove': return this.remove(op);
      case 'replace': return this.replace(op);
      case 'move': return this.move(op);
      case 'copy': return this.copy(op);
      case 'test': return this.test(op);
      default: throw new ApplyError(`Unexpected kind: ${kind}`);
    }
  }

  private add(op: Operation): void {
    const { con, key } = locate(this.root, stringField(op, 'path'), 'add');
    add(con, key, valueOf(op));
  }

  private remove(op: Operation): void {
    const { con, key } = locate(this.root, stringField(op, 'path'), 'remove');
    remove(con, key);
  }

  private replace(op: Operation): void {
    const path = stringField(op, 'path');
    if (path === '') {
      const value = asContainer(valueOf(op));
      if (!value) throw new ApplyError('replace operation value must be object or array');
      this.root = value;
      return;
    }
    const { con, key } = locate(this.root, path, 'replace');
    get(con, key); // an array index must exist; an object key need not (v4 adds it)
    set(con, key, valueOf(op));
  }

  private move(op: Operation): void {
    const from = locate(this.root, stringField(op, 'from'), 'move', 'from path');
    const value = get(from.con, from.key) ?? null;
    remove(from.con, from.key);
    const to = locate(this.root, stringField(op, 'path'), 'move', 'destination path');
    add(to.con, to.key, value);
  }

  private copy(op: Operation): void {
    const from = locate(this.root, stringField(op, 'from'), 'copy', 'from path');
    const original = get(from.con, from.key) ?? null;
    // kube bounds what copies may add (JSONPatchMaxCopyBytes): doubling a value is otherwise exponential.
    this.copied += jsonByteLength(original);
    if (this.copied > jsonPatchMaxCopyBytes) {
      throw new ApplyError(`Unable to complete the copy, the accumulated size increase of copy is ${this.copied}, exceeding the limit ${jsonPatchMaxCopyBytes}`);
    }
    const value = cloneJson(original);
    const to = locate(this.root, stringField(op, 'path'), 'copy', 'destination path');
    add(to.con, to.key, value);
  }

  private member(path: string): JsonValue | undefined {
    const { con, key } = locate(this.root, path, 'test');
    return get(con, key);
  }

  /** A missing or null member equals only an explicit `"value": null`; no value never matches. */
  private test(op: Operation): void {
    const path = stringField(op, 'path');
    const actual = path === '' ? this.root : this.member(path);
    const hasValue = hasKey(op as JsonObject, 'value');
    const passed = actual === undefined || actual === null
      ? hasValue && op.value === null
      : hasValue && jsonDeepEqual(actual, op.value);
    if (!passed) throw new ApplyError(`testing value ${path} failed: test failed`);
  }
}

/** errors.NewGenericServerResponse(422, ...): the patch library's text is the one cause. */
function notApplicable(cause: Error): StatusError {
  const err = new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request',
    { causes: [{ reason: 'UnexpectedServerResponse', message: cause.message }] });
  err.cause = cause;
  return err;
}

/**
 * Applies a JSON patch to a deep copy of `doc`. Throws 400 BadRequest when the patch is not a
 * list of operations, 413 past 10000 operations, and 422 Invalid when an operation fails.
 */
export function applyJsonPatch(doc: unknown, patch: unknown, opts: JsonPatchOptions = {}): unknown {
  const strict = (opts.fieldValidation ?? 'Warn') !== 'Ignore';
  const ops = decodePatch(patch, strict);
  if (ops.length > maxJSONPatchOperations) {
    throw new StatusError(413, 'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${maxJSONPatchOperations}, got ${ops.length}`);
  }
  const root = asContainer(cloneJson(doc as JsonValue));
  if (!root) throw notApplicable(new ApplyError('document is not an object or array'));
  const patcher = new JsonPatcher(root);
  try {
    for (const op of ops) patcher.apply(op);
  } catch (err) {
    if (err instanceof ApplyError) throw notApplicable(err);
    throw err;
  }
  // Copies into themselves can nest a document past the bound the decoder keeps bodies within.
  if (exceedsNestingDepth(patcher.root)) throw notApplicable(new ApplyError(`the patched object is nested deeper than ${maxNestingDepth} levels`));
  return patcher.root;
}
