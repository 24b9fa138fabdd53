// flowcontrol.apiserver.k8s.io/v1 FlowSchema and PriorityLevelConfiguration (+status), as
// kube's pkg/registry/flowcontrol and pkg/apis/flowcontrol/validation: defaults, the main
// validation rules, status only through /status, and the printers' columns. kubelite does
// not enforce API Priority and Fairness (its max-in-flight limits stand in); the objects are
// served so clients and kube's own components that read them find kube's.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { ageColumn } from './core-columns.ts';
import { arrayOf, isObject } from './podspec.ts';
import { docColumn, str } from './workload.ts';
import { specChanged } from './apps-common.ts';

const subjectKinds = ['Group', 'ServiceAccount', 'User'];
const distinguishers = ['ByNamespace', 'ByUser'];
const plTypes = ['Exempt', 'Limited'];
const limitResponseTypes = ['Queue', 'Reject'];

/** SetDefaults_FlowSchemaSpec. */
function defaultFlowSchema(fs: KubeObject): void {
  fs.spec ??= {};
  fs.spec.matchingPrecedence ??= 1000;
}

function validateSubjects(subjects: unknown[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (subjects.length === 0) errs.push(field.required(path, 'subjects must contain at least one value'));
  subjects.forEach((s: any, i) => {
    const p = `${path}[${i}]`;
    if (!subjectKinds.includes(s?.kind)) {
      errs.push(field.notSupported(`${p}.kind`, s?.kind ?? '', subjectKinds));
      return;
    }
    const member = s.kind === 'User' ? 'user' : s.kind === 'Group' ? 'group' : 'serviceAccount';
    if (!isObject(s[member])) errs.push(field.required(`${p}.${member}`, `${member} is required when subject kind is '${s.kind}'`));
    else if (!str(s[member].name)) errs.push(field.required(`${p}.${member}.name`, ''));
    else if (s.kind === 'ServiceAccount' && !str(s[member].namespace)) errs.push(field.required(`${p}.${member}.namespace`, ''));
  });
  return errs;
}

function validateRules(rules: unknown[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  rules.forEach((r: any, i) => {
    const p = `${path}[${i}]`;
    errs.push(...validateSubjects(arrayOf(r?.subjects), `${p}.subjects`));
    const resourceRules = arrayOf(r?.resourceRules);
    const nonResourceRules = arrayOf(r?.nonResourceRules);
    if (resourceRules.length === 0 && nonResourceRules.length === 0) {
      errs.push(field.required(p, 'at least one of resourceRules and nonResourceRules has to be non-empty'));
    }
    resourceRules.forEach((rr: any, j) => {
      const q = `${p}.resourceRules[${j}]`;
      for (const list of ['verbs', 'apiGroups', 'resources']) {
        if (arrayOf(rr?.[list]).length === 0) errs.push(field.required(`${q}.${list}`, `${list} must contain at least one value`));
      }
      if (arrayOf(rr?.namespaces).length === 0 && rr?.clusterScope !== true) {
        errs.push(field.required(`${q}.namespaces`, 'resource rules that are not cluster scoped must supply at least one namespace'));
      }
    });
    nonResourceRules.forEach((nr: any, j) => {
      const q = `${p}.nonResourceRules[${j}]`;
      for (const list of ['verbs', 'nonResourceURLs']) {
        if (arrayOf(nr?.[list]).length === 0) errs.push(field.required(`${q}.${list}`, `${list} must contain at least one value`));
      }
    });
  });
  return errs;
}

/** ValidateFlowSchema (the spec's main rules). */
function validateFlowSchema(fs: KubeObject): FieldError[] {
  const spec = fs.spec ?? {};
  const errs: FieldError[] = [];
  const precedence = spec.matchingPrecedence;
  if (typeof precedence === 'number' && (precedence <= 0 || precedence > 10000)) {
    errs.push(field.invalid('spec.matchingPrecedence', precedence, 'must be between 1 and 10000 inclusively'));
  }
  const method = spec.distinguisherMethod;
  if (isObject(method) && !distinguishers.includes(method.type)) errs.push(field.notSupported('spec.distinguisherMethod.type', method.type ?? '', distinguishers));
  if (!str(spec.priorityLevelConfiguration?.name)) errs.push(field.required('spec.priorityLevelConfiguration.name', 'must reference a priority level'));
  errs.push(...validateRules(arrayOf(spec.rules), 'spec.rules'));
  // The mandatory objects keep their meaning (ValidateFlowSchema's special cases).
  if (fs.metadata.name === 'exempt' && spec.priorityLevelConfiguration?.name !== 'exempt') {
    errs.push(field.invalid('spec.priorityLevelConfiguration.name', spec.priorityLevelConfiguration?.name, 'the exempt FlowSchema must reference the exempt priority level'));
  }
  return errs;
}

/** SetDefaults for PriorityLevelConfigurationSpec (v1): shares, lending and queuing. */
function defaultPriorityLevel(pl: KubeObject): void {
  pl.spec ??= {};
  if (pl.spec.type === 'Exempt') {
    pl.spec.exempt ??= {};
    pl.spec.exempt.nominalConcurrencyShares ??= 0;
    pl.spec.exempt.lendablePercent ??= 0;
  }
  const limited = pl.spec.limited;
  if (pl.spec.type === 'Limited' && isObject(limited)) {
    limited.nominalConcurrencyShares ??= 30;
    limited.lendablePercent ??= 0;
    const queuing = limited.limitResponse?.queuing;
    if (limited.limitResponse?.type === 'Queue' && isObject(queuing)) {
      queuing.queues ??= 64;
      queuing.handSize ??= 8;
      queuing.queueLengthLimit ??= 50;
    }
  }
}

function percent(v: unknown, path: string): FieldError[] {
  return typeof v === 'number' && (v < 0 || v > 100) ? [field.invalid(path, v, 'must be between 0 and 100, inclusive')] : [];
}

/** ValidatePriorityLevelConfiguration (the spec's main rules). */
function validatePriorityLevel(pl: KubeObject): FieldError[] {
  const spec = pl.spec ?? {};
  const errs: FieldError[] = [];
  if (!plTypes.includes(spec.type)) return [field.notSupported('spec.type', spec.type ?? '', plTypes)];
  if (spec.type === 'Exempt') {
    if (spec.limited != null) errs.push(field.forbidden('spec.limited', 'must be nil if the type is not Limited'));
    errs.push(...percent(spec.exempt?.lendablePercent, 'spec.exempt.lendablePercent'));
    return errs;
  }
  if (spec.exempt != null) errs.push(field.forbidden('spec.exempt', 'must be nil if the type is Limited'));
  const limited = spec.limited;
  if (!isObject(limited)) return [...errs, field.required('spec.limited', 'must not be empty when type is Limited')];
  if (typeof limited.nominalConcurrencyShares === 'number' && limited.nominalConcurrencyShares < 0) {
    errs.push(field.invalid('spec.limited.nominalConcurrencyShares', limited.nominalConcurrencyShares, 'must be a non-negative integer'));
  }
  errs.push(...percent(limited.lendablePercent, 'spec.limited.lendablePercent'), ...percent(limited.borrowingLimitPercent, 'spec.limited.borrowingLimitPercent'));
  const response = limited.limitResponse ?? {};
  if (!limitResponseTypes.includes(response.type)) errs.push(field.notSupported('spec.limited.limitResponse.type', response.type ?? '', limitResponseTypes));
  else if (response.type === 'Reject' && response.queuing != null) errs.push(field.forbidden('spec.limited.limitResponse.queuing', 'must be nil if limited.limitResponse.type is not Limited'));
  else if (response.type === 'Queue') {
    const q = response.queuing;
    if (!isObject(q)) errs.push(field.required('spec.limited.limitResponse.queuing', 'must not be empty if limited.limitResponse.type is Limited'));
    else {
      const path = 'spec.limited.limitResponse.queuing';
      if (q.queues <= 0) errs.push(field.invalid(`${path}.queues`, q.queues, 'must be positive'));
      if (q.queueLengthLimit <= 0) errs.push(field.invalid(`${path}.queueLengthLimit`, q.queueLengthLimit, 'must be positive'));
      if (q.handSize <= 0) errs.push(field.invalid(`${path}.handSize`, q.handSize, 'must be positive'));
      else if (q.handSize > q.queues) errs.push(field.invalid(`${path}.handSize`, q.handSize, `should not be greater than queues (${q.queues})`));
    }
  }
  return errs;
}

const condition = (o: KubeObject, type: string) => arrayOf(o.status?.conditions).find((c: any) => c?.type === type);
const fsDoc = (f: string): [string, string] => ['io.k8s.api.flowcontrol.v1.FlowSchemaSpec', f];
const plDoc = (def: string, f: string): [string, string] => [`io.k8s.api.flowcontrol.v1.${def}`, f];
const limitedOf = (o: KubeObject) => (o.spec?.type === 'Limited' ? o.spec.limited : undefined);
const queuingOf = (o: KubeObject) => limitedOf(o)?.limitResponse?.queuing;
const orNone = (v: unknown) => (v === undefined ? '<none>' : v);

export const flowSchemaResource: ResourceDef = {
  group: 'flowcontrol.apiserver.k8s.io', version: 'v1', kind: 'FlowSchema', plural: 'flowschemas', singular: 'flowschema',
  shortNames: [], categories: [], namespaced: false, verbs: allVerbs, subresources: ['status'],
  schema: 'io.k8s.api.flowcontrol.v1.FlowSchema',
  columns: [
    docColumn('PriorityLevel', 'string', fsDoc('priorityLevelConfiguration'), (o) => str(o.spec?.priorityLevelConfiguration?.name)),
    docColumn('MatchingPrecedence', 'string', fsDoc('matchingPrecedence'), (o) => String(o.spec?.matchingPrecedence ?? '')),
    docColumn('DistinguisherMethod', 'string', fsDoc('distinguisherMethod'), (o) => str(o.spec?.distinguisherMethod?.type) || '<none>'),
    ageColumn,
    { name: 'MissingPL', type: 'string', priority: 0, description: 'indicates whether the priority level referenced by the flow schema exists',
      cell: (o) => str((condition(o, 'Dangling') as any)?.status) || '?' },
  ],
  strategy: {
    defaults: defaultFlowSchema,
    prepareForCreate: (fs) => {
      delete fs.status;
    },
    validate: validateFlowSchema,
    bumpsGeneration: specChanged,
  },
};

export const priorityLevelConfigurationResource: ResourceDef = {
  group: 'flowcontrol.apiserver.k8s.io', version: 'v1', kind: 'PriorityLevelConfiguration', plural: 'prioritylevelconfigurations',
  singular: 'prioritylevelconfiguration', shortNames: [], categories: [], namespaced: false, verbs: allVerbs, subresources: ['status'],
  schema: 'io.k8s.api.flowcontrol.v1.PriorityLevelConfiguration',
  columns: [
    docColumn('Type', 'string', plDoc('PriorityLevelConfigurationSpec', 'type'), (o) => str(o.spec?.type)),
    docColumn('NominalConcurrencyShares', 'string', plDoc('LimitedPriorityLevelConfiguration', 'nominalConcurrencyShares'),
      (o) => String(orNone(limitedOf(o)?.nominalConcurrencyShares))),
    docColumn('Queues', 'string', plDoc('QueuingConfiguration', 'queues'), (o) => String(orNone(queuingOf(o)?.queues))),
    docColumn('HandSize', 'string', plDoc('QueuingConfiguration', 'handSize'), (o) => String(orNone(queuingOf(o)?.handSize))),
    docColumn('QueueLengthLimit', 'string', plDoc('QueuingConfiguration', 'queueLengthLimit'), (o) => String(orNone(queuingOf(o)?.queueLengthLimit))),
    ageColumn,
  ],
  strategy: {
    defaults: defaultPriorityLevel,
    prepareForCreate: (pl) => {
      delete pl.status;
    },
    validate: validatePriorityLevel,
    bumpsGeneration: specChanged,
  },
};

export const flowcontrolResources: ResourceDef[] = [flowSchemaResource, priorityLevelConfigurationResource];
