import { collectionPath } from '../informer.ts';
import type { ObjectRef } from './object.tsx';

export function objectPathOf(ref: ObjectRef): string {
  return `${collectionPath(ref.resource.group, ref.resource.version, ref.resource.name, ref.resource.namespaced ? ref.namespace : undefined)}/${encodeURIComponent(ref.name)}`;
}
