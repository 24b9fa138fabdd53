// Strategic merge patch (application/strategic-merge-patch+json) as kube-apiserver v1.32 applies
// it: k8s.io/apimachinery/pkg/util/strategicpatch's StrategicMergeMapPatch with the server's
// options (parallel lists merged, unmatched nulls ignored), the patch metadata read from the
// OpenAPI definitions instead of Go struct tags (see strategic-meta.ts).
// - Maps merge recursively; `null` deletes a key; a value that lands where there was nothing of
//   its type to merge into loses its nulls and its `$patch` maps.
// - Lists replace, unless the field's strategy is `merge`: lists of maps then merge element-wise
//   by the merge key (`containers` by `name`, `ports` by `containerPort`), lists of primitives
//   (`finalizers`) take the union; the patch's items come in its order, interleaved with the
//   server-only items (strategic-order.ts).
// - Directives: `$patch: replace|delete` on a map; `{"$patch": "replace"}` and
//   `{"<key>": v, "$patch": "delete"}` in a merge list; `$retainKeys`;
//   `$deleteFromPrimitiveList/<field>`; `$setElementOrder/<field>`. Any other `$`-key is data,
//   which the decoder then reports as an unknown field, as kube's does.
// Errors are kube's, with its status codes (strategic-errors.ts).
import { errors } from '../../api/errors.ts';
import type { FieldValidation } from './json-patch.ts';
import { cloneJson, getKey, goJsonTypeName, hasKey, isJsonObject, setKey, type JsonObject, type JsonValue } from './json-value.ts';
import {
  badArgType, badPatchFormatForPrimitiveList, badPatchFormatForRetainKeys, badPatchFormatForSetElementOrderList,
  badPatchType, goFormat, goTypeOf, noMergeKey, panicked, unhandledError,
} from './strategic-errors.ts';
import { PatchSchema, type PatchMeta } from './strategic-meta.ts';
import { findByMergeKey, goEqual, normalizeElementOrder, partitionByPresence } from './strategic-order.ts';
import {
  SharedList, deduplicateScalars, deleteFromSlice, directiveMarker, discardNulls, removeDirectives, sliceElementType,
} from './strategic-values.ts';

const retainKeysDirective = '$retainKeys';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';
const setElementOrderPrefix = '$setElementOrder';

export interface StrategicMergePatchOptions {
  /**
   * kube decodes the patch strictly under Strict and Warn and leniently under Ignore; both
   * refuse a patch that is not a JSON object with the same words, and unknown fields are the
   * decoder's business after the merge, so the merge itself does not depend on it.
   */
  fieldValidation?: FieldValidation;
}

/** The result of merging one list, and what the caller's slice of the live list sees after. */
interface MergedList {
  merged: JsonValue[];
  originalView: JsonValue[];
}

/** extractKey: `$setElementOrder/containers` → `containers`. */
function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw prefix === deleteFromPrimitiveListPrefix ? badPatchFormatForPrimitiveList() : badPatchFormatForSetElementOrderList();
  }
  return key.slice(slash + 1);
}

function setOrDrop(obj: JsonObject, key: string, value: JsonValue): void {
  const r = removeDirectives(value);
  if (r.keep) setKey(obj, key, r.value);
  else delete obj[key];
}

// ---- maps ----

/** handleDirectiveInMergeMap: `$patch: replace` takes the patch as it is, `delete` leaves `{}`. */
function mapDirective(patch: JsonObject): JsonObject {
  const directive = patch[directiveMarker];
  if (directive === 'replace') {
    delete patch[directiveMarker];
    return patch;
  }
  if (directive === 'delete') return {};
  throw badPatchType(directive, patch);
}

/** applyRetainKeysDirective: the patch may set only retained keys; the others are cleared. */
function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  if (!hasKey(patch, retainKeysDirective)) return;
  const list = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(list)) throw badPatchFormatForRetainKeys();
  if (list.some((v) => typeof v === 'object' && v !== null)) throw panicked('hash of unhashable type in $retainKeys');
  const retained = new Set(list.filter((v): v is string => typeof v === 'string'));
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(deleteFromPrimitiveListPrefix) || k.startsWith(setElementOrderPrefix)) continue;
    if (!retained.has(k)) throw badPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) if (!retained.has(k)) delete original[k];
}

