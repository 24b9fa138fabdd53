// Server-side apply and managedFields, as kube-apiserver v1.32 (structured-merge-diff v4 and
// the apiserver's field manager) computes them. Expected values are written by hand from the
// Server-Side Apply documentation and the fieldsV1 format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../src/api/errors.ts';
import type { KubeObject } from '../src/api/types.ts';
import {
  FieldSet, applyConfiguration, ignoreManagedFieldsTimestamps, managerFromUserAgent, managersOf,
  parsePathElement, pathString, schemaTypeAt, serializePathElement, updateManagedFields,
} from '../src/registry/apply/index.ts';

const definition = 'io.k8s.api.apps.v1.Deployment';
const T0 = '2024-05-01T10:00:00Z';
const T1 = '2024-05-01T11:00:00Z';
const T2 = '2024-05-01T12:00:00Z';

function deployment(spec: Record<string, unknown>, labels: Record<string, string> = { app: 'web' }): Record<string, unknown> {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', labels }, spec };
}

const template = (containers: unknown[]) => ({ metadata: { labels: { app: 'web' } }, spec: { containers } });
const selector = { matchLabels: { app: 'web' } };

function apply(live: KubeObject | undefined, applied: unknown, manager: string, opts: { force?: boolean; time?: string } = {}): KubeObject {
  const { object } = applyConfiguration({
    live, applied, manager, force: opts.force, apiVersion: 'apps/v1', kind: 'Deployment', definition, time: opts.time ?? T0,
  });
  // What the store adds on create.
  object.metadata.uid ??= 'uid-1';
  object.metadata.resourceVersion = String(Number(object.metadata.resourceVersion ?? 0) + 1);
  return object;
}

function update(old: KubeObject | undefined, next: KubeObject, manager: string, time = T1): KubeObject {
  const managedFields = updateManagedFields({ old, next, manager, apiVersion: 'apps/v1', time, definition });
  const out = structuredClone(next);
  if (managedFields) out.metadata.managedFields = managedFields;
  else delete out.metadata.managedFields;
  return out;
}

function owned(obj: KubeObject): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const m of managersOf(obj)) out[`${m.manager}/${m.operation}`] = m.fields.paths().map(pathString);
  return out;
}

function failsWith(fn: () => unknown, code: number, reason: string, message: string): StatusError {
  let caught: StatusError | undefined;
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof StatusError, `not a StatusError: ${String(err)}`);
    assert.deepEqual([err.code, err.reason, err.message], [code, reason, message]);
    caught = err;
    return true;
  });
  return caught!;
}

// ---- field sets and fieldsV1 ----

test('path elements serialise as fieldsV1 keys and print as structured-merge-diff paths', () => {
  for (const key of ['f:spec', 'k:{"containerPort":80,"protocol":"TCP"}', 'v:"foregroundDeletion"', 'i:3']) {
    assert.equal(serializePathElement(parsePathElement(key)!), key);
  }
  // Key fields are sorted by name whatever order they come in.
  assert.equal(serializePathElement(parsePathElement('k:{"protocol":"TCP","containerPort":80}')!), 'k:{"containerPort":80,"protocol":"TCP"}');
  assert.equal(pathString([{ field: 'spec' }, { field: 'containers' }, parsePathElement('k:{"name":"nginx"}')!, { field: 'image' }]),
    '.spec.containers[name="nginx"].image');
  assert.equal(pathString([{ field: 'metadata' }, { field: 'finalizers' }, { value: 'x' }]), '.metadata.finalizers[="x"]');
});

