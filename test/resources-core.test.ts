// The core/v1 resource definitions: defaults and create-time preparation as a 1.32 server
// stores them, validation errors with kube's paths and messages, and table cells as
// `kubectl get` shows them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderFieldError } from '../src/api/errors.ts';
import type { KubeObject } from '../src/api/types.ts';
import { ServiceAllocators } from '../src/registry/allocator/service-allocators.ts';
import { coreResources } from '../src/registry/resources/core.ts';
import { podQOSClass } from '../src/registry/resources/core-pod.ts';
import {
  defaultPodSpec, defaultPodTemplateSpec, podSpecContainerNames, podSpecImages, validatePodSpec, validatePodTemplateSpec,
} from '../src/registry/resources/podspec.ts';
import type { ResourceDef } from '../src/registry/types.ts';

const now = Date.parse('2025-01-01T12:00:00Z');
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString().replace('.000Z', 'Z');

function def(kind: string): ResourceDef {
  const found = coreResources.find((d) => d.kind === kind);
  assert.ok(found, kind);
  return found;
}

/** What the generic store does on create, minus storage: defaults, then prepareForCreate. */
function created(kind: string, obj: Partial<KubeObject> & Record<string, unknown>): KubeObject {
  const o = structuredClone({ metadata: { name: 'x', namespace: 'default' }, ...obj }) as KubeObject;
  o.metadata.creationTimestamp ??= ago(300);
  const strategy = def(kind).strategy;
  strategy.defaults?.(o);
  strategy.prepareForCreate?.(o);
  return o;
}

/** What the store does on update: defaults, prepareForUpdate, then both validations. */
function updateErrors(kind: string, old: KubeObject, next: KubeObject): string[] {
  const strategy = def(kind).strategy;
  strategy.defaults?.(next);
  strategy.prepareForUpdate?.(next, old);
  return [...(strategy.validate?.(next) ?? []), ...(strategy.validateUpdate?.(next, old) ?? [])].map(renderFieldError);
}

function errorsOf(kind: string, obj: Record<string, unknown>): string[] {
  const o = created(kind, obj);
  return (def(kind).strategy.validate?.(o) ?? []).map(renderFieldError);
}

function cells(kind: string, obj: KubeObject, wide = false): unknown[] {
  return def(kind).columns.filter((c) => wide || c.priority === 0).map((c) => c.cell(obj, now));
}

function columnNames(kind: string): string[] {
  return def(kind).columns.map((c) => (c.priority ? `${c.name}*` : c.name));
}

