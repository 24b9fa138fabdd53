// Stage 9: a Deployment of 1,000 replicas on 10 simulated nodes (the whole control plane:
// deployment and replicaset controllers, scheduler, kubelets in their worker threads, the
// default stage bundle, over HTTPS with the admin's certificate as `npm start` serves it): how long from POST until the Deployment is complete (every replica
// updated and available), then how long a rolling update to a new image takes to complete.
// Completion is read as `kubectl rollout status` reads it, from the Deployment's status.
import { join } from 'node:path';
import { progress, sleep } from '../lib/context.ts';
import type { HttpClient } from '../lib/http.ts';
import { createNamespace } from '../lib/objects.ts';
import { ServerProcess } from '../lib/server-process.ts';
import type { Row } from '../lib/table.ts';
import { waitForNodes } from './pods-running.ts';

interface DeploymentView {
  metadata: { generation?: number };
  spec: { replicas: number };
  status?: { observedGeneration?: number; replicas?: number; updatedReplicas?: number; availableReplicas?: number };
}

const path = '/apis/apps/v1/namespaces/bench-deploy/deployments';

function deployment(replicas: number) {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } },
    },
  };
}

/** Rollout complete, as kubectl rollout status judges it. */
function complete(d: DeploymentView): boolean {
  const s = d.status ?? {};
  const n = d.spec.replicas;
  return (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) && s.updatedReplicas === n && s.replicas === n && s.availableReplicas === n;
}

async function untilComplete(client: HttpClient, t0: number, deadlineMs: number): Promise<number> {
  while (performance.now() - t0 < deadlineMs) {
    const d = JSON.parse((await client.expectOk('GET', `${path}/web`)).body) as DeploymentView;
    if (complete(d)) return performance.now() - t0;
    await sleep(50);
  }
  return NaN;
}

/** POST a Deployment, wait until complete; patch its image, wait until complete again. */
export async function measureRollout(client: HttpClient, replicas: number): Promise<{ availableMs: number; rolledMs: number }> {
  await createNamespace(client, 'bench-deploy');
  const t0 = performance.now();
  await client.expectOk('POST', path, { body: deployment(replicas) });
  const availableMs = await untilComplete(client, t0, 60_000);
  progress(`stage 9: Deployment of ${replicas} complete in ${Math.round(availableMs)} ms`);
  if (Number.isNaN(availableMs)) return { availableMs, rolledMs: NaN };
  const t1 = performance.now();
  await client.expectOk('PATCH', `${path}/web`, {
    contentType: 'application/strategic-merge-patch+json',
    body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } },
  });
  const rolledMs = await untilComplete(client, t1, 60_000);
  progress(`stage 9: rolling update of ${replicas} complete in ${Math.round(rolledMs)} ms`);
  return { availableMs, rolledMs };
}

export async function deploymentRollout(opts: { root: string; replicas: number; nodes: number; cpuProfDir?: string }): Promise<Row[]> {
  const flags = ['--nodes', String(opts.nodes)];
  const { server } = await ServerProcess.start({ dataDir: join(opts.root, 'deployment'), flags, access: 'user', cpuProfDir: opts.cpuProfDir });
  const client = server.client(8);
  try {
    await waitForNodes(client, opts.nodes);
    const { availableMs, rolledMs } = await measureRollout(client, opts.replicas);
    const over = `${opts.replicas.toLocaleString('en-US')} replicas, ${opts.nodes} nodes`;
    const seconds = (ms: number, what: string) => (Number.isNaN(ms) ? `not ${what} in 60 s` : `${(ms / 1000).toFixed(1)} s (${over})`);
    return [
      { stage: '9. Deployment, 1,000 replicas over 10 nodes → Available', result: seconds(availableMs, 'available'), budget: '≤ 5 s', holds: availableMs <= 5_000 },
      { stage: '9. rolling update to a new image → complete', result: seconds(rolledMs, 'complete'), budget: '≤ 8 s', holds: rolledMs <= 8_000 },
    ];
  } finally {
    client.close();
    await server.stop();
  }
}