function mergeMap(original: JsonObject, patch: JsonObject, schema: PatchSchema): JsonObject {
  if (hasKey(patch, directiveMarker)) return mapDirective(patch);
  applyRetainKeys(original, patch);
  for (const key of Object.keys(patch)) {
    if (key.startsWith(setElementOrderPrefix) && hasKey(patch, key)) mergeOrderedList(original, patch, key, schema);
  }
  for (const key of Object.keys(patch)) mergeField(original, key, patch[key], schema);
  return original;
}

function mergeField(original: JsonObject, key: string, patchV: JsonValue, schema: PatchSchema): void {
  const isDeleteList = key.startsWith(deleteFromPrimitiveListPrefix);
  const k = isDeleteList ? extractKey(key, deleteFromPrimitiveListPrefix) : key;
  if (patchV === null) {
    delete original[k];
    return;
  }
  const current = getKey(original, k);
  if (current === undefined || goTypeOf(current) !== goTypeOf(patchV)) {
    if (!isDeleteList) setOrDrop(original, k, discardNulls(patchV));
    return;
  }
  if (isJsonObject(current)) {
    const { schema: sub, meta } = schema.lookupStruct(k);
    setKey(original, k, meta.strategy === 'replace' ? patchV : mergeMap(current, patchV as JsonObject, sub));
  } else if (Array.isArray(current)) {
    const { schema: sub, meta } = schema.lookupSlice(k);
    setKey(original, k, mergeListField(current, patchV as JsonValue[], sub, meta, isDeleteList).merged);
  } else {
    setKey(original, k, patchV);
  }
}

// ---- lists ----

/** mergeSliceHandler: merge lists (and every delete list) merge, the others are replaced. */
function mergeListField(original: JsonValue[], patch: JsonValue[], schema: PatchSchema, meta: PatchMeta, isDeleteList: boolean): MergedList {
  if (meta.strategy !== 'merge' && !isDeleteList) return { merged: patch, originalView: original };
  if (original.length === 0 && patch.length === 0) return { merged: original, originalView: original };
  const kind = sliceElementType(original, patch);
  if (kind === 'map') {
    if (!meta.mergeKey) throw unhandledError(`cannot merge lists without merge key for ${schema.name()}`);
    return mergeMapList(original, patch, schema, meta.mergeKey);
  }
  if (isDeleteList) return { merged: deleteFromSlice(original, patch), originalView: original };
  const merged = deduplicateScalars([...original, ...patch]);
  const [patchItems, serverOnly] = partitionByPresence(merged, patch, '');
  return {
    merged: normalizeElementOrder({ patchItems, serverOnly, patchOrder: patch, serverOrder: original, mergeKey: '', kind }),
    originalView: original,
  };
}

/** mergeSlice for lists of maps: directives first, then merge by key, then order. */
function mergeMapList(original: JsonValue[], patch: JsonValue[], schema: PatchSchema, mergeKey: string): MergedList {
  const live = new SharedList(original);
  const plain: JsonValue[] = [];
  let replace = false;
  for (const v of patch) {
    const element = v as JsonObject;
    if (!hasKey(element, directiveMarker)) {
      plain.push(v);
      continue;
    }
    const directive = element[directiveMarker];
    if (directive === 'delete') {
      if (!hasKey(element, mergeKey)) throw noMergeKey(element, mergeKey);
      for (let i = findByMergeKey(live.items, mergeKey, element[mergeKey]); i >= 0; i = findByMergeKey(live.items, mergeKey, element[mergeKey])) {
        live.removeAt(i);
      }
    } else if (directive === 'replace') {
      replace = true; // the other elements are still checked
    } else if (directive === 'merge') {
      throw unhandledError('merging lists cannot yet be specified in the patch');
    } else {
      throw badPatchType(directive, element);
    }
  }
  // With `{"$patch": "replace"}` the patch's other elements are the list, in their order.
  const target = replace ? new SharedList(plain) : live;
  const toMerge = replace ? [] : plain;
  const serverOrder = target.items;
  for (const v of toMerge) {
    const element = v as JsonObject;
    if (!hasKey(element, mergeKey)) throw noMergeKey(element, mergeKey);
    const i = findByMergeKey(target.items, mergeKey, element[mergeKey]);
    if (i >= 0) target.set(i, mergeMap(target.at(i) as JsonObject, element, schema));
    else target.append(v);
  }
  const [patchItems, serverOnly] = partitionByPresence(target.items, toMerge, mergeKey);
  return {
    merged: normalizeElementOrder({ patchItems, serverOnly, patchOrder: toMerge, serverOrder, mergeKey, kind: 'map' }),
    originalView: live.view,
  };
}

