// The kubelet API's read-only endpoints: /healthz, /pods (the node's pods as a PodList),
// /configz (the KubeletConfiguration in effect), /stats/summary and /metrics/resource (the
// usage metrics-server scrapes). Usage is simulated: each running container uses its
// requests (or a small default), its CPU counter growing with uptime.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../api/types.ts';
import { nodeNameIndex } from '../pod-controller.ts';
import { KubeletHttpError } from './errors.ts';
import type { KubeletContext } from './server.ts';

type InfoKind = 'pods' | 'healthz' | 'configz' | 'statsSummary' | 'metricsResource';

export function serveNodeInfo(ctx: KubeletContext, req: IncomingMessage, res: ServerResponse, kind: InfoKind): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new KubeletHttpError(405, 'Method Not Allowed');
  switch (kind) {
    case 'healthz': return send(res, 'text/plain; charset=utf-8', 'ok');
    case 'pods': return json(res, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: podsOf(ctx) });
    case 'configz': return json(res, { kubeletconfig: kubeletConfiguration() });
    case 'statsSummary': return json(res, summary(ctx));
    case 'metricsResource': return send(res, 'text/plain; version=0.0.4; charset=utf-8', resourceMetrics(ctx));
  }
}

function podsOf(ctx: KubeletContext): KubeObject[] {
  return ctx.pods.byIndex(nodeNameIndex, ctx.nodeName);
}

