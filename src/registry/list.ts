// LIST served from the watch cache: selectors filter before the limit, pages of one list
// form one snapshot (the continue token carries its revision), and resourceVersion /
// resourceVersionMatch mean what they mean to kube-apiserver.
import { errors } from '../api/errors.ts';
import type { Storage, StoredObject } from '../storage/interface.ts';
import { isStorageError } from '../storage/interface.ts';
import { listPrefix } from './catalog.ts';
import { decodeContinue, encodeContinue, parseResourceVersion, type ListQuery } from './list-options.ts';
import { buildSelection } from './selection.ts';
import type { ResourceDef } from './types.ts';

export interface ListPage {
  items: StoredObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

/** How long a list or watch waits for a resourceVersion newer than the store's, as kube does. */
const tooLargeWaitMs = 3000;

export async function listObjects(storage: Storage, def: ResourceDef, namespace: string | undefined, q: ListQuery): Promise<ListPage> {
  const selection = buildSelection(def, q.labelSelector, q.fieldSelector);
  const prefix = listPrefix(def, namespace ?? (def.namespaced ? selection.namespace : undefined));
  let revision: number | undefined;
  let startAfterKey: string | undefined;
  if (q.continue) {
    const token = decodeContinue(q.continue);
    revision = token.rv;
    startAfterKey = prefix + token.start;
  } else if (q.resourceVersion && q.resourceVersion !== '0') {
    const rv = parseResourceVersion(q.resourceVersion);
    // A limited list at a given version is an exact read (legacy semantics), as is match=Exact.
    if (q.resourceVersionMatch === 'Exact' || (!q.resourceVersionMatch && q.limit)) revision = rv;
    await waitForRevision(storage, rv);
  }
  if (revision !== undefined && revision >= storage.revision) revision = undefined;
  try {
    const res = await storage.list(prefix, {
      startAfterKey,
      limit: q.limit || undefined,
      predicate: selection.everything ? undefined : selection.matches,
      labelValues: selection.labelValues,
      revision,
    });
    const page: ListPage = { items: res.items, resourceVersion: String(res.revision) };
    if (res.continueAfterKey !== undefined) {
      page.continue = encodeContinue({ rv: res.revision, start: res.continueAfterKey.slice(prefix.length) });
      if (selection.everything && res.remaining !== undefined) page.remainingItemCount = res.remaining;
    }
    return page;
  } catch (err) {
    if (isStorageError(err, 'Compacted')) {
      if (q.continue) throw errors.continueExpired();
      throw errors.tooOldResourceVersion(revision ?? 0, storage.compactedRevision);
    }
    throw err;
  }
}

/** Resolves once the store has reached `rv`; a version still ahead after 3 s is a 504, as kube answers. */
export async function waitForRevision(storage: Storage, rv: number): Promise<void> {
  const deadline = Date.now() + tooLargeWaitMs;
  while (storage.revision < rv) {
    if (Date.now() >= deadline) {
      throw errors.timeout(`Too large resource version: ${rv}, current: ${storage.revision}`, 1);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
