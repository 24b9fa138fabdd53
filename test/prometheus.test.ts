// GET /metrics: the text exposition parses, kube-apiserver's request metrics count and time
// requests with kube's labels, long-running watches are counted while open, storage objects
// and write latency follow the store, named work queues report, and `kubectl get --raw
// /metrics` prints it.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ItemExponentialRateLimiter, WorkQueue } from '../src/client/workqueue.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

interface Exposition {
  types: Map<string, string>;
  samples: Sample[];
}

/** A strict reader of the 0.0.4 text format: fails on any line it does not understand. */
function parseExposition(text: string): Exposition {
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  const helped = new Set<string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (comment) {
      const [, what, name, rest] = comment;
      const seen = what === 'HELP' ? helped : types;
      assert.ok(!seen.has(name), `second # ${what} for ${name}`);
      if (what === 'HELP') helped.add(name);
      else {
        assert.match(rest, /^(counter|gauge|histogram|summary|untyped)$/);
        types.set(name, rest);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/gy;
    let consumed = 0;
    for (let l = labelPattern.exec(m[2] ?? ''); l; l = labelPattern.exec(m[2] ?? '')) {
      labels[l[1]] = l[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      consumed = labelPattern.lastIndex;
    }
    assert.equal(consumed, (m[2] ?? '').length, `bad labels in ${line}`);
    const value = m[3] === '+Inf' ? Infinity : Number(m[3]);
    assert.ok(!Number.isNaN(value), `bad value in ${line}`);
    const family = m[1].replace(/_(bucket|sum|count)$/, '');
    assert.ok(types.has(m[1]) || types.get(family) === 'histogram', `${m[1]} has no # TYPE before it`);
    samples.push({ name: m[1], labels, value });
  }
  return { types, samples };
}

function find(e: Exposition, name: string, labels: Record<string, string>): number {
  const matching = e.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  return matching.reduce((sum, s) => sum + s.value, 0);
}

let server: TestServer;

async function scrape(): Promise<Exposition> {
  const res = await server.request('/metrics');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
  return parseExposition(await res.text());
}

const cm = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });

before(async () => {
  server = await startTestServer();
});

after(async () => {
  await server.stop();
});

it('counts and times resource requests with kube-apiserver labels', async () => {
  const before = await scrape();
  const create = { verb: 'POST', group: '', version: 'v1', resource: 'configmaps', scope: 'resource', component: 'apiserver', code: '201', dry_run: '' };
  const list = { verb: 'LIST', resource: 'configmaps', scope: 'namespace', code: '200' };
  const get = { verb: 'GET', resource: 'configmaps', scope: 'resource', code: '200' };
  for (let i = 0; i < 3; i++) {
    const res = await server.request('/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: cm(`m${i}`) });
    assert.equal(res.status, 201);
  }
  await (await server.request('/api/v1/namespaces/default/configmaps')).arrayBuffer();
  await (await server.request('/api/v1/namespaces/default/configmaps/m0')).arrayBuffer();
  assert.equal((await server.request('/api/v1/namespaces/default/configmaps/nope')).status, 404);
  const dry = await server.request('/api/v1/namespaces/default/configmaps?dryRun=All', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: cm('dry') });
  assert.equal(dry.status, 201);
  const apply = await server.request('/apis/apps/v1/namespaces/default/deployments/d?fieldManager=t', {
    method: 'PATCH', headers: { 'Content-Type': 'application/apply-patch+yaml' },
    body: JSON.stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'i' }] } } } }),
  });
  assert.equal(apply.status, 201);

  const now = await scrape();
  assert.equal(now.types.get('apiserver_request_total'), 'counter');
  assert.equal(now.types.get('apiserver_request_duration_seconds'), 'histogram');
  const delta = (name: string, labels: Record<string, string>) => find(now, name, labels) - find(before, name, labels);
  assert.equal(delta('apiserver_request_total', create), 3);
  assert.equal(delta('apiserver_request_total', list), 1);
  assert.equal(delta('apiserver_request_total', get), 1);
  assert.equal(delta('apiserver_request_total', { verb: 'GET', resource: 'configmaps', code: '404' }), 1);
  assert.equal(delta('apiserver_request_total', { verb: 'POST', resource: 'configmaps', dry_run: 'All' }), 1);
  assert.equal(delta('apiserver_request_total', { verb: 'APPLY', group: 'apps', resource: 'deployments', scope: 'resource', code: '201' }), 1);
  const latency = { verb: 'POST', resource: 'configmaps', scope: 'resource', dry_run: '' };
  assert.equal(delta('apiserver_request_duration_seconds_count', latency), 3);
  assert.equal(delta('apiserver_request_duration_seconds_bucket', { ...latency, le: '+Inf' }), 3);
  assert.ok(delta('apiserver_request_duration_seconds_sum', latency) > 0);
  // Buckets are cumulative and end with +Inf, which equals the count.
  const buckets = now.samples.filter((s) => s.name === 'apiserver_request_duration_seconds_bucket' && s.labels.verb === 'POST' && s.labels.resource === 'configmaps' && s.labels.dry_run === '');
  assert.equal(buckets.length, 24);
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i].value >= buckets[i - 1].value);
  assert.equal(buckets[0].labels.le, '0.005');
  // Outside the resource API the path is the subresource label, as kube reports /healthz.
  assert.ok(find(now, 'apiserver_request_total', { verb: 'GET', subresource: '/metrics', scope: '', component: '' }) >= 1);
});

