// core/v1 Endpoints: SetDefaults_Endpoints, validateEndpointSubsets, and printEndpoints'
// ENDPOINTS cell (at most three host:port pairs, then "+ N more...").
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { ageColumn, column } from './core-columns.ts';
import { invalidEach, isDNS1123Label, isDNS1123Subdomain, isIPv4, isValidIP, isValidPortNum } from './core-validation.ts';
import { arrayOf, isObject } from './podspec.ts';

function defaultEndpoints(ep: KubeObject): void {
  for (const ss of arrayOf(ep.subsets)) for (const p of arrayOf(ss?.ports)) if (isObject(p)) p.protocol ||= 'TCP';
}

function validateAddress(addr: any, path: string): FieldError[] {
  if (!isObject(addr)) return [];
  const ip = String(addr.ip ?? '');
  const errs = invalidEach(`${path}.ip`, ip, isValidIP(ip));
  if (errs.length === 0 && isIPv4(ip)) {
    const [a, b, c] = ip.split('.').map(Number);
    if (ip === '0.0.0.0') errs.push(field.invalid(`${path}.ip`, ip, 'may not be unspecified (0.0.0.0)'));
    else if (a === 127) errs.push(field.invalid(`${path}.ip`, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
    else if (a === 169 && b === 254) errs.push(field.invalid(`${path}.ip`, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
    else if (a === 224 && b === 0 && c === 0) {
      errs.push(field.invalid(`${path}.ip`, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
    }
  }
  if (addr.nodeName) errs.push(...invalidEach(`${path}.nodeName`, addr.nodeName, isDNS1123Subdomain(addr.nodeName)));
  return errs;
}

function validateEndpoints(ep: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  arrayOf(ep.subsets).forEach((ss, i) => {
    const p = `subsets[${i}]`;
    if (!isObject(ss)) return;
    if (arrayOf(ss.addresses).length === 0 && arrayOf(ss.notReadyAddresses).length === 0) {
      errs.push(field.required(p, 'must specify `addresses` or `notReadyAddresses`'));
    }
    arrayOf(ss.addresses).forEach((a, j) => errs.push(...validateAddress(a, `${p}.addresses[${j}]`)));
    arrayOf(ss.notReadyAddresses).forEach((a, j) => errs.push(...validateAddress(a, `${p}.notReadyAddresses[${j}]`)));
    const ports = arrayOf(ss.ports);
    ports.forEach((port, j) => {
      const pp = `${p}.ports[${j}]`;
      if (!isObject(port)) return;
      if (ports.length > 1 && !port.name) errs.push(field.required(`${pp}.name`, ''));
      else if (port.name) errs.push(...invalidEach(`${pp}.name`, port.name, isDNS1123Label(port.name)));
      errs.push(...invalidEach(`${pp}.port`, port.port, isValidPortNum(port.port)));
      if (!port.protocol) errs.push(field.required(`${pp}.protocol`, ''));
      else if (!['SCTP', 'TCP', 'UDP'].includes(port.protocol)) errs.push(field.notSupported(`${pp}.protocol`, port.protocol, ['SCTP', 'TCP', 'UDP']));
    });
  });
  return errs;
}

/** formatEndpoints(endpoints, nil) */
export function formatEndpoints(ep: KubeObject): string {
  const subsets = arrayOf(ep.subsets);
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  let more = false;
  const push = (s: string) => {
    if (list.length === max) more = true;
    else list.push(s);
  };
  for (const ss of subsets) {
    const addresses = arrayOf(ss?.addresses);
    const ports = arrayOf(ss?.ports);
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) push(a?.ip ?? '');
      continue;
    }
    for (const port of ports) {
      count += addresses.length;
      for (const a of addresses) push(hostPort(a?.ip ?? '', port?.port));
    }
  }
  const joined = list.join(',');
  return more ? `${joined} + ${count - max} more...` : joined;
}

function hostPort(ip: string, port: unknown): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

export const endpointsResource: ResourceDef = {
  group: '', version: 'v1', kind: 'Endpoints', plural: 'endpoints', singular: 'endpoints',
  shortNames: ['ep'], categories: [], namespaced: true, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.core.v1.Endpoints',
  columns: [
    column('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.', formatEndpoints),
    ageColumn,
  ],
  strategy: { defaults: defaultEndpoints, validate: validateEndpoints },
};
