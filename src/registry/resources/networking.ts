// networking.k8s.io/v1 Ingress and NetworkPolicy: defaults (SetDefaults_NetworkPolicy and its
// ports), the strategies (status, generation) and the main rules of
// pkg/apis/networking/validation, with printIngress / printNetworkPolicy.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { validateLabelSelector } from '../validation/metadata.ts';
import { isCIDR, isDNS1035Label, isDNS1123Subdomain, isValidPortName, isValidPortNum, parseIPSloppy } from '../validation/names.ts';
import { specChanged } from './apps-common.ts';
import { ageColumn } from './core-columns.ts';
import { arrayOf, isObject } from './podspec.ts';
import { docColumn, formatLabelSelector, goValue, str } from './workload.ts';

const invalidEach = (path: string, value: unknown, msgs: string[]) => msgs.map((m) => field.invalid(path, value, m));

// ---- Ingress ----

const wildcardFmt = '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*';

/** validation.IsWildcardDNS1123Subdomain. */
function wildcardHostErrors(host: string): string[] {
  const errs: string[] = [];
  if (host.length > 253) errs.push('must be no more than 253 characters');
  if (!new RegExp(`^${wildcardFmt}$`).test(host)) {
    errs.push("a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case " +
      `alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '${wildcardFmt}')`);
  }
  return errs;
}

function backendErrors(backend: any, path: string): FieldError[] {
  const hasResource = isObject(backend?.resource);
  const hasService = isObject(backend?.service);
  if (hasResource && hasService) return [field.invalid(path, '', 'cannot set both resource and service backends')];
  if (hasResource) {
    const r = backend.resource;
    const errs: FieldError[] = [];
    if (!r.kind) errs.push(field.required(`${path}.resource.kind`, ''));
    if (!r.name) errs.push(field.required(`${path}.resource.name`, ''));
    return errs;
  }
  if (!hasService) return [field.invalid(path, '', 'resource or service backend is required')];
  const svc = backend.service;
  const errs: FieldError[] = [];
  if (!svc.name) errs.push(field.required(`${path}.service.name`, ''));
  else errs.push(...invalidEach(`${path}.service.name`, svc.name, isDNS1035Label(svc.name)));
  const portName = str(svc.port?.name);
  const portNumber = typeof svc.port?.number === 'number' ? svc.port.number : 0;
  if (portName && portNumber) errs.push(field.invalid(path, '', 'cannot set both port name & port number'));
  else if (portName) errs.push(...invalidEach(`${path}.service.port.name`, portName, isValidPortName(portName)));
  else if (portNumber) errs.push(...invalidEach(`${path}.service.port.number`, portNumber, isValidPortNum(portNumber)));
  else errs.push(field.required(path, 'port name or number is required'));
  return errs;
}

const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'];
const invalidSequences = ['//', '/./', '/../', '%2f', '%2F'];
const invalidSuffixes = ['/..', '/.'];

/** validateHTTPIngressPath (a missing pathType is reported by the schema's required list). */
function httpPathErrors(p: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const value = str(p.path);
  if (p.pathType === 'Exact' || p.pathType === 'Prefix') {
    if (!value.startsWith('/')) errs.push(field.invalid(`${path}.path`, value, 'must be an absolute path'));
    for (const seq of invalidSequences) if (value.includes(seq)) errs.push(field.invalid(`${path}.path`, value, `must not contain '${seq}'`));
    for (const suffix of invalidSuffixes) if (value.endsWith(suffix)) errs.push(field.invalid(`${path}.path`, value, `cannot end with '${suffix}'`));
  } else if (p.pathType === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) errs.push(field.invalid(`${path}.path`, value, 'must be an absolute path'));
  } else if (p.pathType != null) {
    errs.push(field.notSupported(`${path}.pathType`, p.pathType, pathTypes));
  }
  return [...errs, ...backendErrors(p.backend, `${path}.backend`)];
}

function ruleErrors(rule: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const host = str(rule.host);
  if (host) {
    if (parseIPSloppy(host)) errs.push(field.invalid(`${path}.host`, host, 'must be a DNS name, not an IP address'));
    errs.push(...invalidEach(`${path}.host`, host, host.includes('*') ? wildcardHostErrors(host) : isDNS1123Subdomain(host)));
  }
  if (isObject(rule.http)) {
    const paths = arrayOf(rule.http.paths);
    if (paths.length === 0) errs.push(field.required(`${path}.http.paths`, ''));
    paths.forEach((p, i) => {
      if (isObject(p)) errs.push(...httpPathErrors(p, `${path}.http.paths[${i}]`));
    });
  }
  return errs;
}

