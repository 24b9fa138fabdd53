// Interactive containers through kubectl 1.32 on a pseudo-terminal (`script -qc`, as a user's
// terminal): `kubectl exec -it POD -- sh` shows the image's prompt, runs what is typed, and
// `exit` ends it; Ctrl-C interrupts a command; `kubectl run -it --rm` attaches to a shell
// that is the container's main process. Also the images' servers, reached from another pod.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../src/api/types.ts';
import { startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

describe('interactive containers and image servers through kubectl', { timeout: 120_000 }, () => {
  let server: TestServer;

  before(async () => {
    server = await startTestServer({ nodes: 1, scheduler: true, kubelet: { stagesFile: 'stages/pod-fast.yaml' } });
  });

  after(async () => {
    await server?.stop();
  });

  async function kubectl(args: string[]): Promise<string> {
    const r = await server.kubectl(args);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  }

  async function running(name: string): Promise<KubeObject> {
    return until(`${name} Running`, async () => {
      const p = await server.getJson<KubeObject>(`/api/v1/namespaces/default/pods/${name}`).catch(() => undefined);
      return p?.status?.containerStatuses?.every((s: any) => s.state?.running) && p;
    }, 30_000, 50);
  }

  /** kubectl on a pseudo-terminal: what it prints, a way to type, and its exit code. */
  function terminal(args: string[]) {
    const command = ['kubectl', '--kubeconfig', server.kubeconfigPath, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, TERM: 'xterm' } });
    let screen = '';
    child.stdout.on('data', (d) => (screen += d));
    child.stderr.on('data', (d) => (screen += d));
    const exited = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
    return {
      screen: () => screen,
      type: (keys: string) => child.stdin.write(keys),
      waitFor: (what: string, re: RegExp) => until(what, async () => re.test(screen), 20_000, 20).catch((err: Error) => {
        throw new Error(`${err.message}; the terminal shows ${JSON.stringify(screen)}`);
      }),
      exited,
      kill: () => child.kill(),
    };
  }

  it('kubectl exec -it sh: a prompt, a command and its output, Ctrl-C, and exit ends it with its status', async () => {
    await kubectl(['run', 'box', '--image=busybox', '--', 'sleep', 'infinity']);
    await running('box');
    const t = terminal(['exec', '-it', 'box', '--', 'sh']);
    try {
      await t.waitFor('the busybox prompt', /\/ # $/);
      t.type('echo hello $(hostname)\r');
      await t.waitFor('the output and a new prompt', /hello box\r\n\/ # $/);
      t.type('sleep 600\r');
      await t.waitFor('sleep running', /sleep 600\r\n$/);
      t.type('\x03');
      await t.waitFor('the prompt after Ctrl-C', /\^C\r\n\/ # $/);
      t.type('exit 4\r');
      assert.equal(await t.exited, 4);
    } finally {
      t.kill();
    }
    assert.match(t.screen(), /command terminated with exit code 4/);
  });

  it('kubectl run -it --rm attaches to the container shell and deletes the pod after exit', async () => {
    const t = terminal(['run', 'tmp', '-it', '--rm', '--restart=Never', '--image=busybox', '--', 'sh']);
    try {
      await t.waitFor('kubectl attached', /If you don't see a command prompt, try pressing enter\./);
      t.type('\r');
      await t.waitFor('the prompt', /\/ # $/);
      t.type('echo inside-$HOSTNAME\r');
      await t.waitFor('the output', /inside-tmp\r\n/);
      t.type('exit\r');
      await t.exited;
    } finally {
      t.kill();
    }
    assert.match(t.screen(), /pod "tmp" deleted/);
  });

  it('kubectl debug -it adds an ephemeral container the kubelet starts, with a shell to type into', async () => {
    await kubectl(['run', 'target', '--image=nginx']);
    await running('target');
    const t = terminal(['debug', '-it', 'target', '--image=busybox', '--container=dbg', '--', 'sh']);
    try {
      await t.waitFor("kubectl attached to the debug container", /If you don't see a command prompt, try pressing enter\./);
      t.type('\r');
      await t.waitFor('the busybox prompt', /\/ # $/);
      t.type('hostname; echo debug-$((40+2))\r');
      await t.waitFor('the output', /target\r\ndebug-42\r\n/);
      t.type('exit\r');
      await t.exited;
    } finally {
      t.kill();
    }
    const pod = await server.getJson<KubeObject>('/api/v1/namespaces/default/pods/target');
    const status = pod.status.ephemeralContainerStatuses.find((s: { name: string }) => s.name === 'dbg');
    assert.match(status.containerID, /^kubelite:\/\/[0-9a-f]{64}$/);
    assert.equal(status.image, 'docker.io/library/busybox:latest');
  });

  it('kubectl run -i --rm feeds its stdin to the container (stdinOnce) and prints what it makes of it', async () => {
    const r = await server.kubectl(['run', 'counter-in', '-i', '--rm', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'wc -l; echo done'], { input: 'a\nb\nc\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^3\ndone\n/);
  });

  it('kubectl attach shows what the main process prints from then on', async () => {
    await kubectl(['run', 'talker', '--image=busybox', '--', 'sh', '-c', 'i=0; while true; do i=$((i+1)); echo "said $i"; sleep 0.1; done']);
    await running('talker');
    const child = spawn('kubectl', ['--kubeconfig', server.kubeconfigPath, 'attach', 'talker'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    try {
      await until('three lines through attach', async () => (out.match(/^said \d+$/gm) ?? []).length >= 3, 20_000, 20);
    } finally {
      child.kill();
    }
    const numbers = (out.match(/^said (\d+)$/gm) ?? []).map((l) => Number(l.slice(5)));
    assert.deepEqual(numbers.slice(0, 3), [numbers[0], numbers[0] + 1, numbers[0] + 2]);
  });

  it('serves what each image serves: agnhost netexec, http-echo, httpd, python http.server, busybox httpd', async () => {
    const pods: [string, string[]][] = [
      ['netexec', ['--image=registry.k8s.io/e2e-test-images/agnhost:2.53', '--', 'netexec', '--http-port=8080']],
      ['echo', ['--image=hashicorp/http-echo', '--', '-text=hello from http-echo']],
      ['apache', ['--image=httpd:2.4']],
      ['pyserve', ['--image=python:3.12', '--', 'python', '-m', 'http.server', '8000']],
      ['bbhttpd', ['--image=busybox', '--', 'sh', '-c', 'mkdir -p /www && echo busybox-page > /www/index.html && httpd -f -p 8081 -h /www']],
    ];
    for (const [name, args] of pods) await kubectl(['run', name, ...args]);
    const ips = Object.fromEntries(await Promise.all(pods.map(async ([name]) => [name, (await running(name)).status.podIP])));
    await running('box');
    const get = async (url: string) => {
      const r = await until(`GET ${url}`, async () => {
        const res = await server.kubectl(['exec', 'box', '--', 'wget', '-qO-', url]);
        return res.code === 0 && res;
      }, 10_000, 100);
      return r.stdout;
    };
    assert.equal(await get(`http://${ips.netexec}:8080/hostname`), 'netexec');
    assert.equal(await get(`http://${ips.netexec}:8080/echo?msg=ping`), 'ping');
    assert.deepEqual(JSON.parse(await get(`http://${ips.netexec}:8080/shell?cmd=echo%20$((6*7))`)), { output: '42\n' });
    assert.equal(await get(`http://${ips.echo}:5678/`), 'hello from http-echo\n');
    assert.equal(await get(`http://${ips.apache}/`), '<html><body><h1>It works!</h1></body></html>\n');
    assert.match(await get(`http://${ips.pyserve}:8000/`), /<title>Directory listing for \/<\/title>[\s\S]*<li><a href="etc\/">etc\/<\/a><\/li>/);
    assert.equal(await get(`http://${ips.bbhttpd}:8081/`), 'busybox-page\n');
    assert.match(await kubectl(['logs', 'apache']), /AH00094: Command line: 'httpd -D FOREGROUND'\n[\d.]+ - - \[[^\]]+\] "GET \/ HTTP\/1\.1" 200 45\n$/);
    assert.match(await kubectl(['logs', 'pyserve']), /"GET \/ HTTP\/1\.1" 200 -\n$/);
  });
});