describe('core resource table', () => {
  it('serves every core/v1 kind with kube\'s names, scope and short names', () => {
    const rows = coreResources.map((d) => `${d.plural} ${d.singular} ${d.shortNames.join(',') || '-'} ${d.namespaced ? 'ns' : 'cluster'} ` +
      `${d.categories.join(',') || '-'} ${d.subresources.join(',') || '-'} ${d.verbs.length}`);
    assert.deepEqual(rows, [
      'namespaces namespace ns cluster - finalize,status 8',
      'pods pod po ns all status,binding,eviction,log,exec,attach,portforward,proxy,ephemeralcontainers 8',
      'nodes node no cluster - status,proxy 8',
      'services service svc ns all status,proxy 8',
      'endpoints endpoints ep ns - - 8',
      'configmaps configmap cm ns - - 8',
      'secrets secret - ns - - 8',
      'serviceaccounts serviceaccount sa ns - token 8',
      'events event ev ns - - 8',
      'limitranges limitrange limits ns - - 8',
      'resourcequotas resourcequota quota ns - status 8',
      'persistentvolumes persistentvolume pv cluster - status 8',
      'persistentvolumeclaims persistentvolumeclaim pvc ns - status 8',
      'replicationcontrollers replicationcontroller rc ns all status,scale 8',
    ]);
    for (const d of coreResources) assert.equal(d.schema, `io.k8s.api.core.v1.${d.kind}`);
  });

  it('has the columns of printers.go (* = wide only)', () => {
    const table: Array<[string, string[]]> = [
      ['Pod', ['Ready', 'Status', 'Restarts', 'Age', 'IP*', 'Node*', 'Nominated Node*', 'Readiness Gates*']],
      ['Service', ['Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector*']],
      ['Node', ['Status', 'Roles', 'Age', 'Version', 'Internal-IP*', 'External-IP*', 'OS-Image*', 'Kernel-Version*', 'Container-Runtime*']],
      ['Namespace', ['Status', 'Age']],
      ['ConfigMap', ['Data', 'Age']],
      ['Secret', ['Type', 'Data', 'Age']],
      ['ServiceAccount', ['Secrets', 'Age']],
      ['Endpoints', ['Endpoints', 'Age']],
      ['Event', ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']],
      ['LimitRange', ['Created At']],
      ['ResourceQuota', ['Request', 'Limit', 'Age']],
      ['PersistentVolume', ['Capacity', 'Access Modes', 'Reclaim Policy', 'Status', 'Claim', 'StorageClass', 'VolumeAttributesClass', 'Reason', 'Age', 'VolumeMode*']],
      ['PersistentVolumeClaim', ['Status', 'Volume', 'Capacity', 'Access Modes', 'StorageClass', 'VolumeAttributesClass', 'Age', 'VolumeMode*']],
    ];
    for (const [kind, names] of table) assert.deepEqual(columnNames(kind), names, kind);
  });
});

describe('pod spec defaults', () => {
  it('fills a minimal pod as a 1.32 server stores it', () => {
    const pod = created('Pod', { spec: { containers: [{ name: 'web', image: 'nginx' }] } });
    const volumeName = pod.spec.volumes[0].name;
    assert.match(volumeName, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(pod.spec, {
      containers: [{
        name: 'web', image: 'nginx', imagePullPolicy: 'Always', resources: {},
        terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
        volumeMounts: [{ name: volumeName, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }],
      }],
      dnsPolicy: 'ClusterFirst', enableServiceLinks: true, preemptionPolicy: 'PreemptLowerPriority', priority: 0,
      restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {},
      serviceAccount: 'default', serviceAccountName: 'default', terminationGracePeriodSeconds: 30,
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
      volumes: [{
        name: volumeName,
        projected: {
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
          defaultMode: 420,
        },
      }],
    });
    assert.deepEqual(pod.status, { phase: 'Pending', qosClass: 'BestEffort' });
  });

  it('chooses imagePullPolicy from the tag as SetDefaults_Container', () => {
    const table: Array<[string, string]> = [
      ['nginx', 'Always'], ['nginx:latest', 'Always'], ['nginx:1.27', 'IfNotPresent'],
      ['localhost:5000/team/app', 'Always'], ['localhost:5000/team/app:v2', 'IfNotPresent'],
      [`busybox@sha256:${'a'.repeat(64)}`, 'IfNotPresent'], [`busybox:latest@sha256:${'a'.repeat(64)}`, 'Always'],
      ['Not/Valid', 'IfNotPresent'],
    ];
    for (const [image, policy] of table) {
      const spec: any = { containers: [{ name: 'c', image }] };
      defaultPodSpec(spec);
      assert.equal(spec.containers[0].imagePullPolicy, policy, image);
    }
  });

  it('defaults probes, ports, env field refs and volumes', () => {
    const spec: any = {
      containers: [{
        name: 'c', image: 'app:1', ports: [{ containerPort: 80 }],
        env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
        readinessProbe: { httpGet: { port: 80 } },
        livenessProbe: { grpc: { port: 9000 } },
      }],
      volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'cfg' } }, { name: 'host', hostPath: { path: '/data' } }],
      serviceAccountName: 'builder',
    };
    defaultPodSpec(spec);
    const c = spec.containers[0];
    assert.deepEqual(c.ports, [{ containerPort: 80, protocol: 'TCP' }]);
    assert.deepEqual(c.env[0].valueFrom.fieldRef, { fieldPath: 'spec.nodeName', apiVersion: 'v1' });
    assert.deepEqual(c.readinessProbe, {
      httpGet: { port: 80, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3,
    });
    assert.deepEqual(c.livenessProbe.grpc, { port: 9000, service: '' });
    assert.deepEqual(spec.volumes, [
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'cfg', defaultMode: 420 } },
      { name: 'host', hostPath: { path: '/data', type: '' } },
    ]);
    assert.equal(spec.serviceAccount, 'builder');
  });

  it('keeps creationTimestamp: null in templates and leaves Pod-only defaults out', () => {
    const template: any = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1', resources: { limits: { cpu: '1' } } }] } };
    defaultPodTemplateSpec(template);
    assert.deepEqual(template.metadata, { labels: { app: 'web' }, creationTimestamp: null });
    assert.equal(template.spec.enableServiceLinks, undefined);
    assert.equal(template.spec.containers[0].resources.requests, undefined);
    assert.equal(podSpecImages(template.spec), 'nginx:1');
    assert.equal(podSpecContainerNames({ containers: [{ name: 'a' }, { name: 'b' }] }), 'a,b');
  });

  it('copies limits into missing requests for Pods and computes the QoS class', () => {
    const pod = created('Pod', { spec: { containers: [{ name: 'c', image: 'i:1', resources: { limits: { cpu: '500m', memory: '128Mi' } } }] } });
    assert.deepEqual(pod.spec.containers[0].resources.requests, { cpu: '500m', memory: '128Mi' });
    assert.equal(pod.status.qosClass, 'Guaranteed');
    const table: Array<[unknown, string]> = [
      [{}, 'BestEffort'],
      [{ requests: { cpu: '100m' } }, 'Burstable'],
      [{ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1000m', memory: '1024Mi' } }, 'Guaranteed'],
      [{ requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '2', memory: '1Gi' } }, 'Burstable'],
      [{ limits: { cpu: '1' }, requests: { cpu: '1' } }, 'Burstable'],
      [{ requests: { 'nvidia.com/gpu': '1' } }, 'BestEffort'],
    ];
    for (const [resources, qos] of table) assert.equal(podQOSClass({ containers: [{ resources }] }), qos, JSON.stringify(resources));
  });
});

