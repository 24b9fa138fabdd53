// The built-in kinds outside core/v1, apps and batch: Lease, events.k8s.io Event, EndpointSlice,
// PodDisruptionBudget, Ingress, NetworkPolicy, HorizontalPodAutoscaler, StorageClass and
// PriorityClass — defaults, kube's validation messages, update rules and table cells.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderFieldError, type FieldError } from '../src/api/errors.ts';
import type { KubeObject } from '../src/api/types.ts';
import { otherResources } from '../src/registry/resources/other.ts';
import type { ResourceDef } from '../src/registry/types.ts';

const now = Date.parse('2025-01-01T12:00:00Z');
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString().replace('.000Z', 'Z');

function def(kind: string): ResourceDef {
  const found = otherResources.find((d) => d.kind === kind);
  assert.ok(found, kind);
  return found;
}

/** As kube-apiserver prints it: bad values Go renders with %#v use their `goString`. */
function render(fe: FieldError): string {
  const goString = (fe.badValue as { goString?: string } | undefined)?.goString;
  return goString === undefined ? renderFieldError(fe) : `${fe.field}: Invalid value: ${goString}${fe.detail ? `: ${fe.detail}` : ''}`;
}

function created(kind: string, obj: Record<string, unknown>): KubeObject {
  const namespaced = def(kind).namespaced;
  const o = structuredClone({ metadata: { name: 'x', ...(namespaced ? { namespace: 'default' } : {}) }, ...obj }) as KubeObject;
  o.metadata.creationTimestamp ??= ago(300);
  const strategy = def(kind).strategy;
  strategy.defaults?.(o);
  strategy.prepareForCreate?.(o);
  return o;
}

const errorsOf = (kind: string, obj: Record<string, unknown>) => (def(kind).strategy.validate?.(created(kind, obj)) ?? []).map(render);

function updateErrors(kind: string, old: KubeObject, change: (o: KubeObject) => void): string[] {
  const next = structuredClone(old);
  change(next);
  const strategy = def(kind).strategy;
  strategy.defaults?.(next);
  strategy.prepareForUpdate?.(next, old);
  return [...(strategy.validate?.(next) ?? []), ...(strategy.validateUpdate?.(next, old) ?? [])].map(render);
}

const cells = (kind: string, obj: KubeObject) => def(kind).columns.map((c) => c.cell(obj, now));
const columnNames = (kind: string) => def(kind).columns.map((c) => (c.priority ? `${c.name}*` : c.name));

