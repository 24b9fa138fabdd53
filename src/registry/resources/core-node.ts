// core/v1 Node: pkg/registry/core/node/strategy.go, SetDefaults_NodeStatus, the parts of
// ValidateNode / ValidateNodeUpdate users meet (taints, podCIDR and providerID once set), and
// the printer's STATUS / ROLES cells.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../object-meta.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { ageColumn, column, wideColumn } from './core-columns.ts';
import { invalidEach, isQualifiedName, isValidLabelValue } from './core-validation.ts';
import { arrayOf, isObject } from './podspec.ts';

const nodeInfoFields = ['architecture', 'bootID', 'containerRuntimeVersion', 'kernelVersion', 'kubeProxyVersion',
  'kubeletVersion', 'machineID', 'operatingSystem', 'osImage', 'systemUUID'];

/** Node status is Go structs all the way down: a 1.32 server prints their zero values. */
function defaultNode(node: KubeObject): void {
  node.spec ??= {};
  node.status ??= {};
  const status = node.status;
  if (isObject(status.capacity) && !isObject(status.allocatable)) status.allocatable = { ...status.capacity };
  status.daemonEndpoints ??= {};
  status.daemonEndpoints.kubeletEndpoint ??= {};
  status.daemonEndpoints.kubeletEndpoint.Port ??= 0;
  status.nodeInfo ??= {};
  for (const f of nodeInfoFields) status.nodeInfo[f] ??= '';
}

function prepareForCreate(node: KubeObject): void {
  delete node.spec?.configSource;
  delete node.status?.config;
}

const taintEffects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function validateNode(node: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  arrayOf(node.spec?.taints).forEach((t, i) => {
    const p = `spec.taints[${i}]`;
    if (!isObject(t)) return;
    errs.push(...invalidEach(`${p}.key`, t.key ?? '', isQualifiedName(t.key ?? '')));
    const valueErrs = isValidLabelValue(t.value ?? '');
    if (valueErrs.length) errs.push(field.invalid(`${p}.value`, t.value, valueErrs.join(';')));
    if (!t.effect) errs.push(field.required(`${p}.effect`, ''));
    else if (!taintEffects.includes(t.effect)) errs.push(field.notSupported(`${p}.effect`, t.effect, taintEffects));
    const key = `${t.effect}\u0000${t.key}`;
    if (seen.has(key)) errs.push({ ...field.duplicate(p, t), detail: 'taints must be unique by key and effect pair' });
    seen.add(key);
  });
  return errs;
}

function validateNodeUpdate(node: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const oldCIDRs = arrayOf(old.spec?.podCIDRs);
  if (oldCIDRs.length > 0 && !jsonEqual(arrayOf(node.spec?.podCIDRs), oldCIDRs)) {
    errs.push(field.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
  }
  if (old.spec?.providerID && node.spec?.providerID !== old.spec.providerID) {
    errs.push(field.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}

/** printNode's STATUS: Ready / NotReady / Unknown, plus SchedulingDisabled when cordoned. */
function nodeStatus(node: KubeObject): string {
  const ready = arrayOf(node.status?.conditions).find((c) => c?.type === 'Ready');
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (node.spec?.unschedulable === true) status.push('SchedulingDisabled');
  return status.join(',');
}

/** findNodeRoles: node-role.kubernetes.io/<role> labels and kubernetes.io/role=<role>. */
function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) {
      roles.add(v);
    }
  }
  return [...roles].sort().join(',') || '<none>';
}

function address(node: KubeObject, type: string): string {
  return arrayOf(node.status?.addresses).find((a) => a?.type === type)?.address ?? '<none>';
}

const nodeInfo = (node: KubeObject, f: string) => node.status?.nodeInfo?.[f] || '<unknown>';

export const nodeResource: ResourceDef = {
  group: '', version: 'v1', kind: 'Node', plural: 'nodes', singular: 'node',
  shortNames: ['no'], categories: [], namespaced: false, verbs: allVerbs, subresources: ['status', 'proxy'],
  schema: 'io.k8s.api.core.v1.Node',
  columns: [
    column('Status', 'string', 'The status of the node', nodeStatus),
    column('Roles', 'string', 'The roles of the node', nodeRoles),
    ageColumn,
    column('Version', 'string', 'Kubelet Version reported by the node.',
      (o) => o.status?.nodeInfo?.kubeletVersion ?? ''),
    wideColumn('Internal-IP', 'string', 'List of addresses reachable to the node.', (o) => address(o, 'InternalIP')),
    wideColumn('External-IP', 'string', 'List of addresses reachable to the node.', (o) => address(o, 'ExternalIP')),
    wideColumn('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
      (o) => nodeInfo(o, 'osImage')),
    wideColumn('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
      (o) => nodeInfo(o, 'kernelVersion')),
    wideColumn('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
      (o) => nodeInfo(o, 'containerRuntimeVersion')),
  ],
  selectableFields: { 'spec.unschedulable': (o) => String(o.spec?.unschedulable === true) },
  strategy: {
    defaults: defaultNode,
    prepareForCreate,
    validate: validateNode,
    validateUpdate: validateNodeUpdate,
    status: { prepareForUpdate: (node) => defaultNode(node) },
  },
};
