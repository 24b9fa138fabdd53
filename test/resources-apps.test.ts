// The apps/v1 and batch/v1 resource definitions: defaults and create-time preparation as a 1.32
// server stores them, validation errors with kube's paths and messages, generation and update
// rules, and table cells as `kubectl get` shows them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fieldErrorBody, renderFieldError, type FieldError } from '../src/api/errors.ts';
import type { KubeObject } from '../src/api/types.ts';
import { appsResources } from '../src/registry/resources/apps.ts';
import { batchResources } from '../src/registry/resources/batch.ts';
import { cronScheduleError, timeZoneError } from '../src/registry/resources/batch-cron.ts';
import type { ResourceDef } from '../src/registry/types.ts';

const now = Date.parse('2025-01-01T12:00:00Z');
const ago = (seconds: number) => new Date(now - seconds * 1000).toISOString().replace('.000Z', 'Z');
const uid = '0f6c2a1e-1111-4222-8333-444455556666';

function def(kind: string): ResourceDef {
  const found = [...appsResources, ...batchResources].find((d) => d.kind === kind);
  assert.ok(found, kind);
  return found;
}

/** As kube-apiserver prints it: bad values Go renders with %#v use their `goString`. */
function render(fe: FieldError): string {
  const goString = (fe.badValue as { goString?: string } | undefined)?.goString;
  if (goString === undefined) return renderFieldError(fe);
  const words = fe.type === 'FieldValueNotSupported' ? 'Unsupported value' : 'Invalid value';
  const tail = fe.type === 'FieldValueNotSupported'
    ? `: supported values: ${(fe.supported ?? []).map((s) => JSON.stringify(s)).join(', ')}` : fe.detail ? `: ${fe.detail}` : '';
  return `${fe.field}: ${words}: ${goString}${tail}`;
}

/** What the generic store does on create, minus storage: system fields, defaults, prepareForCreate. */
function created(kind: string, obj: Record<string, unknown>): KubeObject {
  const o = structuredClone({ metadata: { name: 'web', namespace: 'default' }, ...obj }) as KubeObject;
  o.metadata.uid ??= uid;
  o.metadata.creationTimestamp ??= ago(300);
  const strategy = def(kind).strategy;
  strategy.defaults?.(o);
  strategy.prepareForCreate?.(o);
  return o;
}

function errorsOf(kind: string, obj: Record<string, unknown>): string[] {
  return (def(kind).strategy.validate?.(created(kind, obj)) ?? []).map(render);
}

/** What the store does on update: status kept, defaults, prepareForUpdate, both validations, generation. */
function updated(kind: string, old: KubeObject, change: (o: KubeObject) => void): { obj: KubeObject; errors: string[]; bumps: boolean } {
  const next = structuredClone(old);
  change(next);
  const strategy = def(kind).strategy;
  strategy.defaults?.(next);
  strategy.prepareForUpdate?.(next, old);
  const errors = [...(strategy.validate?.(next) ?? []), ...(strategy.validateUpdate?.(next, old) ?? [])].map(render);
  return { obj: next, errors, bumps: strategy.bumpsGeneration?.(next, old) ?? false };
}

function cells(kind: string, obj: KubeObject, wide = false): unknown[] {
  return def(kind).columns.filter((c) => wide || c.priority === 0).map((c) => c.cell(obj, now));
}

const columnNames = (kind: string) => def(kind).columns.map((c) => (c.priority ? `${c.name}*` : c.name));

const container = { name: 'nginx', image: 'nginx:1.27' };
const template = (labels: Record<string, string> | null = { app: 'web' }, spec: Record<string, unknown> = {}) =>
  ({ metadata: labels ? { labels } : {}, spec: { containers: [container], ...spec } });
const deployment = (spec: Record<string, unknown> = {}) =>
  ({ spec: { selector: { matchLabels: { app: 'web' } }, template: template(), ...spec } });