// The managed fields kubectl create (client-side apply) leaves on an nginx Deployment, in the
// order kube-apiserver writes them: `.` first, then field names, then keys.
const realDeploymentFields = {
  'f:metadata': {
    'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} },
    'f:labels': { '.': {}, 'f:app': {} },
  },
  'f:spec': {
    'f:progressDeadlineSeconds': {},
    'f:replicas': {},
    'f:revisionHistoryLimit': {},
    'f:selector': {},
    'f:strategy': {
      'f:rollingUpdate': { '.': {}, 'f:maxSurge': {}, 'f:maxUnavailable': {} },
      'f:type': {},
    },
    'f:template': {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:containers': {
          'k:{"name":"nginx"}': {
            '.': {},
            'f:image': {},
            'f:imagePullPolicy': {},
            'f:name': {},
            'f:ports': {
              '.': {},
              'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} },
            },
            'f:resources': {},
            'f:terminationMessagePath': {},
            'f:terminationMessagePolicy': {},
          },
        },
        'f:dnsPolicy': {},
        'f:restartPolicy': {},
        'f:schedulerName': {},
        'f:securityContext': {},
        'f:terminationGracePeriodSeconds': {},
      },
    },
  },
};

test('fieldsV1 of a real Deployment round-trips byte for byte', () => {
  const set = FieldSet.fromFieldsV1(realDeploymentFields);
  assert.equal(JSON.stringify(set.toFieldsV1()), JSON.stringify(realDeploymentFields));
  assert.ok(set.has([{ field: 'spec' }, { field: 'strategy' }, { field: 'rollingUpdate' }]), 'rollingUpdate itself is a member (.)');
  assert.ok(!set.has([{ field: 'spec' }, { field: 'strategy' }]), 'strategy is only a parent');
  assert.ok(set.has([{ field: 'spec' }, { field: 'selector' }]));
});

test('keys are written in path-element order whatever order they were read in', () => {
  const set = FieldSet.fromFieldsV1({ 'i:1': {}, 'v:"b"': {}, 'k:{"name":"x"}': {}, 'f:b': {}, 'f:a': { 'f:z': {}, '.': {} } });
  assert.equal(JSON.stringify(set.toFieldsV1()), '{"f:a":{".":{},"f:z":{}},"f:b":{},"k:{\\"name\\":\\"x\\"}":{},"v:\\"b\\"":{},"i:1":{}}');
});

test('set algebra keeps members and children apart', () => {
  const a = FieldSet.fromFieldsV1({ 'f:spec': { 'f:replicas': {}, 'f:paused': {} } });
  const b = FieldSet.fromFieldsV1({ 'f:spec': { 'f:replicas': {}, 'f:minReadySeconds': {} } });
  assert.deepEqual(a.union(b).toFieldsV1(), { 'f:spec': { 'f:minReadySeconds': {}, 'f:paused': {}, 'f:replicas': {} } });
  assert.deepEqual(a.intersection(b).toFieldsV1(), { 'f:spec': { 'f:replicas': {} } });
  assert.deepEqual(a.difference(b).toFieldsV1(), { 'f:spec': { 'f:paused': {} } });
  assert.deepEqual(a.difference(a).toFieldsV1(), {});
  // Removing `spec` as a member leaves its children; a recursive difference does not.
  const spec = FieldSet.of([{ field: 'spec' }]);
  assert.deepEqual(a.difference(spec).toFieldsV1(), a.toFieldsV1());
  assert.deepEqual(a.recursiveDifference(spec).toFieldsV1(), {});
});

test('schema types follow list-type, patch-merge-key and map-type', () => {
  const containers = schemaTypeAt(definition, [{ field: 'spec' }, { field: 'template' }, { field: 'spec' }, { field: 'containers' }]);
  assert.deepEqual(containers?.kind === 'list' && [containers.atomic, containers.keys], [false, ['name']]);
  const ports = schemaTypeAt('io.k8s.api.core.v1.Container', [{ field: 'ports' }]);
  assert.deepEqual(ports?.kind === 'list' && ports.keys, ['containerPort', 'protocol']);
  const tolerations = schemaTypeAt('io.k8s.api.core.v1.PodSpec', [{ field: 'tolerations' }]);
  assert.equal(tolerations?.kind === 'list' && tolerations.atomic, true);
  const selectorType = schemaTypeAt(definition, [{ field: 'spec' }, { field: 'selector' }]);
  assert.equal(selectorType?.kind === 'map' && selectorType.atomic, true);
  const finalizers = schemaTypeAt(definition, [{ field: 'metadata' }, { field: 'finalizers' }]);
  assert.deepEqual(finalizers?.kind === 'list' && [finalizers.atomic, finalizers.keys], [false, []]);
});