describe('other resource table', () => {
  it('serves kube\'s names, scope, short names, categories and subresources', () => {
    const rows = otherResources.map((d) => `${d.group}/${d.version} ${d.plural} ${d.shortNames.join(',') || '-'} ` +
      `${d.namespaced ? 'ns' : 'cluster'} ${d.categories.join(',') || '-'} ${d.subresources.join(',') || '-'} ${d.schema}`);
    assert.deepEqual(rows, [
      'coordination.k8s.io/v1 leases - ns - - io.k8s.api.coordination.v1.Lease',
      'events.k8s.io/v1 events ev ns - - io.k8s.api.events.v1.Event',
      'discovery.k8s.io/v1 endpointslices - ns - - io.k8s.api.discovery.v1.EndpointSlice',
      'policy/v1 poddisruptionbudgets pdb ns - status io.k8s.api.policy.v1.PodDisruptionBudget',
      'networking.k8s.io/v1 ingresses ing ns - status io.k8s.api.networking.v1.Ingress',
      'networking.k8s.io/v1 networkpolicies netpol ns - - io.k8s.api.networking.v1.NetworkPolicy',
      'autoscaling/v2 horizontalpodautoscalers hpa ns all status io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
      'autoscaling/v1 horizontalpodautoscalers hpa ns all status io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler',
      'storage.k8s.io/v1 storageclasses sc cluster - - io.k8s.api.storage.v1.StorageClass',
      'scheduling.k8s.io/v1 priorityclasses pc cluster - - io.k8s.api.scheduling.v1.PriorityClass',
    ]);
  });

  it('has the columns of printers.go', () => {
    assert.deepEqual(columnNames('Lease'), ['Holder', 'Age']);
    assert.deepEqual(columnNames('EndpointSlice'), ['AddressType', 'Ports', 'Endpoints', 'Age']);
    assert.deepEqual(columnNames('PodDisruptionBudget'), ['Min Available', 'Max Unavailable', 'Allowed Disruptions', 'Age']);
    assert.deepEqual(columnNames('Ingress'), ['Class', 'Hosts', 'Address', 'Ports', 'Age']);
    assert.deepEqual(columnNames('NetworkPolicy'), ['Pod-Selector', 'Age']);
    assert.deepEqual(columnNames('HorizontalPodAutoscaler'), ['Reference', 'Targets', 'MinPods', 'MaxPods', 'Replicas', 'Age']);
    assert.deepEqual(columnNames('StorageClass'), ['Name', 'Provisioner', 'ReclaimPolicy', 'VolumeBindingMode', 'AllowVolumeExpansion', 'Age']);
    assert.deepEqual(columnNames('PriorityClass'), ['Value', 'Global-Default', 'Age', 'PreemptionPolicy']);
    assert.deepEqual(columnNames('Event'),
      ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']);
  });
});

describe('Lease', () => {
  it('validates durations and prints its holder', () => {
    assert.deepEqual(errorsOf('Lease', { spec: { leaseDurationSeconds: 0, leaseTransitions: -1 } }), [
      'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
      'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
    ]);
    assert.deepEqual(cells('Lease', created('Lease', { spec: { holderIdentity: 'node-1' } })), ['node-1', '5m']);
    assert.deepEqual(cells('Lease', created('Lease', { spec: {} })), ['', '5m']);
  });
});

describe('events.k8s.io Event', () => {
  const event = (extra: Record<string, unknown> = {}) => ({
    eventTime: ago(120).replace('Z', '.000000Z'), reportingController: 'kubelet', reportingInstance: 'node-1', action: 'Pulling',
    reason: 'Pulling', type: 'Normal', note: 'Pulling image "nginx"', regarding: { kind: 'Pod', name: 'web', namespace: 'default', fieldPath: 'spec.containers{web}' },
    ...extra,
  });

  it('validates as events.k8s.io/v1 does', () => {
    assert.deepEqual(errorsOf('Event', event()), []);
    assert.deepEqual(errorsOf('Event', event({ type: 'Info', reportingController: '', deprecatedCount: 3, series: { count: 1 } })), [
      'reportingController: Required value',
      'reportingController: Invalid value: "": name part must be non-empty',
      "reportingController: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      'series.count: Invalid value: "": should be at least 2',
      'series.lastObservedTime: Required value',
      'type: Invalid value: "": has invalid value: Info',
      'deprecatedCount: Invalid value: "": needs to be unset',
    ]);
  });

  it('keeps what happened immutable', () => {
    const old = created('Event', event());
    assert.deepEqual(updateErrors('Event', old, (o) => { o.note = 'changed'; }), ['message: Invalid value: "changed": field is immutable']);
    assert.deepEqual(updateErrors('Event', old, (o) => { o.series = { count: 2, lastObservedTime: ago(10).replace('Z', '.000000Z') }; }), []);
  });

  it('prints as core events print, and selects on the new field names', () => {
    const ev = created('Event', event({ series: { count: 4, lastObservedTime: ago(30).replace('Z', '.000000Z') } }));
    assert.deepEqual(cells('Event', ev),
      ['30s', 'Normal', 'Pulling', 'pod/web', 'spec.containers{web}', 'kubelet, node-1', 'Pulling image "nginx"', '2m', 4, 'x']);
    const select = def('Event').selectableFields!;
    assert.deepEqual(Object.keys(select).sort(), [
      'reason', 'regarding.apiVersion', 'regarding.fieldPath', 'regarding.kind', 'regarding.name', 'regarding.namespace',
      'regarding.resourceVersion', 'regarding.uid', 'reportingController', 'type',
    ]);
    assert.equal(select['regarding.kind'](ev), 'Pod');
    assert.equal(select.reportingController(ev), 'kubelet');
  });
});

describe('EndpointSlice', () => {
  it('defaults port names and protocols', () => {
    const eps = created('EndpointSlice', { addressType: 'IPv4', endpoints: [], ports: [{ port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }] });
    assert.deepEqual(eps.ports, [{ port: 80, name: '', protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }]);
  });

  it('validates addresses and ports', () => {
    assert.deepEqual(errorsOf('EndpointSlice', {
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.1', '127.0.0.1', 'fe80::1'] }, { addresses: [] }],
      ports: [{ name: 'http', port: 80 }, { name: 'http', port: 81, protocol: 'HTTP' }],
    }), [
      'endpoints[0].addresses[1]: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'endpoints[0].addresses[2]: Invalid value: "fe80::1": must be a valid IPv4 address',
      'endpoints[1].addresses: Required value: must contain at least 1 address',
      'ports[1].name: Duplicate value: "http"',
      'ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    ]);
    assert.deepEqual(errorsOf('EndpointSlice', { addressType: 'IPv6', endpoints: [{ addresses: ['::1', 'fe80::2', '2001:db8::1'] }] }), [
      'endpoints[0].addresses[0]: Invalid value: "::1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'endpoints[0].addresses[1]: Invalid value: "fe80::2": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
    ]);
    assert.deepEqual(errorsOf('EndpointSlice', { addressType: 'Mac', endpoints: [] }),
      ['addressType: Unsupported value: "Mac": supported values: "FQDN", "IPv4", "IPv6"']);
  });

  it('keeps addressType immutable and bumps generation on content or label changes', () => {
    const old = created('EndpointSlice', { addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'] }] });
    assert.deepEqual(updateErrors('EndpointSlice', old, (o) => {
      o.addressType = 'IPv6';
      o.endpoints = [];
    }), ['addressType: Invalid value: "IPv6": field is immutable']);
    const bumps = def('EndpointSlice').strategy.bumpsGeneration!;
    assert.equal(bumps({ ...old, endpoints: [] }, old), true);
    assert.equal(bumps({ ...old, metadata: { ...old.metadata, labels: { a: 'b' } } }, old), true);
    assert.equal(bumps({ ...old, metadata: { ...old.metadata, annotations: { a: 'b' } } }, old), false);
  });

  it('prints ADDRESSTYPE PORTS ENDPOINTS AGE', () => {
    const eps = created('EndpointSlice', {
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2', '10.0.0.3'] }, { addresses: ['10.0.0.4', '10.0.0.5'] }],
      ports: [{ port: 80 }, { name: 'metrics' }, {}],
    });
    eps.ports = [{ port: 80 }, { name: 'metrics' }, {}];
    assert.deepEqual(cells('EndpointSlice', eps), ['IPv4', '80,metrics,*', '10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...', '5m']);
    assert.deepEqual(cells('EndpointSlice', created('EndpointSlice', { addressType: 'IPv4', endpoints: [] })), ['IPv4', '<unset>', '<unset>', '5m']);
  });
});

describe('PodDisruptionBudget', () => {
  it('starts with a zero status and validates its budget', () => {
    const pdb = created('PodDisruptionBudget', { spec: { minAvailable: '50%', selector: { matchLabels: { app: 'web' } } } });
    assert.deepEqual(pdb.status, { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 });
    assert.deepEqual(cells('PodDisruptionBudget', pdb), ['50%', 'N/A', 0, '5m']);
    assert.deepEqual(errorsOf('PodDisruptionBudget', { spec: { minAvailable: 1, maxUnavailable: '200%', unhealthyPodEvictionPolicy: 'Never' } }), [
      'spec: Invalid value: policy.PodDisruptionBudgetSpec{...}: minAvailable and maxUnavailable cannot be both set',
      'spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"200%"}: must not be greater than 100%',
      'spec.unhealthyPodEvictionPolicy: Unsupported value: "Never": supported values: "AlwaysAllow", "IfHealthyBudget"',
    ]);
    assert.deepEqual(def('PodDisruptionBudget').strategy.status!.validateUpdate!({ ...pdb, status: { expectedPods: -1 } }, pdb).map(render),
      ['status.expectedPods: Invalid value: -1: must be greater than or equal to 0']);
  });
});

describe('Ingress', () => {
  const backend = { service: { name: 'web', port: { number: 80 } } };
  const rule = (host: string) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } });

  it('starts with an empty load balancer status and validates rules', () => {
    const ing = created('Ingress', { spec: { rules: [rule('shop.example.com')] } });
    assert.deepEqual(ing.status, { loadBalancer: {} });
    assert.deepEqual(errorsOf('Ingress', { spec: {} }),
      ['spec: Invalid value: []networking.IngressRule(nil): either `defaultBackend` or `rules` must be specified']);
    assert.deepEqual(errorsOf('Ingress', {
      spec: {
        rules: [
          rule('10.0.0.1'),
          { host: 'a.example.com', http: { paths: [{ path: 'api', pathType: 'Exact', backend: { service: { name: 'Web', port: {} } } }] } },
          { http: { paths: [{ path: '/', pathType: 'Regex', backend: {} }] } },
        ],
      },
    }), [
      'spec.rules[0].host: Invalid value: "10.0.0.1": must be a DNS name, not an IP address',
      'spec.rules[1].http.paths[0].path: Invalid value: "api": must be an absolute path',
      "spec.rules[1].http.paths[0].backend.service.name: Invalid value: \"Web\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
      'spec.rules[1].http.paths[0].backend: Required value: port name or number is required',
      'spec.rules[2].http.paths[0].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
      'spec.rules[2].http.paths[0].backend: Invalid value: "": resource or service backend is required',
    ]);
  });

  it('prints CLASS HOSTS ADDRESS PORTS AGE', () => {
    const ing = created('Ingress', { spec: { ingressClassName: 'nginx', rules: ['a', 'b', 'c', 'd', ''].map((h) => rule(h && `${h}.example.com`)), tls: [{ hosts: ['a.example.com'] }] } });
    ing.status = { loadBalancer: { ingress: [{ ip: '192.168.1.20' }, { hostname: 'lb.example.com' }, { ip: '192.168.1.20' }] } };
    assert.deepEqual(cells('Ingress', ing), ['nginx', 'a.example.com,b.example.com,c.example.com + 2 more...', '192.168.1.20,lb.example.com', '80, 443', '5m']);
    assert.deepEqual(cells('Ingress', created('Ingress', { spec: { defaultBackend: backend } })), ['<none>', '*', '', '80', '5m']);
  });
});

describe('NetworkPolicy', () => {
  it('defaults policy types and port protocols', () => {
    assert.deepEqual(created('NetworkPolicy', { spec: { podSelector: {} } }).spec, { podSelector: {}, policyTypes: ['Ingress'] });
    const np = created('NetworkPolicy', { spec: { podSelector: { matchLabels: { app: 'db' } }, egress: [{ ports: [{ port: 53 }] }] } });
    assert.deepEqual(np.spec.policyTypes, ['Ingress', 'Egress']);
    assert.deepEqual(np.spec.egress[0].ports, [{ port: 53, protocol: 'TCP' }]);
    assert.deepEqual(cells('NetworkPolicy', np), ['app=db', '5m']);
    assert.deepEqual(cells('NetworkPolicy', created('NetworkPolicy', { spec: { podSelector: {} } })), ['<none>', '5m']);
  });

  it('validates ports, peers and policy types', () => {
    assert.deepEqual(errorsOf('NetworkPolicy', {
      spec: {
        podSelector: {},
        ingress: [{ ports: [{ port: 8080, endPort: 80 }, { port: 'http', endPort: 90 }], from: [{}, { ipBlock: { cidr: '10.0.0.0/33' }, podSelector: {} }] }],
        policyTypes: ['Ingress', 'Sideways'],
      },
    }), [
      'spec.ingress[0].ports[0].endPort: Invalid value: 8080: must be greater than or equal to `port`',
      'spec.ingress[0].ports[1].endPort: Invalid value: 90: may not be specified when `port` is non-numeric',
      'spec.ingress[0].from[0]: Required value: must specify a peer',
      'spec.ingress[0].from[1].ipBlock.cidr: Invalid value: "10.0.0.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
      'spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and another peer',
      'spec.policyTypes[1]: Unsupported value: "Sideways": supported values: "Ingress", "Egress"',
    ]);
  });
});

describe('HorizontalPodAutoscaler', () => {
  const hpa = (spec: Record<string, unknown> = {}) => ({ spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, maxReplicas: 5, ...spec } });

  it('defaults minReplicas, the CPU metric and behavior rules', () => {
    const h = created('HorizontalPodAutoscaler', hpa());
    assert.equal(h.spec.minReplicas, 1);
    assert.deepEqual(h.spec.metrics, [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    assert.equal(h.spec.behavior, undefined);
    assert.deepEqual(h.status, { currentMetrics: null, desiredReplicas: 0 });
    const b = created('HorizontalPodAutoscaler', hpa({ behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } })).spec.behavior;
    assert.deepEqual(b, {
      scaleDown: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }], stabilizationWindowSeconds: 60 },
      scaleUp: {
        stabilizationWindowSeconds: 0, selectPolicy: 'Max',
        policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }],
      },
    });
  });

  it('validates replica bounds, the target and metrics', () => {
    assert.deepEqual(errorsOf('HorizontalPodAutoscaler', hpa({ minReplicas: 0, maxReplicas: 0 })), [
      'spec.minReplicas: Invalid value: 0: must be greater than or equal to 1',
      'spec.maxReplicas: Invalid value: 0: must be greater than 0',
    ]);
    assert.deepEqual(errorsOf('HorizontalPodAutoscaler', hpa({ minReplicas: 3, maxReplicas: 2 })),
      ['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`']);
    assert.deepEqual(errorsOf('HorizontalPodAutoscaler', hpa({ metrics: [{ type: 'Pods' }, { type: 'Memory' }] })), [
      'spec.metrics[0].pods: Required value: must populate information for the given metric source',
      'spec.metrics[1].type: Unsupported value: "Memory": supported values: "ContainerResource", "External", "Object", "Pods", "Resource"',
    ]);
  });

  it('prints REFERENCE TARGETS MINPODS MAXPODS REPLICAS AGE', () => {
    const h = created('HorizontalPodAutoscaler', hpa({
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '500Mi' } } },
        { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } },
      ],
    }));
    h.status = { currentReplicas: 2, currentMetrics: [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 35 } } }] };
    assert.deepEqual(cells('HorizontalPodAutoscaler', h), ['Deployment/web', 'cpu: 35%/50%, memory: <unknown>/500Mi + 1 more...', '1', 5, 2, '5m']);
  });
});