describe('pod spec validation', () => {
  const ok = { name: 'web', image: 'nginx' };
  const table: Array<[string, Record<string, unknown>, string[]]> = [
    ['no containers', {}, ['spec.containers: Required value']],
    ['bad name and no image', { containers: [{ name: 'Web' }] }, [
      "spec.containers[0].name: Invalid value: \"Web\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', " +
      "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
      'spec.containers[0].image: Required value',
    ]],
    ['duplicate names', { containers: [ok, { ...ok }] }, ['spec.containers[1].name: Duplicate value: "web"']],
    ['ports', { containers: [{ ...ok, ports: [{ containerPort: 70000 }, { containerPort: 80, protocol: 'HTTP' }] }] }, [
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[1].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    ]],
    ['restart policy', { containers: [ok], restartPolicy: 'Sometimes' }, [
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]],
    ['unknown volume', { containers: [{ ...ok, volumeMounts: [{ name: 'data', mountPath: '/data' }] }] }, [
      'spec.containers[0].volumeMounts[0].name: Not found: "data"',
    ]],
    ['requests above limits', { containers: [{ ...ok, resources: { requests: { cpu: '2' }, limits: { cpu: '1' } } }] }, [
      'spec.containers[0].resources.requests[cpu]: Invalid value: "2": must be less than or equal to cpu limit of 1',
    ]],
    ['probe without handler', { containers: [{ ...ok, livenessProbe: { periodSeconds: 5 } }] }, [
      'spec.containers[0].livenessProbe: Required value: must specify a handler type',
    ]],
    ['pull policy', { containers: [{ ...ok, imagePullPolicy: 'Sometimes' }] }, [
      'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
    ]],
  ];
  for (const [name, spec, want] of table) {
    it(name, () => {
      assert.deepEqual(errorsOf('Pod', { spec }), want);
    });
  }

  it('validates templates under their own path, labels included', () => {
    const template: any = { metadata: { labels: { 'app/x/y': 'v' } }, spec: { containers: [{ name: 'c' }] } };
    defaultPodTemplateSpec(template);
    const errs = validatePodTemplateSpec(template, 'spec.template').map(renderFieldError);
    assert.equal(errs.length, 2);
    assert.match(errs[0], /^spec\.template\.metadata\.labels: Invalid value: "app\/x\/y": a qualified name must consist of/);
    assert.equal(errs[1], 'spec.template.spec.containers[0].image: Required value');
    assert.deepEqual(validatePodSpec({ containers: [ok], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' }, 'spec')
      .map(renderFieldError), ['spec.containers[0].terminationMessagePolicy: Required value: must be \'File\' or \'FallbackToLogsOnError\'',
      'spec.containers[0].imagePullPolicy: Required value']);
  });
});

describe('pod update', () => {
  const base = () => created('Pod', { spec: { containers: [{ name: 'web', image: 'nginx:1', ports: [{ containerPort: 80 }] }] } });

  it('allows image, activeDeadlineSeconds and added tolerations', () => {
    const old = base();
    const next = structuredClone(old);
    next.spec.containers[0].image = 'nginx:2';
    next.spec.activeDeadlineSeconds = 100;
    next.spec.tolerations.push({ key: 'gpu', operator: 'Exists', effect: 'NoSchedule' });
    assert.deepEqual(updateErrors('Pod', old, next), []);
  });

  it('forbids other spec changes with kube\'s message', () => {
    const old = base();
    const next = structuredClone(old);
    next.spec.containers[0].ports[0].containerPort = 8080;
    const errs = updateErrors('Pod', old, next);
    assert.equal(errs.length, 1);
    assert.ok(errs[0].startsWith('spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,' +
      '`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),' +
      '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n'), errs[0]);
    assert.match(errs[0], /containerPort: 80\n\+.*containerPort: 8080/);
  });

  it('forbids adding containers and removing tolerations', () => {
    const old = base();
    const added = structuredClone(old);
    added.spec.containers.push({ name: 'side', image: 'busybox' });
    assert.deepEqual(updateErrors('Pod', old, added), ['spec.containers: Forbidden: pod updates may not add or remove containers']);
    const removed = structuredClone(old);
    removed.spec.tolerations = [];
    assert.deepEqual(updateErrors('Pod', old, removed),
      ['spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds']);
  });

  it('deletes unscheduled or finished pods at once and bound ones gracefully', () => {
    const del = (pod: Record<string, any>, grace?: number) => def('Pod').strategy.gracefulDelete!(pod as KubeObject, grace);
    assert.deepEqual(del({ metadata: {}, spec: { terminationGracePeriodSeconds: 30 } }), { graceful: false, gracePeriodSeconds: 0 });
    assert.deepEqual(del({ metadata: {}, spec: { nodeName: 'n1', terminationGracePeriodSeconds: 30 } }), { graceful: true, gracePeriodSeconds: 30 });
    assert.deepEqual(del({ metadata: {}, spec: { nodeName: 'n1', terminationGracePeriodSeconds: 30 } }, 5), { graceful: true, gracePeriodSeconds: 5 });
    assert.deepEqual(del({ metadata: {}, spec: { nodeName: 'n1' } }, 0), { graceful: false, gracePeriodSeconds: 0 });
    assert.deepEqual(del({ metadata: {}, spec: { nodeName: 'n1' }, status: { phase: 'Succeeded' } }), { graceful: false, gracePeriodSeconds: 0 });
  });
});

describe('pod columns', () => {
  const pod = (status: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject => ({
    metadata: { name: 'p', creationTimestamp: ago(300), ...(extra.metadata as object) },
    spec: { containers: [{ name: 'c' }], nodeName: 'node-1', ...(extra.spec as object) },
    status,
  });
  const table: Array<[string, KubeObject, unknown[]]> = [
    ['pending', pod({ phase: 'Pending' }, { spec: { nodeName: undefined } }), ['0/1', 'Pending', '0', '5m', '<none>', '<none>', '<none>', '<none>']],
    ['creating', pod({ phase: 'Pending', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] }),
      ['0/1', 'ContainerCreating', '0', '5m', '<none>', 'node-1', '<none>', '<none>']],
    ['running', pod({ phase: 'Running', podIPs: [{ ip: '10.244.0.5' }], containerStatuses: [{ name: 'c', ready: true, restartCount: 0, state: { running: {} } }] }),
      ['1/1', 'Running', '0', '5m', '10.244.0.5', 'node-1', '<none>', '<none>']],
    ['crash looping', pod({ phase: 'Running', containerStatuses: [{
      name: 'c', ready: false, restartCount: 5, state: { waiting: { reason: 'CrashLoopBackOff' } },
      lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(90) } },
    }] }), ['0/1', 'CrashLoopBackOff', '5 (90s ago)', '5m', '<none>', 'node-1', '<none>', '<none>']],
    ['completed', pod({ phase: 'Succeeded', containerStatuses: [{ name: 'c', ready: false, restartCount: 0, state: { terminated: { exitCode: 0, reason: 'Completed' } } }] }),
      ['0/1', 'Completed', '0', '5m', '<none>', 'node-1', '<none>', '<none>']],
    ['terminating', pod({ phase: 'Running', containerStatuses: [{ name: 'c', ready: true, state: { running: {} } }] }, { metadata: { deletionTimestamp: ago(0) } }),
      ['1/1', 'Terminating', '0', '5m', '<none>', 'node-1', '<none>', '<none>']],
    ['init', pod({ phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { waiting: { reason: 'PodInitializing' } } }] },
      { spec: { initContainers: [{ name: 'i' }], readinessGates: [{ conditionType: 'x/ready' }] } }),
      ['0/1', 'Init:0/1', '0', '5m', '<none>', 'node-1', '<none>', '0/1']],
  ];
  for (const [name, obj, want] of table) {
    it(name, () => {
      assert.deepEqual(cells('Pod', obj, true), want);
    });
  }

  it('selects pods by kube\'s field labels', () => {
    const fields = def('Pod').selectableFields!;
    const obj = table[2][1];
    assert.equal(fields['spec.nodeName'](obj), 'node-1');
    assert.equal(fields['status.phase'](obj), 'Running');
    assert.equal(fields['status.podIP'](obj), '10.244.0.5');
    assert.equal(fields['spec.hostNetwork'](obj), 'false');
  });
});