/** SetDefaults_PodSpec and SetDefaults_Container for `container` in a template. */
const defaultedPodSpec = (extra: Record<string, unknown> = {}) => ({
  containers: [{ ...container, imagePullPolicy: 'IfNotPresent', resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' }],
  dnsPolicy: 'ClusterFirst', restartPolicy: 'Always', schedulerName: 'default-scheduler', securityContext: {}, terminationGracePeriodSeconds: 30,
  ...extra,
});

describe('apps and batch resource table', () => {
  it('serves kube\'s names, scope, short names, categories and subresources', () => {
    const rows = [...appsResources, ...batchResources].map((d) => `${d.group}/${d.version} ${d.plural} ${d.singular} ${d.shortNames.join(',') || '-'} ` +
      `${d.namespaced ? 'ns' : 'cluster'} ${d.categories.join(',') || '-'} ${d.subresources.join(',') || '-'} ${d.verbs.length}`);
    assert.deepEqual(rows, [
      'apps/v1 deployments deployment deploy ns all status,scale 8',
      'apps/v1 replicasets replicaset rs ns all status,scale 8',
      'apps/v1 statefulsets statefulset sts ns all status,scale 8',
      'apps/v1 daemonsets daemonset ds ns all status 8',
      'apps/v1 controllerrevisions controllerrevision - ns - - 8',
      'batch/v1 jobs job - ns all status 8',
      'batch/v1 cronjobs cronjob cj ns all status 8',
    ]);
    for (const kind of ['Deployment', 'ReplicaSet', 'StatefulSet']) {
      assert.deepEqual(def(kind).scale, { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' });
    }
    assert.equal(def('StatefulSet').nameRule, 'label');
  });

  it('has the columns of printers.go (wide-only marked *)', () => {
    assert.deepEqual(columnNames('Deployment'), ['Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']);
    assert.deepEqual(columnNames('ReplicaSet'), ['Desired', 'Current', 'Ready', 'Age', 'Containers*', 'Images*', 'Selector*']);
    assert.deepEqual(columnNames('StatefulSet'), ['Ready', 'Age', 'Containers*', 'Images*']);
    assert.deepEqual(columnNames('DaemonSet'),
      ['Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers*', 'Images*', 'Selector*']);
    assert.deepEqual(columnNames('ControllerRevision'), ['Controller', 'Revision', 'Age']);
    assert.deepEqual(columnNames('Job'), ['Status', 'Completions', 'Duration', 'Age', 'Containers*', 'Images*', 'Selector*']);
    assert.deepEqual(columnNames('CronJob'), ['Schedule', 'Timezone', 'Suspend', 'Active', 'Last Schedule', 'Age', 'Containers*', 'Images*', 'Selector*']);
    const upToDate = def('Deployment').columns[1];
    assert.equal(upToDate.type, 'string');
    assert.equal(upToDate.description, 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.');
  });
});

describe('Deployment', () => {
  it('defaults a minimal manifest as a 1.32 server stores it', () => {
    const d = created('Deployment', deployment());
    assert.deepEqual(d.spec, {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' }, creationTimestamp: null }, spec: defaultedPodSpec() },
      replicas: 1,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    });
    assert.deepEqual(d.status, {});
  });

  it('keeps a Recreate strategy without rolling update parameters', () => {
    assert.deepEqual(created('Deployment', deployment({ strategy: { type: 'Recreate' } })).spec.strategy, { type: 'Recreate' });
  });

  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['valid', deployment(), []],
    ['selector does not match the template', deployment({ selector: { matchLabels: { app: 'api' } } }),
      ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`']],
    ['no selector (Required comes from the schema)', { spec: { template: template() } },
      ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`']],
    ['empty selector', deployment({ selector: {} }),
      ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment']],
    ['template without labels', deployment({ template: template(null) }),
      ['spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`']],
    ['negative replicas', deployment({ replicas: -1 }), ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
    ['restartPolicy Never', deployment({ template: template({ app: 'web' }, { restartPolicy: 'Never' }) }),
      ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"']],
    ['activeDeadlineSeconds', deployment({ template: template({ app: 'web' }, { activeDeadlineSeconds: 5 }) }),
      ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported']],
    ['no containers', deployment({ template: { metadata: { labels: { app: 'web' } }, spec: {} } }), ['spec.template.spec.containers: Required value']],
    ['maxSurge and maxUnavailable both 0', deployment({ strategy: { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } } }),
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0']],
    ['both 0%', deployment({ strategy: { rollingUpdate: { maxSurge: '0%', maxUnavailable: '0%' } } }),
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"0%"}: may not be 0 when `maxSurge` is 0']],
    ['maxUnavailable above 100%', deployment({ strategy: { rollingUpdate: { maxUnavailable: '150%' } } }),
      ['spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%']],
    ['maxSurge not a percentage', deployment({ strategy: { rollingUpdate: { maxSurge: 'lots' } } }),
      ["spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"lots\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"]],
    ['Recreate with rollingUpdate', deployment({ strategy: { type: 'Recreate', rollingUpdate: {} } }),
      ["spec.strategy.rollingUpdate: Forbidden: may not be specified when strategy `type` is 'Recreate'"]],
    ['unknown strategy', deployment({ strategy: { type: 'BlueGreen' } }),
      ['spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"BlueGreen", RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"']],
    ['progress deadline not above minReadySeconds', deployment({ minReadySeconds: 10, progressDeadlineSeconds: 10 }),
      ['spec.progressDeadlineSeconds: Invalid value: 10: must be greater than minReadySeconds']],
    ['invalid selector', deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } }), [
      'spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is \'In\' or \'NotIn\'',
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"In", Values:[]string(nil)}}}: invalid label selector',
    ]],
  ];
  for (const [name, obj, expected] of cases) {
    it(`validates: ${name}`, () => assert.deepEqual(errorsOf('Deployment', obj), expected));
  }

  it('keeps the selector immutable and bumps generation on spec or annotation changes', () => {
    const old = created('Deployment', deployment());
    const moved = updated('Deployment', old, (o) => {
      o.spec.selector = { matchLabels: { app: 'api' } };
      o.spec.template.metadata.labels = { app: 'api' };
    });
    assert.deepEqual(moved.errors, [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"api"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ]);
    assert.equal(updated('Deployment', old, (o) => { o.spec.replicas = 3; }).bumps, true);
    assert.equal(updated('Deployment', old, (o) => { o.metadata.annotations = { note: 'x' }; }).bumps, true);
    assert.equal(updated('Deployment', old, (o) => { o.metadata.labels = { team: 'a' }; }).bumps, false);
  });

  it('checks status updates', () => {
    const d = created('Deployment', deployment());
    d.status = { replicas: 1, readyReplicas: 2, availableReplicas: -1 };
    assert.deepEqual(def('Deployment').strategy.status!.validateUpdate!(d, d).map(render), [
      'status.availableReplicas: Invalid value: -1: must be greater than or equal to 0',
      'status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas',
    ]);
  });

  it('prints READY UP-TO-DATE AVAILABLE AGE and, wide, CONTAINERS IMAGES SELECTOR', () => {
    const d = created('Deployment', deployment({ replicas: 3 }));
    d.status = { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
    assert.deepEqual(cells('Deployment', d), ['2/3', 3, 2, '5m']);
    assert.deepEqual(cells('Deployment', d, true), ['2/3', 3, 2, '5m', 'nginx', 'nginx:1.27', 'app=web']);
    d.spec.selector = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }] };
    assert.equal(cells('Deployment', d, true)[6], 'app=web,tier in (a,b)');
  });
});

describe('ReplicaSet', () => {
  it('defaults replicas, starts with status.replicas 0 and selects on status.replicas', () => {
    const rs = created('ReplicaSet', deployment());
    assert.equal(rs.spec.replicas, 1);
    assert.deepEqual(rs.status, { replicas: 0 });
    assert.equal(def('ReplicaSet').selectableFields!['status.replicas'](rs), '0');
  });

  it('validates like kube (the empty-selector message says deployment)', () => {
    assert.deepEqual(errorsOf('ReplicaSet', deployment({ selector: {}, minReadySeconds: -1 })), [
      'spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0',
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment',
    ]);
  });

  it('prints DESIRED CURRENT READY AGE', () => {
    const rs = created('ReplicaSet', deployment({ replicas: 2 }));
    rs.status = { replicas: 2, readyReplicas: 1 };
    assert.deepEqual(cells('ReplicaSet', rs, true), [2, 2, 1, '5m', 'nginx', 'nginx:1.27', 'app=web']);
  });
});

describe('StatefulSet', () => {
  const sts = (spec: Record<string, unknown> = {}) => ({ spec: { serviceName: 'web', ...deployment(spec).spec } });

  it('defaults policies, retention and the claim templates', () => {
    const s = created('StatefulSet', sts({
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    }));
    assert.deepEqual({ ...s.spec, template: undefined, selector: undefined }, {
      serviceName: 'web', template: undefined, selector: undefined,
      volumeClaimTemplates: [{
        apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'www', creationTimestamp: null },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
        status: { phase: 'Pending' },
      }],
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
      replicas: 1,
      revisionHistoryLimit: 10,
    });
    assert.deepEqual(s.status, { replicas: 0, availableReplicas: 0 });
  });

  it('validates its own rules (the pod spec is not validated, as in kube)', () => {
    assert.deepEqual(errorsOf('StatefulSet', sts({ template: { metadata: { labels: { app: 'web' } }, spec: {} } })), []);
    assert.deepEqual(errorsOf('StatefulSet', sts({
      podManagementPolicy: 'Random', updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } }, ordinals: { start: -1 },
      selector: { matchLabels: { app: 'db' } }, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep' },
    })), [
      "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'",
      "spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy{...}: only allowed for updateStrategy 'RollingUpdate'",
      'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"',
      'spec.ordinals.start: Invalid value: -1: must be greater than or equal to 0',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
    ]);
  });

  it('forbids updates to fields other than the listed ones', () => {
    const old = created('StatefulSet', sts());
    const ok = updated('StatefulSet', old, (o) => {
      o.spec.replicas = 5;
      o.spec.template.spec.containers[0].image = 'nginx:1.28';
    });
    assert.deepEqual(ok.errors, []);
    assert.equal(ok.bumps, true);
    assert.deepEqual(updated('StatefulSet', old, (o) => { o.spec.serviceName = 'other'; }).errors, [
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', " +
      "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ]);
  });

  it('prints READY AGE', () => {
    const s = created('StatefulSet', sts({ replicas: 3 }));
    s.status = { replicas: 3, readyReplicas: 1 };
    assert.deepEqual(cells('StatefulSet', s, true), ['1/3', '5m', 'nginx', 'nginx:1.27']);
  });
});

describe('DaemonSet', () => {
  it('defaults the update strategy and records the template generation', () => {
    const ds = created('DaemonSet', deployment());
    assert.deepEqual(ds.spec.updateStrategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    assert.equal(ds.spec.revisionHistoryLimit, 10);
    assert.deepEqual(ds.metadata.annotations, { 'deprecated.daemonset.template.generation': '1' });
    assert.deepEqual(ds.status, { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 });
    const same = updated('DaemonSet', ds, (o) => { o.spec.minReadySeconds = 5; });
    assert.equal(same.obj.metadata.annotations!['deprecated.daemonset.template.generation'], '1');
    assert.equal(same.bumps, true);
    const next = updated('DaemonSet', ds, (o) => { o.spec.template.spec.containers[0].image = 'nginx:2'; });
    assert.equal(next.obj.metadata.annotations!['deprecated.daemonset.template.generation'], '2');
  });

  it('validates the rolling update and the restart policy', () => {
    assert.deepEqual(errorsOf('DaemonSet', deployment({ updateStrategy: { rollingUpdate: { maxUnavailable: 1, maxSurge: 1 } } })), [
      'spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, StrVal:""}: may not be set when maxUnavailable is non-zero',
    ]);
    assert.deepEqual(errorsOf('DaemonSet', deployment({ updateStrategy: { rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } })), [
      'spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0',
    ]);
    assert.deepEqual(errorsOf('DaemonSet', deployment({ template: template({ app: 'web' }, { restartPolicy: 'OnFailure' }) })), [
      'spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
    ]);
  });

  it('prints DESIRED CURRENT READY UP-TO-DATE AVAILABLE NODE SELECTOR AGE', () => {
    const ds = created('DaemonSet', deployment({ template: template({ app: 'web' }, { nodeSelector: { 'kubernetes.io/os': 'linux' } }) }));
    ds.status = { desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 2, updatedNumberScheduled: 3, numberAvailable: 2 };
    assert.deepEqual(cells('DaemonSet', ds, true), [3, 3, 2, 3, 2, 'kubernetes.io/os=linux', '5m', 'nginx', 'nginx:1.27', 'app=web']);
  });
});

describe('ControllerRevision', () => {
  it('requires data, keeps it immutable and prints its controller', () => {
    assert.deepEqual(errorsOf('ControllerRevision', { revision: -1 }), [
      'data: Required value: data is mandatory', 'revision: Invalid value: -1: must be greater than or equal to 0',
    ]);
    const cr = created('ControllerRevision', { data: { spec: {} }, revision: 2 });
    cr.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid, controller: true }];
    assert.deepEqual(cells('ControllerRevision', cr), ['statefulset.apps/web', 2, '5m']);
    assert.deepEqual(updated('ControllerRevision', cr, (o) => { o.data = { spec: { x: 1 } }; }).errors,
      ['data: Invalid value: runtime.RawExtension{...}: field is immutable']);
    delete cr.metadata.ownerReferences;
    assert.equal(cells('ControllerRevision', cr)[0], '<none>');
  });
});

describe('Job', () => {
  const job = (spec: Record<string, unknown> = {}) =>
    ({ spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl:5.34' }], restartPolicy: 'Never' } }, ...spec } });
  const generated = { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': 'web', 'controller-uid': uid, 'job-name': 'web' };

  it('defaults counts and policies and generates the selector and labels', () => {
    const j = created('Job', job());
    const { template: t, ...rest } = j.spec;
    assert.deepEqual(rest, {
      completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed',
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } },
    });
    assert.deepEqual(t.metadata, { creationTimestamp: null, labels: generated });
    assert.deepEqual(j.metadata.labels, generated);
    assert.deepEqual(j.status, {});
    assert.deepEqual(errorsOf('Job', job()), []);
  });

  it('leaves completions unset for a work queue and keeps the job\'s own labels', () => {
    const j = created('Job', { ...job({ parallelism: 3 }), metadata: { name: 'web', namespace: 'default', labels: { team: 'a' } } });
    assert.equal(j.spec.completions, undefined);
    assert.equal(j.spec.parallelism, 3);
    assert.deepEqual(j.metadata.labels, { team: 'a' });
  });

  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['default restart policy', { spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl' }] } } } },
      ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']],
    ['negative counts', job({ parallelism: -1, backoffLimit: -2 }), [
      'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
      'spec.backoffLimit: Invalid value: -2: must be greater than or equal to 0',
    ]],
    ['unknown completion mode', job({ completionMode: 'Sometimes' }),
      ['spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"']],
    ['indexed job without completions', job({ completionMode: 'Indexed', parallelism: 2 }),
      ['spec.completions: Required value: when completion mode is Indexed']],
    ['wrong generated label', job({ template: { metadata: { labels: { 'job-name': 'other' } }, spec: { containers: [{ name: 'pi', image: 'perl' }], restartPolicy: 'Never' } } }), [
      `spec.template.metadata.labels[job-name]: Invalid value: map[string]string{"batch.kubernetes.io/controller-uid":"${uid}", "batch.kubernetes.io/job-name":"web", "controller-uid":"${uid}", "job-name":"other"}: must be 'web'`,
    ]],
    ['manual selector that does not match', job({ manualSelector: true, selector: { matchLabels: { app: 'x' } } }),
      ['spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`']],
  ];
  for (const [name, obj, expected] of cases) {
    it(`validates: ${name}`, () => assert.deepEqual(errorsOf('Job', obj), expected));
  }

  it('keeps the template immutable unless the job is suspended and never started', () => {
    const old = created('Job', job());
    assert.deepEqual(updated('Job', old, (o) => { o.spec.template.spec.containers[0].image = 'perl:6'; }).errors,
      ['spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable']);
    assert.deepEqual(updated('Job', old, (o) => { o.spec.completions = 2; }).errors, ['spec.completions: Invalid value: 2: field is immutable']);
    const suspended = created('Job', job({ suspend: true }));
    const change = updated('Job', suspended, (o) => {
      o.spec.suspend = false;
      o.spec.template.spec.nodeSelector = { zone: 'a' };
    });
    assert.deepEqual(change.errors, []);
    assert.equal(change.bumps, true);
    assert.deepEqual(updated('Job', suspended, (o) => { o.spec.template.spec.containers[0].image = 'perl:6'; }).errors,
      ['spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable']);
  });

  it('prints STATUS COMPLETIONS DURATION AGE', () => {
    const j = created('Job', job());
    assert.deepEqual(cells('Job', j, true), ['Running', '0/1', '', '5m', 'pi', 'perl:5.34', `batch.kubernetes.io/controller-uid=${uid}`]);
    j.status = { startTime: ago(200), completionTime: ago(150), succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] };
    assert.deepEqual(cells('Job', j), ['Complete', '1/1', '50s', '5m']);
    j.status = { startTime: ago(90), conditions: [{ type: 'Suspended', status: 'True' }] };
    assert.deepEqual(cells('Job', j).slice(0, 3), ['Suspended', '0/1', '90s']);
    const queue = created('Job', job({ parallelism: 4 }));
    assert.equal(cells('Job', queue)[1], '0/1 of 4');
    assert.equal(def('Job').selectableFields!['status.successful']({ ...queue, status: { succeeded: 2 } }), '2');
  });
});

describe('CronJob', () => {
  const cronJob = (spec: Record<string, unknown> = {}) => ({
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: { spec: { template: { spec: { containers: [{ name: 'hello', image: 'busybox' }], restartPolicy: 'OnFailure' } } } },
      ...spec,
    },
  });

  it('defaults policies and history limits; the job template gets pod defaults only', () => {
    const cj = created('CronJob', cronJob());
    const { jobTemplate, ...rest } = cj.spec;
    assert.deepEqual(rest, {
      schedule: '*/5 * * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
    });
    assert.deepEqual(jobTemplate.metadata, { creationTimestamp: null });
    assert.deepEqual(Object.keys(jobTemplate.spec), ['template']);
    assert.equal(jobTemplate.spec.template.spec.dnsPolicy, 'ClusterFirst');
    assert.deepEqual(cj.status, {});
  });

  const cases: Array<[string, Record<string, unknown>, string[]]> = [
    ['valid', cronJob(), []],
    ['bad schedule', cronJob({ schedule: 'every minute' }),
      ['spec.schedule: Invalid value: "every minute": expected exactly 5 fields, found 2: [every minute]']],
    ['TZ in schedule', cronJob({ schedule: 'TZ=UTC 0 * * * *' }),
      ['spec.schedule: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']],
    ['unknown concurrency policy', cronJob({ concurrencyPolicy: 'Sometimes' }),
      ['spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"']],
    ['job template restart policy', cronJob({ jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } } }),
      ['spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']],
    ['selector in the job template', cronJob({
      jobTemplate: { spec: { selector: { matchLabels: { a: 'b' } }, template: { spec: { containers: [{ name: 'c', image: 'b' }], restartPolicy: 'Never' } } } },
    }), ['spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated']],
    ['unknown time zone', cronJob({ timeZone: 'Mars/Olympus' }), ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']],
    ['negative history', cronJob({ failedJobsHistoryLimit: -1 }), ['spec.failedJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0']],
  ];
  for (const [name, obj, expected] of cases) {
    it(`validates: ${name}`, () => assert.deepEqual(errorsOf('CronJob', obj), expected));
  }

  it('limits names to 52 characters', () => {
    const name = 'a'.repeat(53);
    assert.deepEqual(errorsOf('CronJob', { ...cronJob(), metadata: { name, namespace: 'default' } }),
      [`metadata.name: Invalid value: "${name}": must be no more than 52 characters`]);
  });

  it('prints SCHEDULE TIMEZONE SUSPEND ACTIVE LAST SCHEDULE AGE', () => {
    const cj = created('CronJob', cronJob({ timeZone: 'Europe/Paris' }));
    assert.deepEqual(cells('CronJob', cj, true), ['*/5 * * * *', 'Europe/Paris', 'False', 0, '<none>', '5m', 'hello', 'busybox', '<none>']);
    cj.status = { active: [{ name: 'web-1' }], lastScheduleTime: ago(60) };
    assert.deepEqual(cells('CronJob', cj).slice(3, 5), [1, '60s']);
  });
});