describe('StorageClass', () => {
  it('defaults its policies and marks the default class in NAME', () => {
    const sc = created('StorageClass', {
      metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'rancher.io/local-path',
    });
    assert.equal(sc.reclaimPolicy, 'Delete');
    assert.equal(sc.volumeBindingMode, 'Immediate');
    assert.deepEqual(cells('StorageClass', sc), ['standard (default)', 'rancher.io/local-path', 'Delete', 'Immediate', false, '5m']);
    assert.equal(def('StorageClass').columns[0].format, 'name');
  });

  it('validates and keeps provisioner, parameters and policies fixed', () => {
    assert.deepEqual(errorsOf('StorageClass', { provisioner: 'example.com/x', reclaimPolicy: 'Recycle', volumeBindingMode: 'Later' }), [
      'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
      'volumeBindingMode: Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"',
    ]);
    const old = created('StorageClass', { provisioner: 'example.com/x', parameters: { type: 'ssd' } });
    assert.deepEqual(updateErrors('StorageClass', old, (o) => {
      o.provisioner = 'example.com/y';
      o.parameters = { type: 'hdd' };
      o.volumeBindingMode = 'WaitForFirstConsumer';
    }), [
      'parameters: Forbidden: updates to parameters are forbidden.',
      'provisioner: Forbidden: updates to provisioner are forbidden.',
      'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
    ]);
    assert.deepEqual(updateErrors('StorageClass', old, (o) => { o.allowVolumeExpansion = true; }), []);
  });
});