// ---- apply ----

test('create by apply: the applier owns exactly the fields of its configuration', () => {
  const { object, managedFields } = applyConfiguration({
    live: undefined, manager: 'alice', apiVersion: 'apps/v1', kind: 'Deployment', definition, time: T0,
    applied: deployment({ replicas: 3, selector, template: template([{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }]) }),
  });
  assert.equal(object.spec.replicas, 3);
  assert.deepEqual(managedFields, [{
    manager: 'alice', operation: 'Apply', apiVersion: 'apps/v1', time: T0, fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': {
                '.': {}, 'f:image': {}, 'f:name': {},
                // protocol is a key with a default (TCP), so the key names it though the config does not.
                'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
              },
            },
          },
        },
      },
    },
  }]);
  assert.deepEqual(object.metadata.managedFields, managedFields);
});

test('a second applier setting another value conflicts, with kube-apiserver\'s message', () => {
  const live = apply(undefined, deployment({ replicas: 3, selector, template: template([{ name: 'nginx', image: 'nginx' }]) }), 'alice');
  const err = failsWith(() => apply(live, deployment({ replicas: 5 }), 'bob'), 409, 'Conflict',
    'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
  assert.deepEqual(err.status.details, {
    causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }],
  });
});

test('an updater is named with its apiVersion; several conflicts are listed per manager', () => {
  const created = apply(undefined, deployment({ replicas: 3, selector, template: template([{ name: 'nginx', image: 'nginx' }]) }), 'alice');
  const edited = update(created, {
    ...created, spec: { ...created.spec, replicas: 4, minReadySeconds: 5 },
  } as KubeObject, 'kubectl-client-side-apply');
  failsWith(() => apply(edited, deployment({ replicas: 6 }), 'bob'), 409, 'Conflict',
    'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
  const err = failsWith(() => apply(edited, deployment({ replicas: 6, minReadySeconds: 1, template: template([{ name: 'nginx', image: 'nginx:2' }]) }), 'bob'),
    409, 'Conflict',
    'Apply failed with 3 conflicts: conflicts with "alice":\n' +
    '- .spec.template.spec.containers[name="nginx"].image\n' +
    'conflicts with "kubectl-client-side-apply" using apps/v1:\n' +
    '- .spec.minReadySeconds\n' +
    '- .spec.replicas');
  assert.deepEqual(err.status.details?.causes, [
    { reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.template.spec.containers[name="nginx"].image' },
    { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.minReadySeconds' },
    { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' },
  ]);
});

test('force takes ownership of the conflicting fields', () => {
  const live = apply(undefined, deployment({ replicas: 3, selector, template: template([{ name: 'nginx', image: 'nginx' }]) }), 'alice');
  const forced = apply(live, deployment({ replicas: 5 }), 'bob', { force: true, time: T1 });
  assert.equal(forced.spec.replicas, 5);
  const o = owned(forced);
  assert.ok(!o['alice/Apply'].includes('.spec.replicas'), 'alice lost replicas');
  assert.ok(o['alice/Apply'].includes('.spec.selector'), 'alice keeps the rest');
  assert.deepEqual(o['bob/Apply'], ['.metadata.labels.app', '.spec.replicas']);
  // Now alice conflicts with bob.
  failsWith(() => apply(forced, deployment({ replicas: 3, selector, template: template([{ name: 'nginx', image: 'nginx' }]) }), 'alice'),
    409, 'Conflict', 'Apply failed with 1 conflict: conflict with "bob": .spec.replicas');
});

test('a field the applier drops from its configuration is removed, unless someone else owns it', () => {
  const base = { selector, template: template([{ name: 'nginx', image: 'nginx' }]) };
  const live = apply(undefined, deployment({ ...base, replicas: 3, minReadySeconds: 10 }, { app: 'web', tier: 'front' }), 'alice');
  const next = apply(live, deployment({ ...base, replicas: 3 }), 'alice', { time: T1 });
  assert.equal(next.spec.minReadySeconds, undefined);
  assert.deepEqual(next.metadata.labels, { app: 'web' });
  assert.ok(!owned(next)['alice/Apply'].includes('.spec.minReadySeconds'));

  // Shared with bob: dropping it only drops alice's claim.
  const shared = apply(live, deployment({ minReadySeconds: 10 }), 'bob');
  const after = apply(shared, deployment({ ...base, replicas: 3 }, { app: 'web', tier: 'front' }), 'alice', { time: T1 });
  assert.equal(after.spec.minReadySeconds, 10);
  assert.deepEqual(owned(after)['bob/Apply'], ['.metadata.labels.app', '.spec.minReadySeconds']);
});

test('a field an Update took from an applier stays when the applier drops it', () => {
  const base = { selector, template: template([{ name: 'nginx', image: 'nginx' }]) };
  const live = apply(undefined, deployment({ ...base, replicas: 3 }), 'alice');
  const scaled = update(live, { ...live, spec: { ...live.spec, replicas: 7 } } as KubeObject, 'kube-controller-manager');
  const next = apply(scaled, deployment(base), 'alice', { time: T2 });
  assert.equal(next.spec.replicas, 7);
});

test('two appliers setting the same value share the field without conflict', () => {
  const live = apply(undefined, deployment({ replicas: 3, selector, template: template([{ name: 'nginx', image: 'nginx' }]) }), 'alice');
  const next = apply(live, deployment({ replicas: 3 }), 'bob', { time: T1 });
  const o = owned(next);
  assert.ok(o['alice/Apply'].includes('.spec.replicas'));
  assert.ok(o['bob/Apply'].includes('.spec.replicas'));
  // Either one changing it now conflicts with the other.
  failsWith(() => apply(next, deployment({ replicas: 4 }), 'bob'), 409, 'Conflict',
    'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
});

test('containers are merged by name across managers, each owning its own', () => {
  const live = apply(undefined, deployment({ selector, template: template([{ name: 'app', image: 'app:1' }]) }), 'alice');
  const next = apply(live, deployment({ template: { spec: { containers: [{ name: 'sidecar', image: 'envoy:1' }] } } }), 'bob', { time: T1 });
  assert.deepEqual(next.spec.template.spec.containers, [{ name: 'app', image: 'app:1' }, { name: 'sidecar', image: 'envoy:1' }]);
  assert.deepEqual(owned(next)['bob/Apply'], [
    '.metadata.labels.app',
    '.spec.template.spec.containers[name="sidecar"]',
    '.spec.template.spec.containers[name="sidecar"].image',
    '.spec.template.spec.containers[name="sidecar"].name',
  ]);
  // alice re-applying without the sidecar keeps it: it is bob's.
  const again = apply(next, deployment({ selector, template: template([{ name: 'app', image: 'app:2' }]) }), 'alice', { time: T2 });
  assert.deepEqual(again.spec.template.spec.containers, [{ name: 'app', image: 'app:2' }, { name: 'sidecar', image: 'envoy:1' }]);
  // bob dropping his container removes it.
  const dropped = apply(again, deployment({}), 'bob', { time: T2 });
  assert.deepEqual(dropped.spec.template.spec.containers, [{ name: 'app', image: 'app:2' }]);
});

test('set lists are unions; atomic lists are replaced whole', () => {
  const live = apply(undefined, {
    ...deployment({ selector, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'a', image: 'a', args: ['x', 'y'] }] } } }),
    metadata: { name: 'web', namespace: 'default', finalizers: ['one'] },
  }, 'alice');
  const next = apply(live, {
    ...deployment({ template: { spec: { containers: [{ name: 'a', args: ['z'] }] } } }),
    metadata: { name: 'web', namespace: 'default', finalizers: ['two'] },
  }, 'bob', { force: true, time: T1 });
  assert.deepEqual(next.metadata.finalizers, ['one', 'two']);
  assert.deepEqual(next.spec.template.spec.containers[0].args, ['z']);
  assert.ok(owned(next)['bob/Apply'].includes('.metadata.finalizers[="two"]'));
});

test('an Update takes ownership of the fields it changes from an applier', () => {
  const live = apply(undefined, deployment({ replicas: 3, selector, template: template([{ name: 'nginx', image: 'nginx' }]) }), 'alice');
  const edited = update(live, { ...live, spec: { ...live.spec, replicas: 4 } } as KubeObject, 'kubectl-edit');
  const o = owned(edited);
  assert.deepEqual(o['kubectl-edit/Update'], ['.spec.replicas']);
  assert.ok(!o['alice/Apply'].includes('.spec.replicas'));
  assert.deepEqual(edited.metadata.managedFields?.map((e) => [e.manager, e.operation, e.time]), [
    ['alice', 'Apply', T0], ['kubectl-edit', 'Update', T1],
  ]);
  failsWith(() => apply(edited, deployment({ replicas: 3, selector, template: template([{ name: 'nginx', image: 'nginx' }]) }), 'alice'),
    409, 'Conflict', 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas');
  // A no-op update records nothing and keeps the times.
  const same = update(edited, structuredClone(edited), 'kubectl-edit', T2);
  assert.deepEqual(same.metadata.managedFields, edited.metadata.managedFields);
});

// ---- updates ----

test('create records what the object sets against the kind\'s empty object', () => {
  const obj = deployment({ replicas: 1, selector, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } }, template: template([{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }] }]) }) as KubeObject;
  obj.metadata.uid = 'uid-1';
  obj.metadata.creationTimestamp = T0;
  const mf = updateManagedFields({ old: undefined, next: obj, manager: 'kubectl-create', apiVersion: 'apps/v1', time: T0, definition });
  assert.deepEqual(mf, [{
    manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: T0, fieldsType: 'FieldsV1',
    fieldsV1: {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:strategy': { 'f:rollingUpdate': { '.': {}, 'f:maxSurge': {} }, 'f:type': {} },
        'f:template': {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              'k:{"name":"nginx"}': {
                '.': {}, 'f:image': {}, 'f:name': {},
                'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
              },
            },
          },
        },
      },
    },
  }]);
});

