// core/v1 Service: SetDefaults_Service, the field work of the Service REST storage before
// allocation (normalizeClusterIPs, patchAllocatedValues, initIPFamilyFields,
// dropTypeDependentFields), and ValidateService / ValidateServiceUpdate. The ClusterIPs and
// NodePorts themselves are allocated by the store hooks in ../allocator/.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { serviceStoreHooks } from '../allocator/service-rest.ts';
import { jsonEqual } from '../object-meta.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { ageColumn, column, formatLabels, wideColumn } from './core-columns.ts';
import {
  invalidEach, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isIPv4, isValidIP, isValidPortName, isValidPortNum, validateLabels,
} from './core-validation.ts';
import { arrayOf, isObject, oneOf } from './podspec.ts';

// ---- defaults ----

function defaultService(svc: KubeObject): void {
  svc.spec ??= {};
  const spec = svc.spec;
  spec.sessionAffinity ||= 'None';
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP' && typeof spec.sessionAffinityConfig?.clientIP?.timeoutSeconds !== 'number') {
    spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  spec.type ||= 'ClusterIP';
  for (const p of arrayOf(spec.ports)) {
    if (!isObject(p)) continue;
    p.protocol ||= 'TCP';
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const externallyAccessible = spec.type === 'LoadBalancer' || spec.type === 'NodePort' ||
    (spec.type === 'ClusterIP' && arrayOf(spec.externalIPs).length > 0);
  if (externallyAccessible) spec.externalTrafficPolicy ||= 'Cluster';
  if (['ClusterIP', 'NodePort', 'LoadBalancer'].includes(spec.type)) spec.internalTrafficPolicy ??= 'Cluster';
  if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
}

// ---- fields around allocation ----

const needsClusterIP = (spec: any) => spec?.type !== 'ExternalName';
const needsNodePorts = (spec: any) => spec?.type === 'NodePort' || (spec?.type === 'LoadBalancer' && spec?.allocateLoadBalancerNodePorts !== false);
const needsHealthCheckNodePort = (spec: any) => spec?.type === 'LoadBalancer' && spec?.externalTrafficPolicy === 'Local';

/** clusterIP and clusterIPs[0] always agree, whichever the user set (NormalizeClusterIPs). */
function normalizeClusterIPs(spec: any): void {
  if (spec.clusterIP && arrayOf(spec.clusterIPs).length === 0) spec.clusterIPs = [spec.clusterIP];
  else if (!spec.clusterIP && arrayOf(spec.clusterIPs).length > 0) spec.clusterIP = spec.clusterIPs[0];
}

/**
 * initIPFamilyFields on a single-stack cluster: SingleStack unless headless without a
 * selector (RequireDualStack); the family of a requested IP, else the cluster's (IPv4).
 */
function initIPFamilyFields(spec: any): void {
  if (!needsClusterIP(spec)) return;
  const headless = spec.clusterIP === 'None';
  if (headless && !isObject(spec.selector) && spec.ipFamilyPolicy === undefined) spec.ipFamilyPolicy = 'RequireDualStack';
  spec.ipFamilyPolicy ??= 'SingleStack';
  if (arrayOf(spec.ipFamilies).length === 0) {
    const dual = headless && spec.ipFamilyPolicy !== 'SingleStack' && !isObject(spec.selector);
    spec.ipFamilies = dual ? ['IPv4', 'IPv6'] : [spec.clusterIP && !headless && !isIPv4(spec.clusterIP) ? 'IPv6' : 'IPv4'];
  }
}

function prepareForCreate(svc: KubeObject): void {
  svc.status = { loadBalancer: {} };
  normalizeClusterIPs(svc.spec);
  initIPFamilyFields(svc.spec);
}

/** Keeps what was allocated when the client left it out (patchAllocatedValues), drops what a new type no longer uses. */
function prepareForUpdate(svc: KubeObject, old: KubeObject): void {
  const spec = svc.spec;
  const oldSpec = old.spec ?? {};
  if (needsClusterIP(oldSpec) && needsClusterIP(spec)) {
    if (!spec.clusterIP && !arrayOf(spec.clusterIPs).length) {
      spec.clusterIP = oldSpec.clusterIP;
      spec.clusterIPs = oldSpec.clusterIPs;
    }
    if (spec.ipFamilyPolicy === undefined) spec.ipFamilyPolicy = oldSpec.ipFamilyPolicy;
    if (!arrayOf(spec.ipFamilies).length && oldSpec.ipFamilies) spec.ipFamilies = oldSpec.ipFamilies;
  }
  if (needsNodePorts(oldSpec) && needsNodePorts(spec)) {
    const byName = new Map(arrayOf(oldSpec.ports).map((p) => [p?.name ?? '', p?.nodePort]));
    const used = new Set(arrayOf(spec.ports).map((p) => p?.nodePort).filter(Boolean));
    for (const p of arrayOf(spec.ports)) {
      const previous = byName.get(p?.name ?? '');
      if (isObject(p) && !p.nodePort && previous && !used.has(previous)) p.nodePort = previous;
    }
  }
  if (needsHealthCheckNodePort(oldSpec) && needsHealthCheckNodePort(spec)) spec.healthCheckNodePort ||= oldSpec.healthCheckNodePort;
  dropTypeDependentFields(spec, oldSpec);
  normalizeClusterIPs(spec);
  initIPFamilyFields(spec);
}

function dropTypeDependentFields(spec: any, oldSpec: any): void {
  if (needsClusterIP(oldSpec) && !needsClusterIP(spec)) {
    for (const key of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy'] as const) {
      if (jsonEqual(spec[key], oldSpec[key])) delete spec[key];
    }
  }
  if (needsNodePorts(oldSpec) && !needsNodePorts(spec)) {
    const oldPorts = arrayOf(oldSpec.ports).map((p) => p?.nodePort);
    if (jsonEqual(arrayOf(spec.ports).map((p) => p?.nodePort), oldPorts)) for (const p of arrayOf(spec.ports)) delete p.nodePort;
  }
  if (!needsHealthCheckNodePort(spec) && spec.healthCheckNodePort === oldSpec.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (spec.type !== 'LoadBalancer' && spec.allocateLoadBalancerNodePorts === oldSpec.allocateLoadBalancerNodePorts) {
    delete spec.allocateLoadBalancerNodePorts;
  }
  if (spec.type === 'ExternalName' && spec.internalTrafficPolicy === oldSpec.internalTrafficPolicy) delete spec.internalTrafficPolicy;
}

// ---- validation ----

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const protocols = ['SCTP', 'TCP', 'UDP'];

function validateService(svc: KubeObject): FieldError[] {
  const spec = svc.spec ?? {};
  const errs: FieldError[] = [];
  // Service names are DNS-1035 labels; the store checks DNS-1123 labels, so only the difference is reported here.
  const name = svc.metadata.name ?? '';
  if (name && isDNS1123Label(name).length === 0) errs.push(...invalidEach('metadata.name', name, isDNS1035Label(name)));
  errs.push(...oneOf(spec.type, 'spec.type', serviceTypes));
  const headless = spec.clusterIP === 'None';
  const ports = arrayOf(spec.ports);
  if (ports.length === 0 && !headless && spec.type !== 'ExternalName') errs.push(field.required('spec.ports', ''));
  errs.push(...validatePorts(ports, spec));
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  errs.push(...oneOf(spec.sessionAffinity, 'spec.sessionAffinity', ['ClientIP', 'None']));
  if (spec.type === 'ExternalName') errs.push(...validateExternalName(spec));
  else errs.push(...validateClusterIPs(spec));
  return errs;
}

function validatePorts(ports: any[], spec: any): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  const seen = new Set<string>();
  const seenNodePorts = new Set<string>();
  ports.forEach((sp, i) => {
    const p = `spec.ports[${i}]`;
    if (!isObject(sp)) return;
    if (ports.length > 1 && !sp.name) errs.push(field.required(`${p}.name`, ''));
    else if (sp.name) {
      errs.push(...invalidEach(`${p}.name`, sp.name, isDNS1123Label(sp.name)));
      if (names.has(sp.name)) errs.push(field.duplicate(`${p}.name`, sp.name));
      names.add(sp.name);
    }
    errs.push(...invalidEach(`${p}.port`, sp.port, isValidPortNum(sp.port)));
    if (!sp.protocol) errs.push(field.required(`${p}.protocol`, ''));
    else if (!protocols.includes(sp.protocol)) errs.push(field.notSupported(`${p}.protocol`, sp.protocol, protocols));
    if (typeof sp.targetPort === 'number') errs.push(...invalidEach(`${p}.targetPort`, sp.targetPort, isValidPortNum(sp.targetPort)));
    else if (typeof sp.targetPort === 'string') errs.push(...invalidEach(`${p}.targetPort`, sp.targetPort, isValidPortName(sp.targetPort)));
    const key = `${sp.protocol}/${sp.port}`;
    if (seen.has(key)) errs.push(field.duplicate(p, { protocol: sp.protocol, port: sp.port }));
    seen.add(key);
    if (!sp.nodePort) return;
    if (spec.type === 'ClusterIP') {
      errs.push(field.forbidden(`${p}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      return;
    }
    // Whether it is inside --service-node-port-range is the allocator's answer (see ../allocator/).
    const nodeKey = `${sp.protocol}/${sp.nodePort}`;
    if (seenNodePorts.has(nodeKey)) errs.push(field.duplicate(`${p}.nodePort`, sp.nodePort));
    seenNodePorts.add(nodeKey);
  });
  return errs;
}

function validateExternalName(spec: any): FieldError[] {
  const errs: FieldError[] = [];
  if (arrayOf(spec.clusterIPs).length > 0) errs.push(field.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
  if (arrayOf(spec.ipFamilies).length > 0) errs.push(field.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
  if (spec.ipFamilyPolicy) errs.push(field.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
  const cname = String(spec.externalName ?? '').replace(/\.$/, '');
  if (cname) errs.push(...invalidEach('spec.externalName', cname, isDNS1123Subdomain(cname)));
  else errs.push(field.required('spec.externalName', ''));
  return errs;
}

function validateClusterIPs(spec: any): FieldError[] {
  const errs: FieldError[] = [];
  arrayOf(spec.clusterIPs).forEach((ip, i) => {
    const p = `spec.clusterIPs[${i}]`;
    if (ip === 'None') {
      if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') errs.push(field.invalid(p, ip, `may not be set to 'None' for ${spec.type} services`));
      return;
    }
    // Whether it is inside --service-cluster-ip-range is the allocator's answer (see ../allocator/).
    errs.push(...invalidEach(p, ip, isValidIP(ip)));
  });
  return errs;
}

/** How a []string prints in a field error (Go's %#v). */
const goStrings = (values: unknown[]) => ({ goString: `[]string{${values.map((v) => JSON.stringify(String(v))).join(', ')}}` });

function validateServiceUpdate(svc: KubeObject, old: KubeObject): FieldError[] {
  const spec = svc.spec ?? {};
  const oldSpec = old.spec ?? {};
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return [];
  const errs: FieldError[] = [];
  const ips = arrayOf(spec.clusterIPs);
  arrayOf(oldSpec.clusterIPs).forEach((ip, i) => {
    if (i < ips.length && ips[i] !== ip) errs.push(field.invalid(`spec.clusterIPs[${i}]`, goStrings(ips), 'may not change once set'));
  });
  return errs;
}

// ---- columns ----

function externalIP(svc: KubeObject, wide: boolean): string {
  const spec = svc.spec ?? {};
  const externalIPs = arrayOf(spec.externalIPs);
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = [...new Set(arrayOf(svc.status?.loadBalancer?.ingress).map((i) => i?.ip || i?.hostname).filter(Boolean))].sort();
      let lb = ingress.join(',');
      if (!wide && lb.length > 16) lb = `${lb.slice(0, 13)}...`;
      if (externalIPs.length) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return spec.externalName ?? '';
    default:
      return '<unknown>';
  }
}

function portsString(svc: KubeObject): string {
  const s = arrayOf(svc.spec?.ports)
    .map((p) => (p?.nodePort > 0 ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p?.port}/${p?.protocol}`))
    .join(',');
  return s || '<none>';
}

export const serviceResource: ResourceDef = {
  group: '', version: 'v1', kind: 'Service', plural: 'services', singular: 'service',
  shortNames: ['svc'], categories: ['all'], namespaced: true, verbs: allVerbs, subresources: ['status', 'proxy'],
  schema: 'io.k8s.api.core.v1.Service',
  // DNS-1035 in truth; the store knows DNS-1123 labels and validateService adds the difference.
  nameRule: 'label',
  columns: [
    column('Type', 'string', 'type determines how the Service is exposed.', (o) => o.spec?.type ?? ''),
    column('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.',
      (o) => arrayOf(o.spec?.clusterIPs)[0] ?? '<none>'),
    // Server-side printing always runs with Wide: true, so the load balancer list is never clipped.
    column('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
      (o) => externalIP(o, true)),
    column('Port(s)', 'string', 'The list of ports that are exposed by this service.', portsString),
    ageColumn,
    wideColumn('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.',
      (o) => formatLabels(o.spec?.selector)),
  ],
  selectableFields: {
    'spec.clusterIP': (o) => o.spec?.clusterIP ?? '',
    'spec.type': (o) => o.spec?.type ?? '',
  },
  storeHooks: serviceStoreHooks,
  strategy: {
    defaults: defaultService,
    prepareForCreate,
    prepareForUpdate,
    validate: validateService,
    validateUpdate: validateServiceUpdate,
  },
};