describe('PriorityClass', () => {
  it('defaults its preemption policy and prints VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY', () => {
    const pc = created('PriorityClass', { value: 1000 });
    assert.equal(pc.preemptionPolicy, 'PreemptLowerPriority');
    assert.deepEqual(cells('PriorityClass', pc), [1000, false, '5m', 'PreemptLowerPriority']);
    assert.ok(def('PriorityClass').columns.every((c) => c.priority === 0));
  });

  it('reserves system- names and limits user values', () => {
    assert.deepEqual(errorsOf('PriorityClass', { metadata: { name: 'system-special' }, value: 10 }), [
      "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-special is not a known system priority class",
    ]);
    assert.deepEqual(errorsOf('PriorityClass', { metadata: { name: 'system-node-critical' }, value: 2000001000 }), []);
    assert.deepEqual(errorsOf('PriorityClass', { value: 2000000000, preemptionPolicy: 'Always' }), [
      'value: Forbidden: maximum allowed value of a user defined priority is 1000000000',
      'preemptionPolicy: Unsupported value: "Always": supported values: "Never", "PreemptLowerPriority"',
    ]);
  });

  it('keeps value and preemption policy fixed', () => {
    const old = created('PriorityClass', { value: 1000 });
    assert.deepEqual(updateErrors('PriorityClass', old, (o) => {
      o.value = 2000;
      o.preemptionPolicy = 'Never';
    }), ['value: Forbidden: may not be changed in an update.', 'preemptionPolicy: Invalid value: "Never": field is immutable']);
  });
});
