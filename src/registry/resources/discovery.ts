// discovery.k8s.io/v1 EndpointSlice: SetDefaults_EndpointPort, ValidateEndpointSlice(Update)
// (pkg/apis/discovery/validation), the strategy's generation rule and printEndpointSlice.
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { jsonEqual } from '../object-meta.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { validateLabels } from '../validation/metadata.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, parseIPSloppy } from '../validation/names.ts';
import { ageColumn } from './core-columns.ts';
import { arrayOf, isObject } from './podspec.ts';
import { docColumn, immutable, listWithMore, str } from './workload.ts';

const addressTypes = ['FQDN', 'IPv4', 'IPv6'];
const protocols = ['SCTP', 'TCP', 'UDP'];
const maxEndpoints = 1000;
const maxAddresses = 100;
const maxPorts = 20000;
const maxTopologyLabels = 16;

function defaultEndpointSlice(eps: KubeObject): void {
  // Go's `Endpoints []Endpoint` without omitempty: an absent list is written as null.
  eps.endpoints ??= null;
  for (const p of arrayOf(eps.ports)) {
    if (!isObject(p)) continue;
    p.name ??= '';
    p.protocol ??= 'TCP';
  }
}

const invalidEach = (path: string, value: unknown, msgs: string[]) => msgs.map((m) => field.invalid(path, value, m));

/** An address as Go's net.IP sees it: IPv4 (also when IPv4-mapped) as 4 octets, IPv6 as 8 groups. */
function ipParts(ip: string): { v4?: number[]; v6?: number[] } {
  if (parseIPSloppy(ip) === 4) return { v4: ip.split('.').map(Number) };
  const [head, tail = ''] = ip.toLowerCase().split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  let left = groups(head);
  let right = ip.includes('::') ? groups(tail) : [];
  const last = (right.length ? right : left).at(-1) ?? '';
  const v4Tail = last.includes('.') ? last.split('.').map(Number) : undefined;
  if (v4Tail) {
    const hex = [(v4Tail[0] << 8) | v4Tail[1], (v4Tail[2] << 8) | v4Tail[3]].map((n) => n.toString(16));
    if (right.length) right = [...right.slice(0, -1), ...hex];
    else left = [...left.slice(0, -1), ...hex];
  }
  const fill = Array(8 - left.length - right.length).fill('0');
  const v6 = [...left, ...fill, ...right].map((g) => Number.parseInt(g, 16));
  const mapped = v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff;
  return mapped ? { v4: [v6[6] >> 8, v6[6] & 0xff, v6[7] >> 8, v6[7] & 0xff] } : { v6 };
}