test('updates to an object without managed fields are not tracked; clearing them with [] works', () => {
  const obj = deployment({ replicas: 1, selector, template: template([{ name: 'nginx', image: 'nginx' }]) }) as KubeObject;
  obj.metadata.uid = 'uid-1';
  const next = structuredClone(obj);
  next.spec.replicas = 2;
  assert.equal(updateManagedFields({ old: obj, next, manager: 'x', apiVersion: 'apps/v1', time: T1, definition }), undefined);
  const tracked = apply(obj, deployment({ replicas: 1 }), 'alice');
  const cleared = structuredClone(tracked);
  cleared.metadata.managedFields = [];
  assert.equal(updateManagedFields({ old: tracked, next: cleared, manager: 'x', apiVersion: 'apps/v1', time: T1, definition }), undefined);
});

test('the first apply to an untracked object gives existing fields to before-first-apply', () => {
  const obj = deployment({ replicas: 1, selector, template: template([{ name: 'nginx', image: 'nginx' }]) }) as KubeObject;
  obj.metadata.uid = 'uid-1';
  const next = apply(obj, deployment({ replicas: 2 }), 'kubectl', { force: true, time: T1 });
  const o = owned(next);
  assert.deepEqual(o['kubectl/Apply'], ['.metadata.labels.app', '.spec.replicas']);
  assert.ok(o['before-first-apply/Update'].includes('.spec.selector'));
  assert.ok(!o['before-first-apply/Update'].includes('.spec.replicas'));
  assert.equal(next.metadata.managedFields?.find((e) => e.manager === 'before-first-apply')?.apiVersion, 'apps/v1');
  // Without force, the existing replicas (owned by before-first-apply) conflict.
  failsWith(() => apply(obj, deployment({ replicas: 2 }), 'other'), 409, 'Conflict',
    'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas');
});

