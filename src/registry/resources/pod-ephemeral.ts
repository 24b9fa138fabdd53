// pods/ephemeralcontainers (kube's EphemeralContainersStrategy and
// ValidatePodEphemeralContainersUpdate): the only way to change spec.ephemeralContainers, and
// only by adding: existing ones may be neither removed nor changed. A new one is a debugging
// container: a name unique among all the pod's containers, an image, no ports, probes,
// lifecycle or resources, and a targetContainerName (if any) naming one of the pod's containers.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../object-meta.ts';
import { arrayOf, isObject } from './podspec.ts';

const forbiddenFields = ['ports', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'resources', 'resizePolicy', 'restartPolicy'];
const dnsLabel = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The pod after a write to pods/ephemeralcontainers: the stored pod with only spec.ephemeralContainers from the request. */
export function ephemeralContainersUpdate(obj: KubeObject, old: KubeObject): KubeObject {
  const next = structuredClone(old);
  const requested = obj.spec?.ephemeralContainers;
  if (requested === undefined || (Array.isArray(requested) && requested.length === 0)) delete next.spec.ephemeralContainers;
  else next.spec.ephemeralContainers = requested;
  if (obj.metadata.managedFields) next.metadata.managedFields = obj.metadata.managedFields;
  return next;
}

export function validateEphemeralContainersUpdate(pod: KubeObject, old: KubeObject): FieldError[] {
  const path = 'spec.ephemeralContainers';
  const next: any[] = arrayOf(pod.spec?.ephemeralContainers);
  const prev: any[] = arrayOf(old.spec?.ephemeralContainers);
  const errs: FieldError[] = [];
  for (const existing of prev) {
    const now = next.find((c) => c?.name === existing?.name);
    if (!now) errs.push(field.forbidden(path, `existing ephemeral containers "${existing?.name}" may not be removed`));
    else if (!jsonEqual(now, existing)) errs.push(field.forbidden(path, `existing ephemeral containers "${existing?.name}" may not be changed`));
  }
  const regular = [...arrayOf(pod.spec?.initContainers), ...arrayOf(pod.spec?.containers)].map((c: { name?: string }) => c?.name);
  const seen = new Set<string>(regular.filter((n): n is string => typeof n === 'string'));
  next.forEach((c, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(c)) return void errs.push(field.invalid(at, c, 'must be an object'));
    if (prev.some((p) => p?.name === c.name)) {
      seen.add(c.name);
      return;
    }
    if (typeof c.name !== 'string' || !c.name) errs.push(field.required(`${at}.name`));
    else if (!dnsLabel.test(c.name) || c.name.length > 63) errs.push(field.invalid(`${at}.name`, c.name, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character"));
    else if (seen.has(c.name)) errs.push(field.duplicate(`${at}.name`, c.name));
    else seen.add(c.name);
    if (typeof c.image !== 'string' || !c.image.trim()) errs.push(field.required(`${at}.image`));
    for (const name of forbiddenFields) {
      if (isSet(c[name])) errs.push(field.forbidden(`${at}.${name}`, 'cannot be set for an Ephemeral Container'));
    }
    if (c.targetContainerName !== undefined && !regular.includes(c.targetContainerName)) {
      errs.push(field.notFound(`${at}.targetContainerName`, c.targetContainerName));
    }
  });
  return errs;
}

/** Set as Go sees it after decoding: `resources: {}` (what kubectl debug sends) is an empty struct. */
function isSet(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.values(value).some(isSet);
  return true;
}
