// One typical object of each common kind, numbered, for the memory-per-kind stage: the sizes
// and shapes a small real cluster holds (a ConfigMap of a config file, an Opaque Secret, a
// one-container pod, a ClusterIP Service, a Deployment, a Node as a kubelet registers it, an
// Event as the kubelet records one).

export interface KindSample {
  kind: string;
  namespaced: boolean;
  /** The collection path; `{ns}` is the namespace. */
  path: string;
  name(i: number): string;
  object(i: number): Record<string, unknown>;
}

const labels = (i: number) => ({ app: `app-${i % 50}`, tier: i % 2 ? 'web' : 'backend' });
const config = 'log.level=info\nlisten=0.0.0.0:8080\n' + 'feature.flag.%d=true\n'.repeat(20);

function node(i: number) {
  const name = `node-${i}`;
  const condition = (type: string, status: string, reason: string) => ({
    type, status, reason, message: `kubelet ${reason}`, lastHeartbeatTime: '2026-12-08T00:00:00Z', lastTransitionTime: '2026-12-08T00:00:00Z',
  });
  const capacity = { cpu: '4', 'ephemeral-storage': '100Gi', 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: '16Gi', pods: '110' };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': `zone-${i % 3}` },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: { podCIDR: `10.${(i >> 8) & 255}.${i & 255}.0/24`, podCIDRs: [`10.${(i >> 8) & 255}.${i & 255}.0/24`] },
    status: {
      capacity, allocatable: capacity,
      conditions: [
        condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory'), condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID'), condition('Ready', 'True', 'KubeletReady'),
      ],
      addresses: [{ type: 'InternalIP', address: `10.0.${(i >> 8) & 255}.${i & 255}` }, { type: 'Hostname', address: name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: `m${i}`, systemUUID: `u${i}`, bootID: `b${i}`, kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12', containerRuntimeVersion: 'containerd://1.7.0',
        kubeletVersion: 'v1.32.0', kubeProxyVersion: '', operatingSystem: 'linux', architecture: 'amd64',
      },
    },
  };
}

export const kindSamples: readonly KindSample[] = [
  {
    kind: 'ConfigMap', namespaced: true, path: '/api/v1/namespaces/{ns}/configmaps', name: (i) => `cm-${i}`,
    object: (i) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, labels: labels(i) }, data: { 'app.properties': config } }),
  },
  {
    kind: 'Secret', namespaced: true, path: '/api/v1/namespaces/{ns}/secrets', name: (i) => `secret-${i}`,
    object: (i) => ({
      apiVersion: 'v1', kind: 'Secret', metadata: { name: `secret-${i}`, labels: labels(i) }, type: 'Opaque',
      data: { username: Buffer.from(`user-${i}`).toString('base64'), password: Buffer.from(`p${i}`.padEnd(32, 'x')).toString('base64') },
    }),
  },
  {
    kind: 'Pod', namespaced: true, path: '/api/v1/namespaces/{ns}/pods', name: (i) => `pod-${i}`,
    object: (i) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: `pod-${i}`, labels: labels(i) },
      spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
    }),
  },
  {
    kind: 'Service', namespaced: true, path: '/api/v1/namespaces/{ns}/services', name: (i) => `svc-${i}`,
    object: (i) => ({
      apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}`, labels: labels(i) },
      spec: { selector: labels(i), ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
    }),
  },
  {
    kind: 'Deployment', namespaced: true, path: '/apis/apps/v1/namespaces/{ns}/deployments', name: (i) => `deploy-${i}`,
    object: (i) => ({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `deploy-${i}`, labels: labels(i) },
      spec: {
        replicas: 1, selector: { matchLabels: { deploy: `d${i}` } },
        template: { metadata: { labels: { deploy: `d${i}` } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] } },
      },
    }),
  },
  { kind: 'Node', namespaced: false, path: '/api/v1/nodes', name: (i) => `node-${i}`, object: node },
  {
    kind: 'Event', namespaced: true, path: '/api/v1/namespaces/{ns}/events', name: (i) => `pod-${i}.18a0b1c2d3e4f5a6`,
    object: (i) => ({
      apiVersion: 'v1', kind: 'Event', metadata: { name: `pod-${i}.18a0b1c2d3e4f5a6` },
      involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: 'kinds', name: `pod-${i}`, uid: `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`, fieldPath: 'spec.containers{web}' },
      reason: 'Pulled', message: 'Container image "nginx:1.27" already present on machine', type: 'Normal',
      source: { component: 'kubelet', host: `node-${i % 10}` }, firstTimestamp: '2026-12-08T00:00:00Z', lastTimestamp: '2026-12-08T00:00:00Z', count: 1,
      reportingComponent: 'kubelet', reportingInstance: `node-${i % 10}`,
    }),
  },
];