/** ValidateIngressSpec. */
function validateIngress(ing: KubeObject): FieldError[] {
  const spec = ing.spec ?? {};
  const rules = arrayOf(spec.rules);
  const errs: FieldError[] = [];
  if (rules.length === 0 && !isObject(spec.defaultBackend)) {
    errs.push(field.invalid('spec', goValue(spec.rules ?? null, '[]networking.IngressRule(nil)'), 'either `defaultBackend` or `rules` must be specified'));
  }
  if (isObject(spec.defaultBackend)) errs.push(...backendErrors(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((r, i) => {
    if (isObject(r)) errs.push(...ruleErrors(r, `spec.rules[${i}]`));
  });
  arrayOf(spec.tls).forEach((tls, i) => {
    arrayOf(tls?.hosts).forEach((h, j) => {
      const host = str(h);
      errs.push(...invalidEach(`spec.tls[${i}].hosts[${j}]`, host, host.includes('*') ? wildcardHostErrors(host) : isDNS1123Subdomain(host)));
    });
  });
  if (typeof spec.ingressClassName === 'string') {
    errs.push(...invalidEach('spec.ingressClassName', spec.ingressClassName, isDNS1123Subdomain(spec.ingressClassName)));
  }
  return errs;
}

/** formatHosts: up to three hosts, `*` when no rule names one. */
function formatHosts(ing: KubeObject): string {
  const rules = arrayOf(ing.spec?.rules);
  const hosts: string[] = [];
  let more = false;
  for (const rule of rules) {
    if (hosts.length === 3) more = true;
    if (!more && str(rule?.host)) hosts.push(rule.host);
  }
  if (hosts.length === 0) return '*';
  return more ? `${hosts.join(',')} + ${rules.length - 3} more...` : hosts.join(',');
}

/** ingressLoadBalancerStatusStringer (the server always prints wide: no truncation). */
export function loadBalancerAddresses(status: any): string {
  const set = new Set<string>();
  for (const ing of arrayOf(status?.loadBalancer?.ingress)) {
    if (ing?.ip) set.add(ing.ip);
    else if (ing?.hostname) set.add(ing.hostname);
  }
  return [...set].sort().join(',');
}

export const ingressResource: ResourceDef = {
  group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', plural: 'ingresses', singular: 'ingress',
  shortNames: ['ing'], categories: [], namespaced: true, verbs: allVerbs, subresources: ['status'],
  schema: 'io.k8s.api.networking.v1.Ingress',
  columns: [
    { name: 'Class', type: 'string', priority: 0, description: 'The name of the IngressClass resource that should be used for additional configuration',
      cell: (o) => (typeof o.spec?.ingressClassName === 'string' ? o.spec.ingressClassName : '<none>') },
    { name: 'Hosts', type: 'string', priority: 0, description: 'Hosts that incoming requests are matched against before the ingress rule', cell: formatHosts },
    { name: 'Address', type: 'string', priority: 0, description: 'Address is a list containing ingress points for the load-balancer',
      cell: (o) => loadBalancerAddresses(o.status) },
    { name: 'Ports', type: 'string', priority: 0, description: 'Ports of TLS configurations that open',
      cell: (o) => (arrayOf(o.spec?.tls).length > 0 ? '80, 443' : '80') },
    ageColumn,
  ],
  strategy: {
    prepareForCreate: (ing) => {
      ing.status = { loadBalancer: {} };
    },
    validate: validateIngress,
    bumpsGeneration: specChanged,
    status: {
      validateUpdate: (ing) => arrayOf(ing.status?.loadBalancer?.ingress).flatMap((lb, i) => {
        const path = `status.loadBalancer.ingress[${i}]`;
        const errs: FieldError[] = [];
        if (lb?.ip && !parseIPSloppy(lb.ip)) errs.push(field.invalid(`${path}.ip`, lb.ip, 'must be a valid IP address'));
        if (lb?.hostname) {
          errs.push(...invalidEach(`${path}.hostname`, lb.hostname, isDNS1123Subdomain(lb.hostname)));
          if (parseIPSloppy(lb.hostname)) errs.push(field.invalid(`${path}.hostname`, lb.hostname, 'must be a DNS name, not an IP address'));
        }
        return errs;
      }),
    },
  },
};

// ---- NetworkPolicy ----

function defaultNetworkPolicy(np: KubeObject): void {
  const spec = (np.spec ??= {});
  if (arrayOf(spec.policyTypes).length === 0) {
    spec.policyTypes = arrayOf(spec.egress).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
  for (const rule of [...arrayOf(spec.ingress), ...arrayOf(spec.egress)]) {
    for (const port of arrayOf(rule?.ports)) if (isObject(port)) port.protocol ??= 'TCP';
  }
}

const protocols = ['TCP', 'UDP', 'SCTP'];

/** ValidateNetworkPolicyPort. */
function portErrors(port: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (port.protocol != null && !protocols.includes(port.protocol)) errs.push(field.notSupported(`${path}.protocol`, port.protocol, protocols));
  if (typeof port.port === 'number') {
    errs.push(...invalidEach(`${path}.port`, port.port, isValidPortNum(port.port)));
    if (typeof port.endPort === 'number') {
      if (port.endPort < port.port) errs.push(field.invalid(`${path}.endPort`, port.port, 'must be greater than or equal to `port`'));
      errs.push(...invalidEach(`${path}.endPort`, port.endPort, isValidPortNum(port.endPort)));
    }
  } else if (typeof port.port === 'string') {
    if (port.endPort != null) errs.push(field.invalid(`${path}.endPort`, port.endPort, 'may not be specified when `port` is non-numeric'));
    errs.push(...invalidEach(`${path}.port`, port.port, isValidPortName(port.port)));
  } else if (port.endPort != null) {
    errs.push(field.invalid(`${path}.endPort`, port.endPort, 'may not be specified when `port` is not specified'));
  }
  return errs;
}

/** ValidateNetworkPolicyPeer. */
function peerErrors(peer: any, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let peers = 0;
  if (isObject(peer.podSelector)) {
    peers++;
    errs.push(...validateLabelSelector(peer.podSelector, `${path}.podSelector`));
  }
  if (isObject(peer.namespaceSelector)) {
    peers++;
    errs.push(...validateLabelSelector(peer.namespaceSelector, `${path}.namespaceSelector`));
  }
  if (isObject(peer.ipBlock)) {
    peers++;
    errs.push(...ipBlockErrors(peer.ipBlock, `${path}.ipBlock`));
  }
  if (peers === 0) errs.push(field.required(path, 'must specify a peer'));
  else if (peers > 1 && isObject(peer.ipBlock)) errs.push(field.forbidden(path, 'may not specify both ipBlock and another peer'));
  return errs;
}

function ipBlockErrors(block: any, path: string): FieldError[] {
  const cidr = str(block.cidr);
  if (!cidr) return [field.required(`${path}.cidr`, '')];
  const errs = invalidEach(`${path}.cidr`, cidr, isCIDR(cidr));
  arrayOf(block.except).forEach((e, i) => errs.push(...invalidEach(`${path}.except[${i}]`, str(e), isCIDR(str(e)))));
  return errs;
}

/** ValidateNetworkPolicySpec. */
function validateNetworkPolicy(np: KubeObject): FieldError[] {
  const spec = np.spec ?? {};
  const errs = validateLabelSelector(spec.podSelector, 'spec.podSelector');
  for (const [direction, peersKey] of [['ingress', 'from'], ['egress', 'to']] as const) {
    arrayOf(spec[direction]).forEach((rule, i) => {
      const path = `spec.${direction}[${i}]`;
      arrayOf(rule?.ports).forEach((p, j) => {
        if (isObject(p)) errs.push(...portErrors(p, `${path}.ports[${j}]`));
      });
      arrayOf(rule?.[peersKey]).forEach((p, j) => {
        if (isObject(p)) errs.push(...peerErrors(p, `${path}.${peersKey}[${j}]`));
      });
    });
  }
  const types = arrayOf(spec.policyTypes);
  if (types.length > 2) return [...errs, field.invalid('spec.policyTypes', types, 'may not specify more than two policyTypes')];
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') errs.push(field.notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
  });
  return errs;
}

export const networkPolicyResource: ResourceDef = {
  group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', plural: 'networkpolicies', singular: 'networkpolicy',
  shortNames: ['netpol'], categories: [], namespaced: true, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.networking.v1.NetworkPolicy',
  columns: [
    docColumn('Pod-Selector', 'string', ['io.k8s.api.networking.v1.NetworkPolicySpec', 'podSelector'], (o) => formatLabelSelector(o.spec?.podSelector ?? {})),
    ageColumn,
  ],
  strategy: {
    defaults: defaultNetworkPolicy,
    validate: validateNetworkPolicy,
    bumpsGeneration: specChanged,
  },
};