describe('services', () => {
  const ipNumber = (ip: string) => ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);
  // ClusterIPs and NodePorts come from the store's allocation hooks, after the strategy (see test/services.test.ts).
  const allocators = new ServiceAllocators();
  const allocated = (obj: Record<string, unknown>) => {
    const svc = created('Service', obj);
    allocators.allocateCreate(svc, false).commit();
    return svc;
  };

  it('defaults a ClusterIP service and allocates from 10.96.0.0/12', () => {
    const svc = allocated({ spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
    const ip = svc.spec.clusterIP;
    assert.ok(ipNumber(ip) > ipNumber('10.96.0.1') && ipNumber(ip) < ipNumber('10.112.0.0'), ip);
    assert.deepEqual(svc.spec, {
      selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], sessionAffinity: 'None', type: 'ClusterIP',
      internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'], clusterIP: ip, clusterIPs: [ip],
    });
    assert.deepEqual(svc.status, { loadBalancer: {} });
    assert.deepEqual(cells('Service', svc, true), ['ClusterIP', ip, '<none>', '80/TCP', '5m', 'app=web']);
  });

  it('allocates node ports for NodePort and LoadBalancer services', () => {
    const svc = allocated({ spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'x', port: 81, nodePort: 30081 }] } });
    const [a, b] = svc.spec.ports;
    assert.ok(a.nodePort >= 30000 && a.nodePort <= 32767);
    assert.equal(b.nodePort, 30081);
    assert.equal(svc.spec.externalTrafficPolicy, 'Cluster');
    assert.equal(svc.spec.allocateLoadBalancerNodePorts, true);
    assert.deepEqual(cells('Service', svc).slice(2, 4), ['<pending>', `80:${a.nodePort}/TCP,81:30081/TCP`]);
  });

  it('gives ExternalName services no IP and headless ones None', () => {
    const ext = created('Service', { spec: { type: 'ExternalName', externalName: 'db.example.com' } });
    assert.equal(ext.spec.clusterIP, undefined);
    assert.deepEqual(cells('Service', ext), ['ExternalName', '<none>', 'db.example.com', '<none>', '5m']);
    const headless = created('Service', { spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ port: 5432 }] } });
    assert.deepEqual([headless.spec.clusterIPs, headless.spec.ipFamilyPolicy, headless.spec.ipFamilies], [['None'], 'SingleStack', ['IPv4']]);
    const bare = created('Service', { spec: { clusterIP: 'None' } });
    assert.deepEqual([bare.spec.ipFamilyPolicy, bare.spec.ipFamilies], ['RequireDualStack', ['IPv4', 'IPv6']]);
  });

  const table: Array<[string, Record<string, unknown>, string[]]> = [
    ['no ports', { spec: { selector: { a: 'b' } } }, ['spec.ports: Required value']],
    ['unnamed ports', { spec: { ports: [{ port: 80 }, { port: 443 }] } }, ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']],
    ['bad type', { spec: { type: 'Magic', ports: [{ port: 80 }] } }, ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
    ['nodePort on ClusterIP', { spec: { ports: [{ port: 80, nodePort: 30001 }] } }, ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"]],
    ['external name missing', { spec: { type: 'ExternalName' } }, ['spec.externalName: Required value']],
    ['DNS-1035 name', { metadata: { name: '1svc', namespace: 'default' }, spec: { ports: [{ port: 80 }] } }, [
      "metadata.name: Invalid value: \"1svc\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic " +
      "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]],
  ];
  for (const [name, obj, want] of table) {
    it(`rejects ${name}`, () => {
      assert.deepEqual(errorsOf('Service', obj), want);
    });
  }

  it('keeps allocated values on update and refuses a new cluster IP', () => {
    const old = allocated({ spec: { type: 'NodePort', ports: [{ name: 'http', port: 80 }] } });
    const kept: KubeObject = { metadata: old.metadata, spec: { type: 'NodePort', ports: [{ name: 'http', port: 80 }] } };
    assert.deepEqual(updateErrors('Service', old, kept), []);
    assert.equal(kept.spec.clusterIP, old.spec.clusterIP);
    assert.equal(kept.spec.ports[0].nodePort, old.spec.ports[0].nodePort);
    const moved = structuredClone(old);
    moved.spec.clusterIP = '10.96.5.5';
    moved.spec.clusterIPs = ['10.96.5.5'];
    assert.deepEqual(updateErrors('Service', old, moved), ['spec.clusterIPs[0]: Invalid value: []string{"10.96.5.5"}: may not change once set']);
    const external = structuredClone(old);
    external.spec.type = 'ExternalName';
    external.spec.externalName = 'example.com';
    assert.deepEqual(updateErrors('Service', old, external), []);
    assert.equal(external.spec.clusterIP, undefined);
    assert.equal(external.spec.ports[0].nodePort, undefined);
  });
});

describe('namespaces and nodes', () => {
  it('creates namespaces Active with the kubernetes finalizer and name label', () => {
    const ns = created('Namespace', { metadata: { name: 'team-a' } });
    assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'team-a' });
    assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
    assert.deepEqual(ns.status, { phase: 'Active' });
    assert.deepEqual(cells('Namespace', ns), ['Active', '5m']);
    assert.deepEqual(def('Namespace').strategy.gracefulDelete!(ns, undefined), { graceful: true });
    const next = structuredClone(ns);
    next.spec.finalizers = [];
    def('Namespace').strategy.prepareForUpdate!(next, ns);
    assert.deepEqual(next.spec.finalizers, ['kubernetes']);
  });

  it('prints node status, roles and addresses', () => {
    const node = created('Node', {
      metadata: { name: 'cp', labels: { 'node-role.kubernetes.io/control-plane': '' } },
      spec: { unschedulable: true },
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '172.18.0.2' }],
        nodeInfo: { kubeletVersion: 'v1.32.0', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0', containerRuntimeVersion: 'containerd://1.7.0' },
        capacity: { cpu: '4' },
      },
    });
    assert.deepEqual(cells('Node', node, true), ['Ready,SchedulingDisabled', 'control-plane', '5m', 'v1.32.0', '172.18.0.2', '<none>',
      'Debian GNU/Linux 12 (bookworm)', '6.1.0', 'containerd://1.7.0']);
    assert.deepEqual(node.status.allocatable, { cpu: '4' });
    const bare = created('Node', { metadata: { name: 'n' } });
    assert.deepEqual(cells('Node', bare, true), ['Unknown', '<none>', '5m', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
    assert.deepEqual(bare.status.daemonEndpoints, { kubeletEndpoint: { Port: 0 } });
    assert.deepEqual(errorsOf('Node', { metadata: { name: 'n' }, spec: { taints: [{ key: 'k', effect: 'Sometimes' }] } }),
      ['spec.taints[0].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"']);
  });
});

describe('configmaps, secrets and service accounts', () => {
  it('folds stringData into data and defaults the type', () => {
    const secret = created('Secret', { stringData: { password: 's3cr3t' }, data: { user: 'YWRtaW4=' } });
    assert.deepEqual([secret.type, secret.data, secret.stringData], ['Opaque', { user: 'YWRtaW4=', password: 'czNjcjN0' }, undefined]);
    assert.deepEqual(cells('Secret', secret), ['Opaque', 2, '5m']);
  });

  it('validates keys and typed secrets', () => {
    assert.deepEqual(errorsOf('Secret', { type: 'kubernetes.io/tls', data: { 'bad key': '' } }), [
      "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' " +
      "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      'data[tls.crt]: Required value', 'data[tls.key]: Required value',
    ]);
    assert.deepEqual(errorsOf('ConfigMap', { data: { a: '1' }, binaryData: { a: 'MQ==' } }),
      ['data[a]: Invalid value: "a": duplicate of key present in binaryData']);
  });

  it('keeps type and immutable data fixed', () => {
    const old = created('Secret', { immutable: true, data: { a: 'MQ==' } });
    const next = structuredClone(old);
    next.type = 'kubernetes.io/basic-auth';
    next.data = { username: 'dQ==' };
    assert.deepEqual(updateErrors('Secret', old, next), [
      'type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    const cm = created('ConfigMap', { immutable: true, data: { a: '1' } });
    const cm2 = structuredClone(cm);
    cm2.immutable = false;
    assert.deepEqual(updateErrors('ConfigMap', cm, cm2), ['immutable: Forbidden: field is immutable when `immutable` is set']);
    assert.deepEqual(cells('ConfigMap', created('ConfigMap', { data: { a: '1' }, binaryData: { b: 'MQ==' } })), [2, '5m']);
    assert.deepEqual(cells('ServiceAccount', created('ServiceAccount', {})), [0, '5m']);
  });
});

describe('events, endpoints, quotas and volumes', () => {
  it('prints events as kubectl get events', () => {
    const ev = created('Event', {
      involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', fieldPath: 'spec.containers{web}' },
      reason: 'Pulled', message: 'Successfully pulled image "nginx"\n', type: 'Normal', count: 3,
      firstTimestamp: ago(600), lastTimestamp: ago(30), source: { component: 'kubelet', host: 'node-1' },
    });
    assert.deepEqual(cells('Event', ev, true), ['30s', 'Normal', 'Pulled', 'pod/web-1', 'spec.containers{web}', 'kubelet, node-1',
      'Successfully pulled image "nginx"', '10m', 3, 'x']);
    assert.deepEqual(errorsOf('Event', { involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } }),
      ['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
    assert.equal(def('Event').selectableFields!['involvedObject.name'](ev), 'web-1');
  });

  it('prints endpoints with at most three addresses', () => {
    const ep = created('Endpoints', { subsets: [{ addresses: ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'].map((ip) => ({ ip })), ports: [{ port: 80 }] }] });
    assert.deepEqual(cells('Endpoints', ep), ['10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more...', '5m']);
    assert.equal((ep.subsets as any[])[0].ports[0].protocol, 'TCP');
    assert.deepEqual(cells('Endpoints', created('Endpoints', {})), ['<none>', '5m']);
    assert.deepEqual(errorsOf('Endpoints', { subsets: [{ addresses: [{ ip: '127.0.0.1' }] }] }),
      ['subsets[0].addresses[0].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)']);
  });

  it('prints quotas and limit ranges', () => {
    const rq = created('ResourceQuota', { spec: { hard: { pods: '10' } } });
    assert.deepEqual(rq.status, {});
    rq.status = { hard: { 'limits.cpu': '2', pods: '10', 'requests.cpu': '1' }, used: { pods: '3', 'requests.cpu': '500m' } };
    assert.deepEqual(cells('ResourceQuota', rq), ['pods: 3/10, requests.cpu: 500m/1', 'limits.cpu: 0/2', '5m']);
    const lr = created('LimitRange', { spec: { limits: [{ type: 'Container', max: { cpu: '1' }, min: { memory: '64Mi' } }] } });
    assert.deepEqual(lr.spec.limits[0].default, { cpu: '1' });
    assert.deepEqual(lr.spec.limits[0].defaultRequest, { cpu: '1', memory: '64Mi' });
    assert.deepEqual(cells('LimitRange', lr), [ago(300)]);
  });

  it('defaults and prints persistent volumes and claims', () => {
    const pv = created('PersistentVolume', { metadata: { name: 'pv1' }, spec: {
      capacity: { storage: '5Gi' }, accessModes: ['ReadWriteMany', 'ReadWriteOnce'], hostPath: { path: '/data' },
      claimRef: { namespace: 'default', name: 'data' }, storageClassName: 'standard',
    } });
    assert.deepEqual([pv.spec.persistentVolumeReclaimPolicy, pv.spec.volumeMode, pv.status.phase], ['Retain', 'Filesystem', 'Pending']);
    assert.deepEqual(cells('PersistentVolume', pv, true),
      ['5Gi', 'RWO,RWX', 'Retain', 'Pending', 'default/data', 'standard', '<unset>', '', '5m', 'Filesystem']);
    const pvc = created('PersistentVolumeClaim', { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    assert.deepEqual(cells('PersistentVolumeClaim', pvc, true), ['Pending', '', '', '', '', '<unset>', '5m', 'Filesystem']);
    assert.deepEqual(errorsOf('PersistentVolumeClaim', { spec: {} }),
      ['spec.accessModes: Required value: at least 1 access mode is required', 'spec.resources[storage]: Required value']);
    const bound = structuredClone(pvc);
    bound.spec.volumeName = 'pv1';
    bound.status = { phase: 'Bound', capacity: { storage: '5Gi' }, accessModes: ['ReadWriteOnce'] };
    assert.deepEqual(cells('PersistentVolumeClaim', bound).slice(0, 4), ['Bound', 'pv1', '5Gi', 'RWO']);
    const changed = structuredClone(pvc);
    changed.spec.accessModes = ['ReadWriteMany'];
    const errs = updateErrors('PersistentVolumeClaim', pvc, changed);
    assert.equal(errs.length, 1);
    assert.ok(errs[0].startsWith('spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
    const binding = structuredClone(pvc);
    binding.spec.volumeName = 'pv1';
    assert.deepEqual(updateErrors('PersistentVolumeClaim', pvc, binding), []);
  });
});