it('counts open watches as long-running requests and registered watchers', async () => {
  const watchLabels = { verb: 'WATCH', group: '', version: 'v1', resource: 'configmaps', scope: 'namespace', component: 'apiserver' };
  const controller = new AbortController();
  const res = await server.request('/api/v1/namespaces/default/configmaps?watch=true', { signal: controller.signal });
  assert.equal(res.status, 200);
  const during = await scrape();
  assert.equal(find(during, 'apiserver_longrunning_requests', watchLabels), 1);
  assert.equal(find(during, 'apiserver_registered_watchers', { group: '', version: 'v1', kind: 'ConfigMap' }), 1);
  controller.abort();
  await res.body?.cancel().catch(() => undefined);
  // The server sees the client go away asynchronously: wait for it (a 1 s budget ran out under load).
  const afterwards = await until('the watch to be counted as ended', async () => {
    const scraped = await scrape();
    return find(scraped, 'apiserver_longrunning_requests', watchLabels) === 0 && find(scraped, 'apiserver_registered_watchers', { kind: 'ConfigMap' }) === 0 && scraped;
  });
  assert.equal(find(afterwards, 'apiserver_longrunning_requests', watchLabels), 0);
  assert.equal(find(afterwards, 'apiserver_registered_watchers', { kind: 'ConfigMap' }), 0);
  assert.ok(find(afterwards, 'apiserver_request_total', { verb: 'WATCH', resource: 'configmaps' }) >= 1);
});

it('reports stored objects, storage write latency and process metrics', async () => {
  const before = await scrape();
  const objects = (e: Exposition) => find(e, 'apiserver_storage_objects', { resource: 'configmaps' });
  const res = await server.request('/api/v1/namespaces/default/configmaps', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: cm('counted') });
  assert.equal(res.status, 201);
  const now = await scrape();
  assert.equal(objects(now), objects(before) + 1);
  assert.ok(find(now, 'apiserver_storage_objects', { resource: 'namespaces' }) >= 4);
  assert.equal(find(now, 'etcd_request_duration_seconds_count', { operation: 'create', type: 'configmaps' }) -
    find(before, 'etcd_request_duration_seconds_count', { operation: 'create', type: 'configmaps' }), 1);
  assert.ok(find(now, 'process_resident_memory_bytes', {}) > 10 * 1024 * 1024);
  assert.ok(find(now, 'process_cpu_seconds_total', {}) > 0);
  const start = find(now, 'process_start_time_seconds', {});
  assert.ok(start > Date.now() / 1000 - 3600 && start <= Date.now() / 1000);
});

it('reports named work queues', async () => {
  // Retries wait a minute: the retried item must not be back in the queue while we look.
  const queue = new WorkQueue<string>(new ItemExponentialRateLimiter(60_000), { name: 'prometheus-test' });
  queue.add('a');
  queue.add('b');
  queue.add('a');
  const waiting = await scrape();
  assert.equal(find(waiting, 'workqueue_depth', { name: 'prometheus-test' }), 2);
  assert.equal(find(waiting, 'workqueue_adds_total', { name: 'prometheus-test' }), 2);
  const item = await queue.get();
  queue.addRateLimited('c');
  queue.done(item!);
  const worked = await scrape();
  assert.equal(find(worked, 'workqueue_depth', { name: 'prometheus-test' }), 1);
  assert.equal(find(worked, 'workqueue_queue_duration_seconds_count', { name: 'prometheus-test' }), 1);
  assert.equal(find(worked, 'workqueue_work_duration_seconds_count', { name: 'prometheus-test' }), 1);
  assert.equal(find(worked, 'workqueue_retries_total', { name: 'prometheus-test' }), 1);
  queue.shutdown();
});

it('kubectl get --raw /metrics prints the exposition', async () => {
  const { code, stdout, stderr } = await server.kubectl(['get', '--raw', '/metrics']);
  assert.equal(code, 0, stderr);
  assert.ok(parseExposition(stdout).types.get('apiserver_request_total') === 'counter');
});
