// NodePorts: a pod's hostPorts must be free on the node — same protocol and port, and the
// same host IP or either side on 0.0.0.0 (HostPortInfo.CheckConflict). Pods nominated to
// the node with at least this pod's priority hold their ports too.
import { unschedulable, type FilterPlugin } from '../framework.ts';
import type { HostPort, NodeInfo } from '../node-info.ts';

export const errReasonPorts = "node(s) didn't have free ports for the requested pod ports";

function conflicts(used: Map<string, string[]>, want: HostPort): boolean {
  const ips = used.get(`${want.protocol}/${want.port}`);
  if (!ips?.length) return false;
  return want.ip === '0.0.0.0' || ips.includes('0.0.0.0') || ips.includes(want.ip);
}

export function portsFit(wanted: HostPort[], node: NodeInfo, extra: HostPort[] = []): boolean {
  if (wanted.length === 0) return true;
  let used = node.usedPorts;
  if (extra.length) {
    used = new Map([...used].map(([k, v]) => [k, [...v]]));
    for (const p of extra) used.set(`${p.protocol}/${p.port}`, [...(used.get(`${p.protocol}/${p.port}`) ?? []), p.ip]);
  }
  return !wanted.some((p) => conflicts(used, p));
}

export const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  preFilter({ pod, snapshot }) {
    if (pod.hostPorts.length === 0) return undefined;
    return (node) => {
      const nominated = snapshot.nominatedPods(node.name).filter((p) => p.key !== pod.key && p.priority >= pod.priority && !node.pods.has(p.key));
      return portsFit(pod.hostPorts, node, nominated.flatMap((p) => p.hostPorts)) ? undefined : unschedulable('NodePorts', errReasonPorts);
    };
  },
};
