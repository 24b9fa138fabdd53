// Endpoints subsets in their canonical form, as kube's RepackSubsets (pkg/api/v1/endpoints):
// addresses grouped by the exact set of ports they serve, an address not ready on a port
// listed as not ready there; and the 1000-address cap of the Endpoints controller
// (truncateEndpoints), which keeps ready addresses first and shares the room between subsets
// in proportion to their size. Orders are deterministic (kube sorts ports and subsets by a
// hash, addresses by IP then pod UID).

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind: string; namespace?: string; name?: string; uid?: string; resourceVersion?: string };
}

export interface EndpointPort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
}

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPort[];
}

/** Endpoints hold at most this many addresses (kube's maxCapacity). */
export const maxEndpointsCapacity = 1000;
export const overCapacityAnnotation = 'endpoints.kubernetes.io/over-capacity';

const addressKey = (a: EndpointAddress) => `${a.ip}/${a.targetRef?.uid ?? ''}`;
const portKey = (p: EndpointPort) => JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? '']);
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const byAddress = (a: EndpointAddress, b: EndpointAddress) => compare(a.ip, b.ip) || compare(a.targetRef?.uid ?? '', b.targetRef?.uid ?? '');

/** RepackSubsets. */
export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const addresses = new Map<string, EndpointAddress>();
  const ports = new Map<string, EndpointPort>();
  // port → address → ready; not ready on a port wins over ready.
  const readiness = new Map<string, Map<string, boolean>>();
  const note = (addr: EndpointAddress, port: EndpointPort, ready: boolean) => {
    const a = addressKey(addr);
    if (!addresses.has(a)) addresses.set(a, addr);
    const p = portKey(port);
    ports.set(p, port);
    const byAddr = readiness.get(p) ?? new Map<string, boolean>();
    readiness.set(p, byAddr);
    if (byAddr.get(a) !== false) byAddr.set(a, ready);
  };
  for (const ss of subsets) {
    for (const port of ss.ports ?? []) {
      for (const addr of ss.addresses ?? []) note(addr, port, true);
      for (const addr of ss.notReadyAddresses ?? []) note(addr, port, false);
    }
  }
  // Ports serving exactly the same addresses (with the same readiness) form one subset.
  const groups = new Map<string, { members: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const [p, members] of readiness) {
    const key = JSON.stringify([...members].sort(([a], [b]) => compare(a, b)));
    const group = groups.get(key) ?? { members, ports: [] };
    group.ports.push(ports.get(p)!);
    groups.set(key, group);
  }
  const repacked: EndpointSubset[] = [];
  for (const { members, ports: groupPorts } of groups.values()) {
    const ready: EndpointAddress[] = [];
    const notReady: EndpointAddress[] = [];
    for (const [a, isReady] of members) (isReady ? ready : notReady).push(addresses.get(a)!);
    const subset: EndpointSubset = {};
    if (ready.length) subset.addresses = ready.sort(byAddress);
    if (notReady.length) subset.notReadyAddresses = notReady.sort(byAddress);
    subset.ports = groupPorts.sort((a, b) => compare(portKey(a), portKey(b)));
    repacked.push(subset);
  }
  const first = (ss: EndpointSubset) => `${(ss.addresses ?? ss.notReadyAddresses ?? [])[0]?.ip ?? ''}|${portKey(ss.ports![0])}`;
  return repacked.sort((a, b) => compare(first(a), first(b)));
}

/** truncateEndpoints: true when the subsets held more than maxEndpointsCapacity addresses and were cut. */
export function truncateSubsets(subsets: EndpointSubset[]): boolean {
  const totalReady = subsets.reduce((n, ss) => n + (ss.addresses?.length ?? 0), 0);
  const totalNotReady = subsets.reduce((n, ss) => n + (ss.notReadyAddresses?.length ?? 0), 0);
  if (totalReady + totalNotReady <= maxEndpointsCapacity) return false;
  const truncateReady = totalReady > maxEndpointsCapacity;
  const room = truncateReady ? maxEndpointsCapacity : maxEndpointsCapacity - totalReady;
  const total = truncateReady ? totalReady : totalNotReady;
  let left = room;
  for (const ss of subsets) {
    const inSubset = (truncateReady ? ss.addresses : ss.notReadyAddresses)?.length ?? 0;
    const share = Math.min(Math.ceil((inSubset / total) * room), left);
    if (truncateReady) {
      ss.addresses = (ss.addresses ?? []).slice(0, share);
      delete ss.notReadyAddresses;
      left -= ss.addresses.length;
    } else {
      ss.notReadyAddresses = (ss.notReadyAddresses ?? []).slice(0, share);
      left -= ss.notReadyAddresses.length;
    }
    if (!ss.addresses?.length) delete ss.addresses;
    if (!ss.notReadyAddresses?.length) delete ss.notReadyAddresses;
  }
  return true;
}
