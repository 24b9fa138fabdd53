// Health and load: /metrics read every two seconds (it is not a watchable resource) into small
// live charts — request rate, latency quantiles, registered watchers, stored objects — beside
// /readyz and the workers' Leases (who leads the scheduler and the controllers, which
// kubelets heartbeat), the latter watched like everything else.
import { useEffect, useState } from 'preact/hooks';
import { getText } from '../api.ts';
import { Badge, ErrorBox } from '../components/common.tsx';
import { Sparkline } from '../components/sparkline.tsx';
import { useLiveList } from '../informer.ts';
import { parseMetrics, quantile, sum, type Sample } from '../metrics.ts';
import { age } from '../pod-status.ts';

const keep = 60;
const notLongRunning = (l: Record<string, string>) => l.verb !== 'WATCH' && l.verb !== 'CONNECT';

interface Point { t: number; samples: Sample[] }

function series(points: Point[], f: (a: Point, b: Point) => number | undefined): number[] {
  const out: number[] = [];
  for (let i = 1; i < points.length; i++) out.push(f(points[i - 1], points[i]) ?? 0);
  return out;
}

function Leases() {
  const system = useLiveList('/apis/coordination.k8s.io/v1/namespaces/kube-system/leases');
  const nodes = useLiveList('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases');
  const fresh = (l: any) => Date.now() - Date.parse(l.spec?.renewTime ?? 0) < (l.spec?.leaseDurationSeconds ?? 40) * 1000;
  return (
    <section class="card">
      <h3>Workers</h3>
      <ErrorBox error={system.error ?? nodes.error} />
      <table class="plain">
        <thead><tr><th>Lease</th><th>Holder</th><th>Renewed</th><th /></tr></thead>
        <tbody>
          {[...system.items, ...nodes.items].sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!)).map((l) => (
            <tr key={l.metadata.uid}>
              <td>{l.metadata.namespace}/{l.metadata.name}</td><td>{l.spec?.holderIdentity}</td><td>{age(l.spec?.renewTime)} ago</td>
              <td>{fresh(l) ? <Badge kind="ok">{l.metadata.namespace === 'kube-system' ? 'leading' : 'heartbeating'}</Badge> : <Badge kind="bad">stale</Badge>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function HealthView() {
  const [points, setPoints] = useState<Point[]>([]);
  const [error, setError] = useState<unknown>();
  const [ready, setReady] = useState('');
  useEffect(() => {
    let stopped = false;
    const tick = async () => {
      try {
        const samples = parseMetrics(await getText('/metrics'));
        if (!stopped) { setPoints((p) => [...p.slice(-keep), { t: Date.now(), samples }]); setError(undefined); }
      } catch (err) { if (!stopped) setError(err); }
      getText('/readyz?verbose').then((t) => { if (!stopped) setReady(t); }, (err) => { if (!stopped) setReady(String(err.message ?? err)); });
    };
    void tick();
    const timer = setInterval(tick, 2000);
    return () => { stopped = true; clearInterval(timer); };
  }, []);
  const rate = (name: string, filter?: (l: Record<string, string>) => boolean) =>
    series(points, (a, b) => (sum(b.samples, name, filter) - sum(a.samples, name, filter)) / ((b.t - a.t) / 1000));
  const latency = (q: number) => series(points, (a, b) => (quantile(a.samples, b.samples, 'apiserver_request_duration_seconds', q, notLongRunning) ?? 0) * 1000);
  const gauge = (name: string) => points.map((p) => sum(p.samples, name));
  return (
    <div class="health">
      <div class="toolbar"><h2>Health and load</h2><span class="muted">from /metrics every 2 s; /readyz</span></div>
      <ErrorBox error={error} />
      <div class="charts">
        <Sparkline label="requests" unit="/s" values={rate('apiserver_request_total')} />
        <Sparkline label="writes" unit="/s" values={rate('apiserver_request_total', (l) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(l.verb))} />
        <Sparkline label="latency p50" unit="ms" values={latency(0.5)} format={(n) => n.toFixed(0)} />
        <Sparkline label="latency p99" unit="ms" values={latency(0.99)} format={(n) => n.toFixed(0)} />
        <Sparkline label="watchers" unit="" values={gauge('apiserver_registered_watchers')} format={(n) => n.toFixed(0)} />
        <Sparkline label="long-running requests" unit="" values={gauge('apiserver_longrunning_requests')} format={(n) => n.toFixed(0)} />
        <Sparkline label="stored objects" unit="" values={gauge('apiserver_storage_objects')} format={(n) => n.toFixed(0)} />
        <Sparkline label="process cpu" unit="%" values={series(points, (a, b) => ((sum(b.samples, 'process_cpu_seconds_total') - sum(a.samples, 'process_cpu_seconds_total')) / ((b.t - a.t) / 1000)) * 100)} format={(n) => n.toFixed(0)} />
      </div>
      <div class="health-grid">
        <section class="card"><h3>/readyz</h3><pre class="readyz">{ready}</pre></section>
        <Leases />
      </div>
    </div>
  );
}
