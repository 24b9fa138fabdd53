// Which of a CRD's requested names it may have, as apiextensions' NamingConditionController
// decides: a name already accepted by another CRD of the same group (or served by a built-in
// resource of that group) is refused with NamesAccepted=False and a *Conflict reason; the
// names accepted so far are kept. Established follows once names are accepted.
import type { ResourceDef } from '../registry/types.ts';
import type { CRDCondition, CRDNames, CustomResourceDefinition } from './types.ts';

export interface NamingResult {
  acceptedNames: CRDNames;
  namesAccepted: CRDCondition;
}

export function acceptNames(crd: CustomResourceDefinition, others: CustomResourceDefinition[], builtins: ResourceDef[]): NamingResult {
  const resources = new Set<string>();
  const kinds = new Set<string>();
  for (const other of others) {
    if (other.spec.group !== crd.spec.group || other.metadata.name === crd.metadata.name) continue;
    const names = other.status?.acceptedNames;
    if (!names) continue;
    for (const n of [names.plural, names.singular, ...(names.shortNames ?? [])]) if (n) resources.add(n);
    for (const k of [names.kind, names.listKind]) if (k) kinds.add(k);
  }
  for (const def of builtins) {
    if (def.group !== crd.spec.group) continue;
    for (const n of [def.plural, def.singular, ...def.shortNames]) resources.add(n);
    kinds.add(def.kind).add(`${def.kind}List`);
  }
  const requested = crd.spec.names;
  const accepted: CRDNames = crd.status?.acceptedNames ?? { plural: '', kind: '' };
  const next: CRDNames = { ...accepted };
  let condition: CRDCondition = { type: 'NamesAccepted', status: 'Unknown' };
  const conflict = (reason: string, message: string) => {
    condition = { type: 'NamesAccepted', status: 'False', reason, message };
  };
  const fresh = (want: string | undefined, have: string | undefined, used: Set<string>) => want === have || !want || !used.has(want);
  if (fresh(requested.plural, accepted.plural, resources)) next.plural = requested.plural;
  else conflict('PluralConflict', `"${requested.plural}" is already in use`);
  if (fresh(requested.singular, accepted.singular, resources)) next.singular = requested.singular;
  else conflict('SingularConflict', `"${requested.singular}" is already in use`);
  const shortConflicts = (requested.shortNames ?? []).filter((s) =>
    !(accepted.shortNames ?? []).includes(s) && s !== accepted.plural && s !== accepted.singular && resources.has(s));
  if (shortConflicts.length === 0) next.shortNames = requested.shortNames;
  else {
    const messages = shortConflicts.map((s) => `"${s}" is already in use`);
    conflict('ShortNamesConflict', messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`);
  }
  if (fresh(requested.kind, accepted.kind, kinds)) next.kind = requested.kind;
  else conflict('KindConflict', `"${requested.kind}" is already in use`);
  if (fresh(requested.listKind, accepted.listKind, kinds)) next.listKind = requested.listKind;
  else conflict('ListKindConflict', `"${requested.listKind}" is already in use`);
  next.categories = requested.categories;
  if (condition.status === 'Unknown') condition = { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
  for (const k of Object.keys(next) as Array<keyof CRDNames>) if (next[k] === undefined) delete next[k];
  return { acceptedNames: next, namesAccepted: condition };
}
