// The pod and container a kubelet API request names, checked as the kubelet's handlers check
// them: the pod must be one of this node's (404 otherwise), the container one of its spec's.
import type { KubeObject } from '../../api/types.ts';
import { KubeletHttpError } from './errors.ts';
import type { KubeletContext } from './server.ts';

export function podOnNode(ctx: KubeletContext, namespace: string, name: string, uid?: string): KubeObject {
  const pod = ctx.pods.get(`${namespace}/${name}`);
  if (!pod || pod.spec?.nodeName !== ctx.nodeName || (uid && pod.metadata.uid !== uid)) {
    throw new KubeletHttpError(404, `pod "${name}" does not exist`);
  }
  return pod;
}

export function requireContainer(pod: KubeObject, container: string): void {
  const specs = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];
  if (!specs.some((c: { name?: string }) => c.name === container)) {
    throw new KubeletHttpError(404, `container "${container}" not found in pod "${pod.metadata.name}"`);
  }
}

type Query = URLSearchParams;

/** Go's strconv.ParseBool, as the kubelet's query decoding reads booleans. */
export function queryBool(q: Query, ...names: string[]): boolean {
  for (const name of names) {
    const v = q.get(name);
    if (v === null) continue;
    if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(v)) return true;
    if (['', '0', 'f', 'F', 'false', 'FALSE', 'False'].includes(v)) return false;
    throw new KubeletHttpError(400, `invalid value for ${name}: ${v}`);
  }
  return false;
}

export function queryInt(q: Query, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new KubeletHttpError(400, `invalid value for ${name}: ${v}`);
  return n;
}
