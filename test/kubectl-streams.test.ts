// exec, attach and port-forward through real clients, over every transport they use: kubectl
// 1.32 (exec over WebSocket v5 is in exec.test.ts; here its SPDY fallback, and port-forward
// tunnelled in a WebSocket and over plain SPDY), and @kubernetes/client-node's Exec, Attach and
// PortForward classes (channel WebSockets). The API server hands each upgrade to the pod's
// kubelet API, which speaks the protocol.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { PassThrough, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

const podManifest = JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'echo up; sleep 3600'] }] },
});

/** Collects what a stream receives. */
function sink(): Writable & { text: () => string } {
  const chunks: Buffer[] = [];
  const w = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  }) as Writable & { text: () => string };
  w.text = () => Buffer.concat(chunks).toString();
  return w;
}

describe('exec, attach and port-forward through real clients', () => {
  let server: TestServer;
  let kc: k8s.KubeConfig;

  before(async () => {
    server = await startTestServer({ nodes: 1, scheduler: true });
    const created = await server.kubectl(['apply', '-f', '-'], { input: podManifest });
    assert.equal(created.code, 0, created.stderr);
    const ready = await server.kubectl(['wait', '--for=condition=Ready', 'pod/p', '--timeout=60s']);
    assert.equal(ready.code, 0, ready.stderr);
    kc = new k8s.KubeConfig();
    kc.loadFromFile(server.kubeconfigPath);
  });

  after(async () => {
    await server?.stop();
  });

  describe('kubectl exec over SPDY/3.1 (its fallback, and client-go executors)', () => {
    const spdy = { KUBECTL_REMOTE_COMMAND_WEBSOCKETS: 'false' };

    it('prints output, passes stdin and reports the exit code', async () => {
      const hi = await server.kubectl(['exec', 'p', '--', 'echo', 'hi'], { env: spdy });
      assert.deepEqual([hi.code, hi.stdout], [0, 'hi\n'], hi.stderr);
      const cat = await server.kubectl(['exec', '-i', 'p', '--', 'cat'], { env: spdy, input: 'from stdin' });
      assert.deepEqual([cat.code, cat.stdout], [0, 'from stdin'], cat.stderr);
      const three = await server.kubectl(['exec', 'p', '--', 'sh', '-c', 'exit 3'], { env: spdy });
      assert.equal(three.code, 3);
      assert.equal(three.stderr, 'command terminated with exit code 3\n');
    });

    it('answers an unknown container before the upgrade', async () => {
      const r = await server.kubectl(['exec', 'p', '-c', 'nope', '--', 'true'], { env: spdy });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /container nope is not valid for pod p/);
    });
  });

  describe('kubectl port-forward to a port nobody listens on', () => {
    for (const [transport, env] of [['a WebSocket tunnel', {}], ['SPDY', { KUBECTL_PORT_FORWARD_WEBSOCKETS: 'false' }]] as const) {
      it(`reports the kubelet's error over ${transport}`, async () => {
        const child = spawn('kubectl', ['--kubeconfig', server.kubeconfigPath, 'port-forward', 'pod/p', '0:81'], {
          stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        try {
          const forwarding = await until('the local port', async () => /Forwarding from 127\.0\.0\.1:(\d+) -> 81/.exec(out) ?? undefined);
          const local = Number(forwarding[1]);
          const socket = connect(local, '127.0.0.1');
          socket.on('error', () => undefined);
          await until('kube\'s port-forward error', async () => /error forwarding port 81 to pod [0-9a-f]{64}, uid : failed to connect to localhost:81 inside namespace \\?"[^"\\]+\\?", IPv4: dial tcp4 127\.0\.0\.1:81: connect: connection refused/.test(err));
          socket.destroy();
        } finally {
          child.kill();
        }
      });
    }
  });

  describe('@kubernetes/client-node', () => {
    it('Exec: output, stdin and the exit code from the Status', async () => {
      const exec = new k8s.Exec(kc);
      const run = (command: string[], stdin: PassThrough | null = null) => new Promise<{ out: string; status: k8s.V1Status }>((resolve, reject) => {
        const out = sink();
        exec.exec('default', 'p', 'c', command, out, sink(), stdin, false, (status) => resolve({ out: out.text(), status })).catch(reject);
      });
      const hi = await run(['echo', 'hi']);
      assert.equal(hi.out, 'hi\n');
      assert.equal(hi.status.status, 'Success');
      const input = new PassThrough();
      const reading = run(['cat'], input);
      input.end('typed');
      assert.equal((await reading).out, 'typed');
      const three = await run(['sh', '-c', 'exit 3']);
      assert.equal(three.status.reason, 'NonZeroExitCode');
      assert.deepEqual(three.status.details?.causes, [{ reason: 'ExitCode', message: '3' }]);
      assert.equal(three.status.message, 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3');
    });

    it('Attach: connects to the container over v5, and an unknown container is refused', async () => {
      const attach = new k8s.Attach(kc);
      const ws = await attach.attach('default', 'p', 'c', sink(), sink(), null, false);
      assert.equal(ws.protocol, 'v5.channel.k8s.io');
      ws.close();
      await assert.rejects(attach.attach('default', 'p', 'nope', sink(), sink(), null, false));
    });

    it('PortForward: the kubelet\'s error for a closed port on the error channel', async () => {
      const forward = new k8s.PortForward(kc);
      const err = sink();
      const input = new PassThrough();
      const ws = await forward.portForward('default', 'p', [81], sink(), err, input) as { close(): void };
      await until('the error text', async () => err.text().includes('error forwarding port 81 to pod'));
      assert.match(err.text(), /connect: connection refused/);
      ws.close();
      input.end();
    });
  });
});