/** mergeKeyValueEqual. */
function sameElement(left: JsonValue, right: JsonValue, mergeKey: string): boolean {
  if (!mergeKey) return goEqual(left, right);
  if (!isJsonObject(left)) throw badArgType('map', left);
  if (!isJsonObject(right)) throw badArgType('map', right);
  if (!hasKey(left, mergeKey)) throw noMergeKey(left, mergeKey);
  if (!hasKey(right, mergeKey)) throw noMergeKey(right, mergeKey);
  return goEqual(left[mergeKey], right[mergeKey]);
}

/** validatePatchWithSetOrderList: the patch's items appear in `$setElementOrder` in the same order. */
function validateElementOrder(patchList: JsonValue[], order: JsonValue[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  let items = patchList;
  if (mergeKey) {
    for (const v of patchList) if (!isJsonObject(v)) throw badArgType('map', v);
    items = patchList.filter((v) => (v as JsonObject)[directiveMarker] !== 'delete');
  }
  let p = 0;
  let s = 0;
  while (p < items.length && s < order.length) {
    const item = items[p];
    if (isJsonObject(item) && hasKey(item, directiveMarker)) {
      p++;
      continue;
    }
    if (sameElement(item, order[s], mergeKey)) p++;
    s++;
  }
  if (p < items.length && s >= order.length) {
    throw unhandledError(`The order in patch list:\n${goFormat(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goFormat(order)}\n`);
  }
}

/** mergePatchIntoOriginal for one `$setElementOrder/<field>`: merge the field, then order it. */
function mergeOrderedList(original: JsonObject, patch: JsonObject, key: string, schema: PatchSchema): void {
  const order = patch[key];
  delete patch[key];
  if (!Array.isArray(order)) throw badArgType('slice', order);
  const field = extractKey(key, setElementOrderPrefix);
  const originalList = getKey(original, field);
  const patchList = getKey(patch, field);
  if (originalList !== undefined && !Array.isArray(originalList)) throw badArgType('slice', originalList);
  if (patchList !== undefined && !Array.isArray(patchList)) throw badArgType('slice', patchList);
  const { schema: sub, meta } = schema.lookupSlice(field);
  validateElementOrder(patchList ?? [], order, meta.mergeKey);

  let result: MergedList;
  if (originalList && patchList) result = mergeListField(originalList, patchList, sub, meta, false);
  else if (originalList) result = { merged: originalList, originalView: originalList };
  else if (patchList) result = { merged: removeDirectives(patchList).value as JsonValue[], originalView: [] };
  else return;

  const [patchItems, serverOnly] = partitionByPresence(result.merged, order, meta.mergeKey);
  const kind = sliceElementType(result.originalView, patchList ?? []);
  setKey(original, field, normalizeElementOrder({
    patchItems, serverOnly, patchOrder: order, serverOrder: result.originalView, mergeKey: meta.mergeKey, kind,
  }));
  delete patch[field];
}

// ---- entry point ----

/**
 * Applies a strategic merge patch to a copy of `doc`, an object of the OpenAPI definition
 * `definition` (e.g. `io.k8s.api.apps.v1.Deployment`); neither input is changed. A patch that
 * is not a JSON object is 400 BadRequest (`null` changes nothing); errors in applying it are
 * the StatusErrors kube-apiserver answers with.
 */
export function applyStrategicMergePatch(doc: unknown, patch: unknown, definition: string, _opts: StrategicMergePatchOptions = {}): unknown {
  if (patch === null || patch === undefined) return isJsonObject(doc) ? cloneJson(doc) : {};
  if (!isJsonObject(patch)) {
    throw errors.badRequest(`json: cannot unmarshal ${goJsonTypeName(patch)} into Go value of type map[string]interface {}`);
  }
  const original: JsonObject = isJsonObject(doc) ? cloneJson(doc) : {};
  return mergeMap(original, cloneJson(patch), PatchSchema.forDefinition(definition));
}
