// JSON merge patch (RFC 7386) as kube-apiserver v1.32 applies it, with
// gopkg.in/evanphx/json-patch.v4's MergePatch: null deletes a member, objects merge
// recursively, anything else replaces. Its quirks are kept: nulls are pruned from a value only
// when it lands where there was no object to merge into (nested in arrays too, where null
// elements themselves stay). The patch handler's strict decoding (fieldValidation) is mirrored.
import { errors } from '../../api/errors.ts';
import type { JsonPatchOptions } from './json-patch.ts';
import { cloneJson, getKey, goJsonTypeName, isJsonObject, setKey, type JsonObject, type JsonValue } from './json-value.ts';

function pruneNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return pruneArrayNulls(v);
  if (isJsonObject(v)) return pruneObjectNulls(v);
  return v;
}

/** pruneDocNulls: drop null members, recursively. */
function pruneObjectNulls(obj: JsonObject): JsonObject {
  for (const [k, v] of Object.entries(obj)) {
    if (v === null) delete obj[k];
    else pruneNulls(v);
  }
  return obj;
}

/** pruneAryNulls: null elements stay; objects inside elements lose their null members. */
function pruneArrayNulls(arr: JsonValue[]): JsonValue[] {
  for (const v of arr) if (v !== null) pruneNulls(v);
  return arr;
}

/** merge: into an object, an object patch merges; into anything else the (pruned) patch lands. */
function merge(cur: JsonValue, patch: JsonValue): JsonValue {
  if (!isJsonObject(cur)) return pruneNulls(patch);
  if (!isJsonObject(patch)) return patch;
  mergeObjects(cur, patch);
  return cur;
}

function mergeObjects(doc: JsonObject, patch: JsonObject): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = getKey(doc, k);
    setKey(doc, k, cur === undefined || cur === null ? pruneNulls(v) : merge(cur, v));
  }
}

/**
 * Applies a merge patch to a deep copy of `doc`. Under fieldValidation Strict or Warn (kube's
 * default) the patch is first decoded strictly as a JSON object, so an array or a scalar is
 * "error decoding patch: ..." (400); under Ignore an array replaces the whole document (kube then
 * fails to decode it as an object) and a scalar is "Invalid JSON Patch" (400). `null` is
 * "Invalid JSON Patch" either way.
 */
export function applyMergePatch(doc: unknown, patch: unknown, opts: JsonPatchOptions = {}): unknown {
  const strict = (opts.fieldValidation ?? 'Warn') !== 'Ignore';
  if (strict && patch !== null && !isJsonObject(patch)) {
    throw errors.badRequest(`error decoding patch: json: cannot unmarshal ${goJsonTypeName(patch)} into Go value of type map[string]interface {}`);
  }
  if (Array.isArray(patch)) return pruneArrayNulls(cloneJson(patch as JsonValue[]));
  if (!isJsonObject(patch)) throw errors.badRequest('Invalid JSON Patch');
  const p = cloneJson(patch);
  if (!isJsonObject(doc)) return pruneObjectNulls(p);
  const out = cloneJson(doc as JsonObject);
  mergeObjects(out, p);
  return out;
}