describe('cron schedules (robfig/cron ParseStandard)', () => {
  const valid = ['* * * * *', '*/15 0-6 1,15 * mon-fri', '0 0 * jan,JUL sun', '5/10 * * * *', '@hourly', '@every 1h30m', '0 12 ? * *'];
  for (const s of valid) it(`accepts ${s}`, () => assert.equal(cronScheduleError(s), undefined));
  const invalid: Array<[string, string]> = [
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['@every 5', 'failed to parse duration @every 5: time: missing unit in duration "5"'],
  ];
  for (const [s, msg] of invalid) it(`rejects ${JSON.stringify(s)}`, () => assert.equal(cronScheduleError(s), msg));

  it('checks time zones as validateTimeZone does', () => {
    assert.equal(timeZoneError('America/New_York'), undefined);
    assert.equal(timeZoneError('UTC'), undefined);
    assert.equal(timeZoneError(''), 'timeZone must be nil or non-empty string');
    assert.equal(timeZoneError('Local'), 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones');
    assert.equal(timeZoneError('america/new_york'), 'unknown time zone america/new_york');
    assert.equal(timeZoneError('../etc/passwd'), 'unknown time zone ../etc/passwd');
  });
});

it('bad values serialise as their plain JSON value', () => {
  const [err] = def('Deployment').strategy.validate!(created('Deployment', deployment({ selector: { matchLabels: { app: 'api' } } })));
  assert.equal(JSON.stringify(err.badValue), '{"app":"web"}');
  assert.equal(fieldErrorBody(err).startsWith('Invalid value: '), true);
});
