// Containers that behave like their images, through kubectl 1.32 against simulated kubelets:
// nginx's welcome page through `kubectl port-forward` with its start-up lines and an access-log
// line in `kubectl logs`, kube's error for a port nobody listens on, a `date` loop that
// `kubectl logs -f` sees grow, wget from one pod to a Service by DNS name (agnhost
// serve-hostname answering from different pods), `kubectl cp` both ways, and a script fed to
// `kubectl exec -i -- sh` on stdin.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

describe('simulated images through kubectl', { timeout: 120_000 }, () => {
  let server: TestServer;
  let scratch: string;
  const children: ChildProcess[] = [];

  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'kubelite-images-'));
    server = await startTestServer({
      nodes: 2, scheduler: true,
      kubelet: { stagesFile: 'stages/pod-fast.yaml' },
      controllers: { controllers: ['endpoints-controller'] },
    });
  });

  after(async () => {
    for (const c of children) c.kill();
    await server?.stop();
    await rm(scratch, { recursive: true, force: true });
  });

  async function kubectl(args: string[], input?: string): Promise<string> {
    const r = await server.kubectl(args, input === undefined ? undefined : { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  async function running(name: string): Promise<KubeObject> {
    return until(`${name} Running`, async () => {
      const p = await server.getJson<KubeObject>(`/api/v1/namespaces/default/pods/${name}`).catch(() => undefined);
      return p?.status?.containerStatuses?.every((s: any) => s.state?.running) && p;
    }, 30_000, 50);
  }

  /** A long-running kubectl (port-forward, logs -f) whose output is collected. */
  function background(args: string[]): { out: () => string; err: () => string; child: ChildProcess } {
    const child = spawn('kubectl', ['--kubeconfig', server.kubeconfigPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (err += d));
    return { out: () => out, err: () => err, child };
  }

  async function portForward(target: string, port: number): Promise<{ local: number; err: () => string; stop: () => void }> {
    const pf = background(['port-forward', target, `:${port}`]);
    const local = await until('port-forward listening', async () => {
      const m = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(pf.out());
      return m ? Number(m[1]) : undefined;
    }, 20_000, 50);
    return { local, err: pf.err, stop: () => pf.child.kill() };
  }

  it('nginx serves its welcome page through port-forward and logs its start-up and the request', async () => {
    await kubectl(['run', 'web', '--image=nginx:1.27']);
    await running('web');
    const pf = await portForward('pod/web', 80);
    const res = await fetch(`http://127.0.0.1:${pf.local}/`, { headers: { 'User-Agent': 'kubelite-test' } }).catch((err) => {
      throw new Error(`GET through port-forward: ${err.cause ?? err}; kubectl said: ${pf.err()}`);
    });
    const body = await res.text();
    pf.stop();
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('server'), 'nginx/1.27.3');
    assert.match(body, /<title>Welcome to nginx!<\/title>/);
    const logs = await until('the access-log line', async () => {
      const out = await kubectl(['logs', 'web']);
      return /"GET \/ HTTP\/1\.1" 200 615 "-" "kubelite-test"/.test(out) && out;
    }, 10_000, 50);
    assert.match(logs, /^\/docker-entrypoint\.sh: \/docker-entrypoint\.d\/ is not empty, will attempt to perform configuration\n/);
    assert.match(logs, /\/docker-entrypoint\.sh: Configuration complete; ready for start up\n/);
    assert.match(logs, /\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d \[notice\] 1#1: nginx\/1\.27\.3\n/);
    assert.match(logs, /\n127\.0\.0\.1 - - \[\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d \+0000\] "GET \/ HTTP\/1\.1" 200 615 "-" "kubelite-test" "-"\n$/);
  });

  it('port-forward to a port nobody listens on reports the runtime error', async () => {
    await running('web');
    const pf = await portForward('pod/web', 81);
    await fetch(`http://127.0.0.1:${pf.local}/`).catch(() => undefined);
    await until('the error from kubectl', async () => /failed to connect to localhost:81 inside namespace/.test(pf.err()), 10_000, 50);
    pf.stop();
    assert.match(pf.err(), /connect: connection refused/);
  });

  it('runs a container command as its main process: logs -f of a date loop gets new lines', async () => {
    await kubectl(['run', 'clock', '--image=busybox', '--', 'sh', '-c', 'i=0; while true; do i=$((i+1)); echo "tick $i $(date +%s)"; sleep 0.2; done']);
    await running('clock');
    const follow = background(['logs', '-f', 'clock']);
    const lines = await until('five ticks through logs -f', async () => {
      const l = follow.out().split('\n').filter(Boolean);
      return l.length >= 5 && l;
    }, 20_000, 50);
    follow.child.kill();
    const counts = lines.map((l) => Number(/^tick (\d+) \d+$/.exec(l)?.[1]));
    assert.deepEqual(counts.slice(0, 5), [counts[0], counts[0] + 1, counts[0] + 2, counts[0] + 3, counts[0] + 4]);
    const tail = await kubectl(['logs', 'clock', '--tail=1', '--timestamps']);
    assert.match(tail, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z tick \d+ \d+\n$/);
  });

  it("a command's exit ends its container: a for loop prints its lines and the pod fails with its exit code", async () => {
    await kubectl(['run', 'counted', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'for i in $(seq 1 3); do echo "n$i"; sleep 0.1; done; exit 3']);
    const pod = await until('counted Failed', async () => {
      const p = await server.getJson<KubeObject>('/api/v1/namespaces/default/pods/counted').catch(() => undefined);
      return p?.status?.phase === 'Failed' && p;
    }, 30_000, 50);
    const terminated = pod.status.containerStatuses[0].state.terminated;
    assert.deepEqual([terminated.exitCode, terminated.reason], [3, 'Error']);
    assert.equal(await kubectl(['logs', 'counted']), 'n1\nn2\nn3\n');
  });

  it('wget reaches a Service by its DNS names, spread over its ready pods', async () => {
    for (const name of ['host-a', 'host-b']) {
      await kubectl(['run', name, '--image=registry.k8s.io/e2e-test-images/agnhost:2.53', '--labels=app=hostnames', '--', 'serve-hostname']);
    }
    await kubectl(['expose', 'pod', 'host-a', '--name=hostnames', '--port=80', '--target-port=9376', '--selector=app=hostnames']);
    await kubectl(['run', 'client', '--image=busybox', '--', 'sleep', 'infinity']);
    await Promise.all(['host-a', 'host-b', 'client'].map(running));
    await until('both endpoints ready', async () => {
      const ep = await server.getJson<KubeObject>('/api/v1/namespaces/default/endpoints/hostnames').catch(() => undefined);
      return (ep?.subsets as { addresses?: unknown[] }[] | undefined)?.[0]?.addresses?.length === 2;
    }, 20_000, 50);
    const answers = new Set<string>();
    for (const host of ['hostnames', 'hostnames.default', 'hostnames.default.svc.cluster.local', 'hostnames']) {
      answers.add(await kubectl(['exec', 'client', '--', 'wget', '-qO-', `http://${host}/`]));
    }
    assert.deepEqual([...answers].sort(), ['host-a', 'host-b']);
    // kubectl port-forward svc/NAME picks one of the Service's pods and its targetPort.
    const pf = await portForward('svc/hostnames', 80);
    const viaService = await (await fetch(`http://127.0.0.1:${pf.local}/`)).text();
    pf.stop();
    assert.ok(['host-a', 'host-b'].includes(viaService), viaService);
    const refused = await server.kubectl(['exec', 'client', '--', 'wget', '-qO-', 'http://nosuchservice/']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /wget: bad address 'nosuchservice'/);
  });

  it('kubectl cp copies a file into a pod and back out unchanged', async () => {
    await running('web');
    const content = `hello from the host\n${'x'.repeat(3000)}\n`;
    await writeFile(join(scratch, 'in.txt'), content);
    await kubectl(['cp', join(scratch, 'in.txt'), 'web:/tmp/copied.txt']);
    assert.equal(await kubectl(['exec', 'web', '--', 'cat', '/tmp/copied.txt']), content);
    await kubectl(['cp', 'web:/tmp/copied.txt', join(scratch, 'out.txt')]);
    assert.equal(await readFile(join(scratch, 'out.txt'), 'utf8'), content);
  });

  it('mounts volumes: an emptyDir shared by the pod\'s containers, ConfigMap and downward API files, the kubelet\'s /etc files', async () => {
    await kubectl(['create', 'configmap', 'settings', '--from-literal=mode=fast']);
    await kubectl(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: { name: shared, labels: { team: blue } }
spec:
  volumes:
    - { name: scratch, emptyDir: {} }
    - { name: config, configMap: { name: settings } }
    - name: info
      downwardAPI: { items: [{ path: labels, fieldRef: { fieldPath: metadata.labels } }] }
  containers:
    - name: writer
      image: busybox
      command: [sh, -c, 'echo "written by $HOSTNAME" > /data/note; sleep infinity']
      volumeMounts: [{ name: scratch, mountPath: /data }]
    - name: reader
      image: busybox
      command: [sleep, infinity]
      volumeMounts:
        - { name: scratch, mountPath: /shared }
        - { name: config, mountPath: /etc/settings }
        - { name: info, mountPath: /etc/podinfo }
`);
    const pod = await running('shared');
    const note = await until('the writer\'s file seen by the reader', async () => {
      const r = await server.kubectl(['exec', 'shared', '-c', 'reader', '--', 'cat', '/shared/note']);
      return r.code === 0 && r.stdout;
    }, 10_000, 50);
    assert.equal(note, 'written by shared\n');
    assert.equal(await kubectl(['exec', 'shared', '-c', 'reader', '--', 'cat', '/etc/settings/mode']), 'fast');
    assert.equal(await kubectl(['exec', 'shared', '-c', 'reader', '--', 'cat', '/etc/podinfo/labels']), 'team="blue"');
    const denied = await server.kubectl(['exec', 'shared', '-c', 'reader', '--', 'sh', '-c', 'echo x > /etc/settings/mode']);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /Read-only file system/);
    assert.match(await kubectl(['exec', 'shared', '-c', 'reader', '--', 'cat', '/etc/hosts']), new RegExp(`^# Kubernetes-managed hosts file\\.\n[\\s\\S]*\n${pod.status.podIP.replace(/\./g, '\\.')}\tshared\n$`));
    assert.match(await kubectl(['exec', 'shared', '-c', 'reader', '--', 'cat', '/etc/resolv.conf']), /^search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local\n/);
  });

  it('kubectl exec -i sh runs the script it is given on stdin', async () => {
    await running('web');
    const out = await kubectl(['exec', '-i', 'web', '--', 'sh'], 'for i in 1 2 3; do echo "n$i"; done\nhostname\ncat /etc/hostname\n');
    assert.equal(out, 'n1\nn2\nn3\nweb\nweb\n');
  });
});
