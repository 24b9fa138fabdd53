// pods/ephemeralcontainers and the streams that follow containers: `kubectl debug -it
// --target` adds an ephemeral container (only adding is allowed) and attaches to its shell on
// a pseudo-terminal; `kubectl debug --copy-to`; `kubectl attach` and `kubectl logs -f` of a
// container that prints as time passes, through the kubelet API.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

describe('kubectl debug, attach and logs -f', { timeout: 180_000 }, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ nodes: 1, scheduler: true });
    await kubectl(['run', 'p', '--image=busybox', '--', 'sleep', 'infinity']);
    await kubectl(['run', 'clock', '--image=busybox', '--', 'sh', '-c', 'while true; do echo tick $(date +%s); sleep 1; done']);
    await kubectl(['wait', '--for=condition=Ready', 'pod/p', 'pod/clock', '--timeout=60s']);
  });

  after(async () => {
    await server?.stop();
  });

  async function kubectl(args: string[]): Promise<string> {
    const r = await server.kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  /** A long-running kubectl: what it printed so far, typing (through `script`, a pseudo-terminal, when `tty`), and its end. */
  function start(args: string[], tty: boolean) {
    const argv = ['kubectl', '--kubeconfig', server.kubeconfigPath, ...args];
    const child = tty
      ? spawn('script', ['-qfec', argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' '), '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'xterm' } })
      : spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    child.stdout.on('data', (d) => (screen += d));
    child.stderr.on('data', (d) => (screen += d));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    return {
      screen: () => screen,
      type: (keys: string) => child.stdin.write(keys),
      waitFor: (what: string, test: () => boolean) => until(what, async () => test(), 30_000, 20).catch((err: Error) => {
        throw new Error(`${err.message}; kubectl printed ${JSON.stringify(screen)}`);
      }),
      exited,
      kill: () => child.kill(),
    };
  }

  it('kubectl debug -it --target: an ephemeral container\'s shell on a terminal; exit ends it', async () => {
    const t = start(['debug', '-it', 'p', '--image=busybox', '--target=p', '--', 'sh'], true);
    try {
      // kubectl attaches once the container runs; the shell's first prompt may have gone by, as on a real cluster.
      await t.waitFor('kubectl attached', () => t.screen().includes("If you don't see a command prompt, try pressing enter."));
      t.type('\r');
      await t.waitFor('the busybox prompt', () => /\/ # $/.test(t.screen()));
      t.type('echo debugging $(hostname)\r');
      await t.waitFor('the output', () => /debugging p\r\n\/ # $/.test(t.screen()));
      t.type('exit\r');
      assert.equal(await t.exited, 0);
    } finally {
      t.kill();
    }
    const pod = JSON.parse(await kubectl(['get', 'pod', 'p', '-o', 'json'])) as KubeObject;
    const debug = pod.spec.ephemeralContainers?.[0];
    assert.match(debug?.name, /^debugger-[a-z0-9]{5}$/);
    assert.equal(debug?.targetContainerName, 'p');
    assert.equal(pod.status.ephemeralContainerStatuses?.[0]?.name, debug?.name);
  });

  it('pods/ephemeralcontainers only adds: removing or changing one is Forbidden', async () => {
    const path = '/api/v1/namespaces/default/pods/p/ephemeralcontainers';
    const patch = (body: unknown) => server.request(path, { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify(body) });
    const removed = await patch({ spec: { ephemeralContainers: [] } });
    assert.equal(removed.status, 422);
    assert.match((await removed.json()).message, /^Pod "p" is invalid: spec\.ephemeralContainers: Forbidden: existing ephemeral containers "debugger-[a-z0-9]{5}" may not be removed$/);
    const withPorts = await patch({ spec: { ephemeralContainers: [...(await server.getJson(`/api/v1/namespaces/default/pods/p`)).spec.ephemeralContainers, { name: 'web', image: 'nginx', ports: [{ containerPort: 80 }] }] } });
    assert.equal(withPorts.status, 422);
    assert.match((await withPorts.json()).message, /spec\.ephemeralContainers\[1\]\.ports: Forbidden: cannot be set for an Ephemeral Container/);
    const viaPod = await server.request('/api/v1/namespaces/default/pods/p', { method: 'PATCH', headers: { 'content-type': 'application/merge-patch+json' }, body: JSON.stringify({ spec: { ephemeralContainers: null } }) });
    assert.equal(viaPod.status, 422, 'the pod itself cannot change them either');
  });

  it('kubectl debug --copy-to makes a copy of the pod with a debug container', async () => {
    await kubectl(['debug', 'p', '--copy-to=p-copy', '--image=busybox', '--container=dbg', '--', 'sleep', 'infinity']);
    const copy = JSON.parse(await kubectl(['get', 'pod', 'p-copy', '-o', 'json'])) as KubeObject;
    assert.deepEqual(copy.spec.containers.map((c: { name: string }) => c.name), ['p', 'dbg']);
    await kubectl(['wait', '--for=condition=Ready', 'pod/p-copy', '--timeout=60s']);
  });

  it('kubectl attach shows what the container prints from now on', async () => {
    const t = start(['attach', 'clock'], false);
    try {
      await t.waitFor('two new ticks', () => (t.screen().match(/^tick \d+$/gm) ?? []).length >= 2);
    } finally {
      t.kill();
    }
  });

  it('kubectl logs -f keeps printing new lines', async () => {
    const t = start(['logs', '-f', 'clock', '--tail=1'], false);
    try {
      await t.waitFor('three ticks', () => (t.screen().match(/^tick \d+$/gm) ?? []).length >= 3);
    } finally {
      t.kill();
    }
  });
});
