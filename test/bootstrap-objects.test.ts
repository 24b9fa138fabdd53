// The objects kubelite writes at start-up are written as server-built (generic-store's
// `serverBuilt`: not decoded against the schema, as kube's in-process callers hand over typed
// objects). That is only the same as decoding them if decoding would change nothing: each
// must decode strictly with no unknown field, no type error and no warning.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { defaultPolicyObjects } from '../src/auth/rbac/bootstrap.ts';
import { bootstrapFlowControlObjects } from '../src/registry/bootstrap/flowcontrol.ts';
import { decodeBody } from '../src/registry/decode.ts';
import { flowSchemaResource, priorityLevelConfigurationResource } from '../src/registry/resources/flowcontrol.ts';
import type { ResourceDef } from '../src/registry/types.ts';
import type { KubeObject } from '../src/api/types.ts';

function assertDecodesUnchanged(def: ResourceDef, object: KubeObject): void {
  const before = JSON.stringify(object);
  const { object: decoded, warnings } = decodeBody(def, structuredClone(object), { mode: 'Strict' });
  assert.deepEqual(warnings, [], `${def.kind} ${object.metadata.name}`);
  assert.equal(JSON.stringify(decoded), before, `${def.kind} ${object.metadata.name} changes when decoded`);
}

describe('bootstrap objects', () => {
  it('the default RBAC policy decodes strictly and unchanged', () => {
    const objects = defaultPolicyObjects();
    assert.ok(objects.length > 100);
    for (const { def, object } of objects) assertDecodesUnchanged(def, object);
  });

  it('the flow-control FlowSchemas and PriorityLevelConfigurations decode strictly and unchanged', () => {
    const objects = bootstrapFlowControlObjects();
    assert.ok(objects.length > 10);
    for (const { plural, object } of objects) assertDecodesUnchanged(plural === 'flowschemas' ? flowSchemaResource : priorityLevelConfigurationResource, object);
  });
});