test('kubectl may take fields over from client-side apply when the last-applied annotation records them', () => {
  const lastApplied = JSON.stringify(deployment({ replicas: 3, selector, template: template([{ name: 'nginx', image: 'nginx' }]) }));
  const obj = deployment({ replicas: 3, selector, template: template([{ name: 'nginx', image: 'nginx' }]) }) as KubeObject;
  obj.metadata.annotations = { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied };
  const live = update(undefined, obj, 'kubectl-client-side-apply', T0);
  live.metadata.uid = 'uid-1';
  const next = apply(live, deployment({ replicas: 4, selector, template: template([{ name: 'nginx', image: 'nginx' }]) }), 'kubectl', { time: T1 });
  assert.equal(next.spec.replicas, 4);
  const annotation = next.metadata.annotations?.['kubectl.kubernetes.io/last-applied-configuration'];
  assert.equal(JSON.parse(annotation!).spec.replicas, 4);
  // Another manager gets the conflict.
  failsWith(() => apply(live, deployment({ replicas: 4 }), 'helm'), 409, 'Conflict',
    'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas');
});

test('bad apply bodies answer as kube-apiserver does', () => {
  const base = { live: undefined, manager: 'm', apiVersion: 'apps/v1', kind: 'Deployment', definition, time: T0 };
  failsWith(() => applyConfiguration({ ...base, applied: { ...deployment({}), metadata: { name: 'web', managedFields: [] } } }),
    400, 'BadRequest', 'metadata.managedFields must be nil');
  failsWith(() => applyConfiguration({ ...base, applied: { ...deployment({}), apiVersion: 'v1' } }),
    400, 'BadRequest', 'invalid object type: /v1, Kind=Deployment');
  failsWith(() => applyConfiguration({ ...base, applied: deployment({ replicaz: 1 }) }), 400, 'BadRequest',
    'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.replicaz: field not declared in schema');
  failsWith(() => applyConfiguration({ ...base, applied: deployment({ template: template([{ name: 'a' }, { name: 'a' }]) }) }), 400, 'BadRequest',
    'failed to create typed patch object (default/web; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="a"]');
});