function send(res: ServerResponse, type: string, body: string): void {
  res.writeHead(200, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

function json(res: ServerResponse, body: unknown): void {
  send(res, 'application/json', JSON.stringify(body));
}

function kubeletConfiguration(): Record<string, unknown> {
  return {
    kind: 'KubeletConfiguration', apiVersion: 'kubelet.config.k8s.io/v1beta1',
    authentication: { x509: {}, webhook: { enabled: true, cacheTTL: '2m0s' }, anonymous: { enabled: false } },
    authorization: { mode: 'Webhook', webhook: { cacheAuthorizedTTL: '5m0s', cacheUnauthorizedTTL: '30s' } },
    clusterDomain: 'cluster.local', clusterDNS: ['10.96.0.10'], maxPods: 110, podPidsLimit: -1,
    nodeStatusUpdateFrequency: '10s', nodeLeaseDurationSeconds: 40, containerRuntimeEndpoint: 'unix:///run/kubelite/kubelite.sock',
    containerLogMaxSize: '10Mi', containerLogMaxFiles: 5, cgroupDriver: 'systemd', failSwapOn: true,
  };
}

interface Usage {
  /** Cores. */
  cpu: number;
  bytes: number;
  startedAt: Date;
}

const defaultUsage = { cpu: 0.001, bytes: 4 * 1024 * 1024 };

function quantity(value: unknown, unit: 'cpu' | 'memory'): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const m = /^(\d+(?:\.\d+)?)(m|k|Ki|M|Mi|G|Gi|T|Ti)?$/.exec(String(value));
  if (!m) return undefined;
  const factors: Record<string, number> = { '': 1, m: 0.001, k: 1e3, Ki: 1024, M: 1e6, Mi: 1024 ** 2, G: 1e9, Gi: 1024 ** 3, T: 1e12, Ti: 1024 ** 4 };
  const n = Number(m[1]) * factors[m[2] ?? ''];
  return unit === 'cpu' ? n : Math.round(n);
}

/** Running containers of the node's pods and what each uses. */
function usages(ctx: KubeletContext): { pod: KubeObject; containers: { name: string; usage: Usage }[] }[] {
  return podsOf(ctx).filter((pod) => pod.status?.phase === 'Running').map((pod) => ({
    pod,
    containers: (pod.spec?.containers ?? []).flatMap((c: { name: string; resources?: { requests?: Record<string, string> } }) => {
      const status = (pod.status?.containerStatuses ?? []).find((s: { name: string }) => s.name === c.name);
      const started = status?.state?.running?.startedAt;
      if (!started) return [];
      return [{
        name: c.name,
        usage: {
          cpu: quantity(c.resources?.requests?.cpu, 'cpu') ?? defaultUsage.cpu,
          bytes: quantity(c.resources?.requests?.memory, 'memory') ?? defaultUsage.bytes,
          startedAt: new Date(started),
        },
      }];
    }),
  }));
}

function cpuStats(usage: Usage, now: Date) {
  const seconds = Math.max(0, (now.getTime() - usage.startedAt.getTime()) / 1000);
  return { time: now.toISOString(), usageNanoCores: Math.round(usage.cpu * 1e9), usageCoreNanoSeconds: Math.round(usage.cpu * seconds * 1e9) };
}

function memoryStats(usage: Usage, now: Date) {
  return { time: now.toISOString(), workingSetBytes: usage.bytes, usageBytes: usage.bytes, rssBytes: usage.bytes };
}

function total(list: Usage[], startedAt: Date): Usage {
  return { cpu: list.reduce((s, u) => s + u.cpu, 0), bytes: list.reduce((s, u) => s + u.bytes, 0), startedAt };
}

/** The Summary API (kubelet/pkg/apis/stats/v1alpha1), the fields metrics-server and kubectl top read. */
function summary(ctx: KubeletContext): unknown {
  const now = new Date();
  const pods = usages(ctx);
  const node = total(pods.flatMap((p) => p.containers.map((c) => c.usage)), ctx.startTime);
  return {
    node: { nodeName: ctx.nodeName, startTime: ctx.startTime.toISOString(), cpu: cpuStats(node, now), memory: memoryStats(node, now) },
    pods: pods.map(({ pod, containers }) => {
      const podStart = new Date(pod.status?.startTime ?? now);
      const sum = total(containers.map((c) => c.usage), podStart);
      return {
        podRef: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
        startTime: podStart.toISOString(),
        containers: containers.map((c) => ({ name: c.name, startTime: c.usage.startedAt.toISOString(), cpu: cpuStats(c.usage, now), memory: memoryStats(c.usage, now) })),
        cpu: cpuStats(sum, now), memory: memoryStats(sum, now),
      };
    }),
  };
}

/** /metrics/resource in the Prometheus text format, the series metrics-server reads. */
function resourceMetrics(ctx: KubeletContext): string {
  const now = new Date();
  const ms = now.getTime();
  const pods = usages(ctx);
  const node = total(pods.flatMap((p) => p.containers.map((c) => c.usage)), ctx.startTime);
  const lines = [
    '# HELP container_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the container in core-seconds',
    '# TYPE container_cpu_usage_seconds_total counter',
  ];
  const label = (pod: KubeObject, container: string) => `{container="${container}",namespace="${pod.metadata.namespace}",pod="${pod.metadata.name}"}`;
  for (const { pod, containers } of pods) {
    for (const c of containers) lines.push(`container_cpu_usage_seconds_total${label(pod, c.name)} ${cpuStats(c.usage, now).usageCoreNanoSeconds / 1e9} ${ms}`);
  }
  lines.push('# HELP container_memory_working_set_bytes [STABLE] Current working set of the container in bytes', '# TYPE container_memory_working_set_bytes gauge');
  for (const { pod, containers } of pods) {
    for (const c of containers) lines.push(`container_memory_working_set_bytes${label(pod, c.name)} ${c.usage.bytes} ${ms}`);
  }
  lines.push(
    '# HELP node_cpu_usage_seconds_total [STABLE] Cumulative cpu time consumed by the node in core-seconds', '# TYPE node_cpu_usage_seconds_total counter',
    `node_cpu_usage_seconds_total ${cpuStats(node, now).usageCoreNanoSeconds / 1e9} ${ms}`,
    '# HELP node_memory_working_set_bytes [STABLE] Current working set of the node in bytes', '# TYPE node_memory_working_set_bytes gauge',
    `node_memory_working_set_bytes ${node.bytes} ${ms}`,
    '# HELP scrape_error [ALPHA] 1 if there was an error while getting container metrics, 0 otherwise', '# TYPE scrape_error gauge', 'scrape_error 0',
  );
  return `${lines.join('\n')}\n`;
}