/** ValidateNonSpecialIP: no unspecified, loopback or link-local addresses as endpoints. */
function nonSpecialIPErrors(ip: string, path: string): FieldError[] {
  const { v4, v6 } = ipParts(ip);
  const errs: FieldError[] = [];
  const unspecified = v4 ? v4.every((n) => n === 0) : v6!.every((g) => g === 0);
  const loopback = v4 ? v4[0] === 127 : v6!.slice(0, 7).every((g) => g === 0) && v6![7] === 1;
  const linkLocal = v4 ? v4[0] === 169 && v4[1] === 254 : (v6![0] & 0xffc0) === 0xfe80;
  const linkLocalMulticast = v4 ? v4[0] === 224 && v4[1] === 0 && v4[2] === 0 : v6![0] === 0xff02;
  if (unspecified) errs.push(field.invalid(path, ip, `may not be unspecified (${ip})`));
  if (loopback) errs.push(field.invalid(path, ip, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (linkLocal) errs.push(field.invalid(path, ip, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (linkLocalMulticast) errs.push(field.invalid(path, ip, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  return errs;
}

/** validation.IsFullyQualifiedDomainName. */
function fqdnErrors(name: string, path: string): FieldError[] {
  if (name === '') return [field.required(path, '')];
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  const subdomain = isDNS1123Subdomain(trimmed);
  if (subdomain.length) return [field.invalid(path, trimmed, subdomain.join(','))];
  const labels = trimmed.split('.');
  if (labels.length < 2) return [field.invalid(path, trimmed, 'should be a domain with at least two segments separated by dots')];
  for (const label of labels) {
    const errs = isDNS1123Label(label);
    if (errs.length) return [field.invalid(path, label, errs.join(','))];
  }
  return [];
}

function addressErrors(address: string, addressType: unknown, path: string): FieldError[] {
  switch (addressType) {
    case 'IPv4':
      return parseIPSloppy(address) === 4 ? nonSpecialIPErrors(address, path) : [field.invalid(path, address, 'must be a valid IPv4 address')];
    case 'IPv6':
      return parseIPSloppy(address) === 6 ? nonSpecialIPErrors(address, path) : [field.invalid(path, address, 'must be a valid IPv6 address')];
    case 'FQDN':
      return fqdnErrors(address, path);
    default:
      return [];
  }
}

function endpointsErrors(endpoints: any[], addressType: unknown): FieldError[] {
  if (endpoints.length > maxEndpoints) return [field.tooMany('endpoints', endpoints.length, maxEndpoints)];
  const errs: FieldError[] = [];
  endpoints.forEach((ep, i) => {
    const path = `endpoints[${i}]`;
    if (!isObject(ep)) return;
    const addresses = arrayOf(ep.addresses);
    // An absent list is reported by the schema's required list; an empty one here.
    if (Array.isArray(ep.addresses) && addresses.length === 0) errs.push(field.required(`${path}.addresses`, 'must contain at least 1 address'));
    else if (addresses.length > maxAddresses) errs.push(field.tooMany(`${path}.addresses`, addresses.length, maxAddresses));
    addresses.forEach((a, j) => errs.push(...addressErrors(str(a), addressType, `${path}.addresses[${j}]`)));
    if (typeof ep.nodeName === 'string') errs.push(...invalidEach(`${path}.nodeName`, ep.nodeName, isDNS1123Subdomain(ep.nodeName)));
    const topology = isObject(ep.deprecatedTopology) ? ep.deprecatedTopology : {};
    if (Object.keys(topology).length > maxTopologyLabels) {
      errs.push(field.tooMany(`${path}.deprecatedTopology`, Object.keys(topology).length, maxTopologyLabels));
    }
    errs.push(...validateLabels(topology, `${path}.deprecatedTopology`));
    if (typeof ep.hostname === 'string') errs.push(...invalidEach(`${path}.hostname`, ep.hostname, isDNS1123Label(ep.hostname)));
  });
  return errs;
}

function portsErrors(ports: any[]): FieldError[] {
  if (ports.length > maxPorts) return [field.tooMany('ports', ports.length, maxPorts)];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((p, i) => {
    const path = `ports[${i}]`;
    if (!isObject(p)) return;
    const name = str(p.name);
    if (name) errs.push(...invalidEach(`${path}.name`, name, isDNS1123Label(name)));
    if (names.has(name)) errs.push(field.duplicate(`${path}.name`, name));
    names.add(name);
    if (p.protocol == null) errs.push(field.required(`${path}.protocol`, ''));
    else if (!protocols.includes(p.protocol)) errs.push(field.notSupported(`${path}.protocol`, p.protocol, protocols));
    if (typeof p.appProtocol === 'string') errs.push(...invalidEach(`${path}.appProtocol`, p.appProtocol, isQualifiedName(p.appProtocol)));
  });
  return errs;
}

/** ValidateEndpointSlice (a missing addressType is reported by the schema's required list). */
function validateEndpointSlice(eps: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const addressType = eps.addressType;
  if (addressType === '') errs.push(field.required('addressType', ''));
  else if (addressType != null && !addressTypes.includes(addressType as string)) errs.push(field.notSupported('addressType', addressType, addressTypes));
  return [...errs, ...endpointsErrors(arrayOf(eps.endpoints), addressType), ...portsErrors(arrayOf(eps.ports))];
}

/** The strategy bumps generation when anything but metadata changed, or the labels did. */
function endpointSliceChanged(eps: KubeObject, old: KubeObject): boolean {
  const body = (o: KubeObject) => ({ addressType: o.addressType, endpoints: o.endpoints ?? null, ports: o.ports ?? null });
  return !jsonEqual(body(eps), body(old)) || !jsonEqual(eps.metadata.labels ?? {}, old.metadata.labels ?? {});
}

/** formatDiscoveryPorts: each port's number, else its name, else `*`. */
function formatPorts(eps: KubeObject): string {
  return listWithMore(arrayOf(eps.ports).map((p) => (typeof p?.port === 'number' ? String(p.port) : typeof p?.name === 'string' ? p.name : '*')));
}

function formatEndpoints(eps: KubeObject): string {
  return listWithMore(arrayOf(eps.endpoints).flatMap((ep) => arrayOf(ep?.addresses).map(str)));
}

const slice = (f: string): [string, string] => ['io.k8s.api.discovery.v1.EndpointSlice', f];

export const endpointSliceResource: ResourceDef = {
  group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', plural: 'endpointslices', singular: 'endpointslice',
  shortNames: [], categories: [], namespaced: true, verbs: allVerbs, subresources: [],
  schema: 'io.k8s.api.discovery.v1.EndpointSlice',
  // The endpointslice controller writes a slice without endpoints when a Service has none; kube stores `endpoints: null`.
  nullableFields: ['endpoints'],
  columns: [
    docColumn('AddressType', 'string', slice('addressType'), (o) => str(o.addressType)),
    docColumn('Ports', 'string', slice('ports'), formatPorts),
    docColumn('Endpoints', 'string', slice('endpoints'), formatEndpoints),
    ageColumn,
  ],
  strategy: {
    defaults: defaultEndpointSlice,
    validate: validateEndpointSlice,
    validateUpdate: (eps, old) => immutable(eps.addressType, old.addressType, 'addressType'),
    bumpsGeneration: endpointSliceChanged,
  },
};