test('helpers: manager names from User-Agent, no-op writes keep managedFields times', () => {
  assert.equal(managerFromUserAgent('kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9'), 'kubectl');
  assert.equal(managerFromUserAgent('Go-http-client/1.1'), 'Go-http-client');
  assert.equal(managerFromUserAgent(undefined), '');
  const live = apply(undefined, deployment({ replicas: 3 }), 'alice');
  const again = applyConfiguration({ live, applied: deployment({ replicas: 3 }), manager: 'alice', apiVersion: 'apps/v1', kind: 'Deployment', definition, time: T2 }).object;
  assert.equal(again.metadata.managedFields?.[0].time, T2);
  assert.deepEqual(ignoreManagedFieldsTimestamps(again, live), live);
  const changed = applyConfiguration({ live, applied: deployment({ replicas: 4 }), manager: 'alice', apiVersion: 'apps/v1', kind: 'Deployment', definition, time: T2 }).object;
  assert.equal(ignoreManagedFieldsTimestamps(changed, live), changed);
});

test('kinds without a schema are handled untyped: maps merge field by field, lists are atomic', () => {
  const base = { apiVersion: 'example.com/v1', kind: 'Widget', definition: 'com.example.v1.Widget', time: T0 };
  const first = applyConfiguration({ ...base, live: undefined, manager: 'a', applied: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { size: 1, tags: ['x'] } } });
  const live = { ...first.object, metadata: { ...first.object.metadata, uid: 'u' } };
  const next = applyConfiguration({ ...base, live, manager: 'b', applied: { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: { color: 'red' } } });
  assert.deepEqual(next.object.spec, { size: 1, tags: ['x'], color: 'red' });
  // Untyped keys are never declared fields, so each map is a member itself (`.`).
  assert.deepEqual(first.managedFields?.[0].fieldsV1, { 'f:spec': { '.': {}, 'f:size': {}, 'f:tags': {} } });
});
