// The kubelet API's paths (pkg/kubelet/server/server.go), parsed once: which handler and which
// pod and container a request names.
export type KubeletRoute =
  | { kind: 'containerLogs'; namespace: string; pod: string; container: string }
  | { kind: 'exec' | 'attach' | 'run'; namespace: string; pod: string; uid?: string; container: string }
  | { kind: 'portForward'; namespace: string; pod: string; uid?: string }
  | { kind: 'pods' | 'healthz' | 'configz' | 'statsSummary' | 'metricsResource' }
  | { kind: 'notFound' };

export function parseKubeletPath(url: string): KubeletRoute {
  const path = url.split('?')[0];
  const parts = path.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
  const [head, ...rest] = parts;
  switch (head) {
    case 'containerLogs':
      if (rest.length === 3) return { kind: 'containerLogs', namespace: rest[0], pod: rest[1], container: rest[2] };
      break;
    case 'exec':
    case 'attach':
    case 'run':
      if (rest.length === 3) return { kind: head, namespace: rest[0], pod: rest[1], container: rest[2] };
      if (rest.length === 4) return { kind: head, namespace: rest[0], pod: rest[1], uid: rest[2], container: rest[3] };
      break;
    case 'portForward':
      if (rest.length === 2) return { kind: 'portForward', namespace: rest[0], pod: rest[1] };
      if (rest.length === 3) return { kind: 'portForward', namespace: rest[0], pod: rest[1], uid: rest[2] };
      break;
    case 'pods':
      if (rest.length === 0) return { kind: 'pods' };
      break;
    case 'healthz':
      if (rest.length === 0) return { kind: 'healthz' };
      break;
    case 'configz':
      if (rest.length === 0) return { kind: 'configz' };
      break;
    case 'stats':
      if (rest.length === 1 && rest[0] === 'summary') return { kind: 'statsSummary' };
      break;
    case 'metrics':
      if (rest.length === 1 && rest[0] === 'resource') return { kind: 'metricsResource' };
      break;
  }
  return { kind: 'notFound' };
}
