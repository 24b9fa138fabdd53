// The EndpointSlice mirroring controller through kubectl: a selector-less Service with
// hand-written Endpoints gets mirrored EndpointSlices (labels, owner, ready and not-ready
// addresses, ports), follows changes, stops on skip-mirror, and leaves Services with a selector alone.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until, hangGuard } from './support/wait.ts';

const manifests = (ip: string) => `
apiVersion: v1
kind: Service
metadata: { name: external-db, namespace: default }
spec:
  ports: [{ name: pg, port: 5432 }]
---
apiVersion: v1
kind: Endpoints
metadata: { name: external-db, namespace: default, labels: { team: data } }
subsets:
- addresses: [{ ip: ${ip} }]
  notReadyAddresses: [{ ip: 10.0.0.9, hostname: standby }]
  ports: [{ name: pg, port: 5432, protocol: TCP }]
`;

describe('endpointslice mirroring controller', { timeout: hangGuard(30_000) }, () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ controllers: { controllers: ['endpointslice-mirroring-controller'] } });
  });
  after(async () => {
    await server?.stop();
  });
  const mirrored = async () => (await server.getJson<{ items: KubeObject[] }>(
    '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=endpointslice.kubernetes.io%2Fmanaged-by%3Dendpointslicemirroring-controller.k8s.io')).items;

  it('mirrors hand-written Endpoints of a selector-less Service', async () => {
    const applied = await server.kubectl(['apply', '-f', '-'], { input: manifests('10.0.0.5') });
    assert.equal(applied.code, 0, applied.stderr);
    const [slice] = await until('one mirrored slice', async () => { const s = await mirrored(); return s.length === 1 && s; });
    const ep = await server.getJson('/api/v1/namespaces/default/endpoints/external-db');
    assert.match(slice.metadata.name!, /^external-db-[a-z0-9]{5}$/);
    assert.deepEqual(slice.metadata.labels, { team: 'data', 'kubernetes.io/service-name': 'external-db', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' });
    assert.deepEqual(slice.metadata.ownerReferences?.map((o) => [o.kind, o.name, o.uid, o.controller]), [['Endpoints', 'external-db', ep.metadata.uid, true]]);
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.endpoints, [
      { addresses: ['10.0.0.5'], conditions: { ready: true } },
      { addresses: ['10.0.0.9'], conditions: { ready: false }, hostname: 'standby' },
    ]);
    assert.deepEqual(slice.ports, [{ name: 'pg', port: 5432, protocol: 'TCP' }]);
  });

  it('follows a change of the Endpoints and stops on skip-mirror', async () => {
    const applied = await server.kubectl(['apply', '-f', '-'], { input: manifests('10.0.0.6') });
    assert.equal(applied.code, 0, applied.stderr);
    await until('the new address mirrored', async () => { const s = await mirrored(); return s.length === 1 && (s[0].endpoints as { addresses: string[] }[])[0].addresses[0] === '10.0.0.6'; });
    const labelled = await server.kubectl(['label', 'endpoints', 'external-db', 'endpointslice.kubernetes.io/skip-mirror=true']);
    assert.equal(labelled.code, 0, labelled.stderr);
    await until('mirrored slices removed', async () => (await mirrored()).length === 0);
  });
});
