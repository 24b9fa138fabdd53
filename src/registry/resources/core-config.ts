// core/v1 ConfigMap, Secret and ServiceAccount: data key rules, the 1 MiB limit, Secret types
// and their required keys, `immutable: true`, and the v1 conversion of Secret.stringData.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../object-meta.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { ageColumn, column } from './core-columns.ts';
import { immutableField, isConfigMapKey, keyPath } from './core-validation.ts';
import { arrayOf, isObject } from './podspec.ts';

const maxDataBytes = 1024 * 1024; // core.MaxSecretSize, and the ConfigMap limit
const immutableMsg = 'field is immutable when `immutable` is set';

function validateKeys(data: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of Object.keys(isObject(data) ? data : {})) {
    for (const msg of isConfigMapKey(key)) errs.push(field.invalid(keyPath(path, key), key, msg));
  }
  return errs;
}

/** Forbids changes to `immutable` and to the data fields once `immutable: true` is stored. */
function validateImmutableData(obj: KubeObject, old: KubeObject, dataFields: string[]): FieldError[] {
  if (old.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (obj.immutable !== true) errs.push(field.forbidden('immutable', immutableMsg));
  for (const f of dataFields) if (!jsonEqual(obj[f] ?? {}, old[f] ?? {})) errs.push(field.forbidden(f, immutableMsg));
  return errs;
}

// ---- ConfigMap ----

function validateConfigMap(cm: KubeObject): FieldError[] {
  const data = isObject(cm.data) ? cm.data : {};
  const binaryData = isObject(cm.binaryData) ? cm.binaryData : {};
  const errs = [...validateKeys(data, 'data'), ...validateKeys(binaryData, 'binaryData')];
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    total += Buffer.byteLength(String(v));
    if (k in binaryData) errs.push(field.invalid(keyPath('data', k), k, 'duplicate of key present in binaryData'));
  }
  for (const v of Object.values(binaryData)) total += Buffer.from(String(v), 'base64').length;
  if (total > maxDataBytes) errs.push(field.tooLong('', '', maxDataBytes));
  return errs;
}

export const configMapResource: ResourceDef = {
  group: '', version: 'v1', kind: 'ConfigMap', plural: 'configmaps', singular: 'configmap',
  shortNames: ['cm'], categories: [], namespaced: true, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.core.v1.ConfigMap',
  columns: [
    column('Data', 'string', 'Data contains the configuration data.',
      (o) => Object.keys(isObject(o.data) ? o.data : {}).length + Object.keys(isObject(o.binaryData) ? o.binaryData : {}).length),
    ageColumn,
  ],
  strategy: {
    validate: validateConfigMap,
    validateUpdate: (cm, old) => validateImmutableData(cm, old, ['data', 'binaryData']),
  },
};

// ---- Secret ----

/** SetDefaults_Secret, and the v1 conversion that folds stringData into data (base64). */
function defaultSecret(secret: KubeObject): void {
  secret.type ||= 'Opaque';
  if (isObject(secret.stringData)) {
    const data: Record<string, string> = isObject(secret.data) ? { ...secret.data } : {};
    for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    secret.data = data;
  }
  delete secret.stringData;
}

const decodedLength = (v: unknown) => Buffer.from(String(v ?? ''), 'base64').length;

function validateSecretType(secret: KubeObject, data: Record<string, unknown>): FieldError[] {
  const has = (k: string) => k in data;
  switch (secret.type) {
    case 'kubernetes.io/service-account-token':
      return secret.metadata.annotations?.['kubernetes.io/service-account.name']
        ? [] : [field.required('metadata.annotations[kubernetes.io/service-account.name]', '')];
    case 'kubernetes.io/dockercfg':
      return has('.dockercfg') ? validateJSONKey(data, '.dockercfg') : [field.required('data[.dockercfg]', '')];
    case 'kubernetes.io/dockerconfigjson':
      return has('.dockerconfigjson') ? validateJSONKey(data, '.dockerconfigjson') : [field.required('data[.dockerconfigjson]', '')];
    case 'kubernetes.io/basic-auth':
      return has('username') || has('password') ? [] : [field.required('data[username]', ''), field.required('data[password]', '')];
    case 'kubernetes.io/ssh-auth':
      return decodedLength(data['ssh-privatekey']) > 0 ? [] : [field.required('data[ssh-privatekey]', '')];
    case 'kubernetes.io/tls':
      return [
        ...(has('tls.crt') ? [] : [field.required('data[tls.crt]', '')]),
        ...(has('tls.key') ? [] : [field.required('data[tls.key]', '')]),
      ];
    default:
      return [];
  }
}

function validateJSONKey(data: Record<string, unknown>, key: string): FieldError[] {
  try {
    JSON.parse(Buffer.from(String(data[key]), 'base64').toString('utf8'));
    return [];
  } catch (err) {
    return [field.invalid(keyPath('data', key), '<secret contents redacted>', (err as Error).message)];
  }
}

function validateSecret(secret: KubeObject): FieldError[] {
  const data = isObject(secret.data) ? secret.data : {};
  const errs = validateKeys(data, 'data');
  const total = Object.values(data).reduce((n: number, v) => n + decodedLength(v), 0);
  if (total > maxDataBytes) errs.push(field.tooLong('data', '', maxDataBytes));
  errs.push(...validateSecretType(secret, data));
  return errs;
}

export const secretResource: ResourceDef = {
  group: '', version: 'v1', kind: 'Secret', plural: 'secrets', singular: 'secret',
  shortNames: [], categories: [], namespaced: true, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.core.v1.Secret',
  columns: [
    column('Type', 'string', 'Used to facilitate programmatic handling of secret data.', (o) => String(o.type ?? '')),
    column('Data', 'string', 'Data contains the secret data.', (o) => Object.keys(isObject(o.data) ? o.data : {}).length),
    ageColumn,
  ],
  selectableFields: { type: (o) => String(o.type ?? '') },
  strategy: {
    defaults: defaultSecret,
    validate: validateSecret,
    validateUpdate: (secret, old) => [
      ...immutableField(secret.type, old.type, 'type', jsonEqual),
      ...validateImmutableData(secret, old, ['data']),
    ],
  },
};

// ---- ServiceAccount ----

export const serviceAccountResource: ResourceDef = {
  group: '', version: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts', singular: 'serviceaccount',
  shortNames: ['sa'], categories: [], namespaced: true, verbs: allVerbs, subresources: ['token'],
  schema: 'io.k8s.api.core.v1.ServiceAccount',
  columns: [
    column('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.',
      (o) => arrayOf(o.secrets).length),
    ageColumn,
  ],
  strategy: {},
};
