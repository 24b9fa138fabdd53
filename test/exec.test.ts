// pods/exec over WebSocket as kube-apiserver serves it, through the pod's kubelet API (the API
// server tunnels the upgrade): real kubectl (v5.channel.k8s.io, with stdin closed by the v5
// close signal, exit codes from the Status on the error channel), and the channel protocol
// byte by byte through the `ws` package. Refusals come before the upgrade, as HTTP Statuses.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import WebSocket from 'ws';
import { startTestServer, type TestServer } from './support/server.ts';

const podManifest = JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'sleep 3600'], env: [{ name: 'FOO', value: 'bar' }] }] },
});

const twoContainerManifest = JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { name: 'two', namespace: 'default' },
  spec: {
    containers: [
      { name: 'a', image: 'busybox', command: ['sh', '-c', 'sleep 3600'] },
      { name: 'b', image: 'busybox', command: ['sh', '-c', 'sleep 3600'] },
    ],
  },
});

interface ExecReply {
  protocol: string;
  /** Every message as [channel, payload], in order. */
  messages: [number, string][];
  closeCode: number;
}

describe('pods/exec over WebSocket', () => {
  let server: TestServer;

  /** Opens an exec WebSocket, sends `frames` once open, and collects everything until the server closes. */
  function execWs(path: string, opts: { protocols?: string[]; frames?: Buffer[] } = {}): Promise<ExecReply> {
    const url = server.url.replace(/^http/, 'ws') + path;
    const ws = new WebSocket(url, opts.protocols ?? ['v5.channel.k8s.io']);
    const messages: [number, string][] = [];
    return new Promise((resolve, reject) => {
      ws.on('open', () => {
        for (const f of opts.frames ?? []) ws.send(f);
      });
      ws.on('message', (data: Buffer, isBinary) => {
        assert.ok(isBinary, 'remotecommand messages are binary');
        messages.push([data[0], data.subarray(1).toString('utf8')]);
      });
      ws.on('close', (closeCode) => resolve({ protocol: ws.protocol, messages, closeCode }));
      ws.on('error', reject);
    });
  }

  /** An exec upgrade the server must refuse: its HTTP status and JSON body. */
  function refusedWs(path: string): Promise<{ status: number; body: any }> {
    const ws = new WebSocket(server.url.replace(/^http/, 'ws') + path, ['v5.channel.k8s.io']);
    return new Promise((resolve, reject) => {
      ws.on('unexpected-response', (_req, res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }));
      });
      ws.on('open', () => reject(new Error('the upgrade was accepted')));
      ws.on('error', () => undefined);
    });
  }

  const on = (reply: ExecReply, ch: number) => reply.messages.filter(([c]) => c === ch).map(([, d]) => d).join('');

  before(async () => {
    server = await startTestServer({ nodes: 1, scheduler: true });
    for (const manifest of [podManifest, twoContainerManifest]) {
      const created = await server.kubectl(['apply', '-f', '-'], { input: manifest });
      assert.equal(created.code, 0, created.stderr);
    }
    for (const name of ['p', 'two']) {
      const waited = await server.kubectl(['wait', '--for=condition=Ready', `pod/${name}`, '--timeout=30s']);
      assert.equal(waited.code, 0, waited.stderr);
    }
  });

  after(async () => {
    await server?.stop();
  });

  describe('with kubectl', () => {
    it('prints the output of a command and exits 0', async () => {
      const r = await server.kubectl(['exec', 'p', '--', 'echo', 'hi']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'hi\n');
      assert.equal(r.stderr, '');
    });

    it("exits with the command's exit code", async () => {
      const r = await server.kubectl(['exec', 'p', '--', 'sh', '-c', 'exit 3']);
      assert.equal(r.code, 3, r.stderr);
      assert.match(r.stderr, /command terminated with exit code 3/);
    });

    it("runs in the container's environment", async () => {
      const r = await server.kubectl(['exec', 'p', '-c', 'c', '--', 'env']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^FOO=bar$/m);
      assert.match(r.stdout, /^HOSTNAME=p$/m);
    });

    it('passes stdin with -i', async () => {
      const r = await server.kubectl(['exec', '-i', 'p', '--', 'cat'], { input: 'abc' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'abc');
    });

    it('keeps stdout and stderr apart', async () => {
      const r = await server.kubectl(['exec', 'p', '--', 'sh', '-c', 'echo out; cat /missing']);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(r.stdout, 'out\n');
      assert.equal(r.stderr, "cat: can't open '/missing': No such file or directory\ncommand terminated with exit code 1\n");
    });

    it('picks the first container of a pod with several and says so', async () => {
      const r = await server.kubectl(['exec', 'two', '--', 'echo', 'hi']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'hi\n');
      assert.match(r.stderr, /Defaulted container "a" out of: a, b/);
    });

    it('fails for a pod that does not exist', async () => {
      const r = await server.kubectl(['exec', 'nope', '--', 'echo', 'hi']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /Error from server \(NotFound\): pods "nope" not found/);
    });

    it('fails for a container the pod does not have', async () => {
      const r = await server.kubectl(['exec', 'p', '-c', 'nope', '--', 'echo', 'hi']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /container nope is not valid for pod p/);
    });
  });

  describe('the v5 channel protocol', () => {
    const base = '/api/v1/namespaces/default/pods';

    it('negotiates v5 over v4 and ends with a Success Status on channel 3', async () => {
      const r = await execWs(`${base}/p/exec?command=echo&command=hi&stdout=true&stderr=true`, {
        protocols: ['v4.channel.k8s.io', 'v5.channel.k8s.io', 'channel.k8s.io'],
      });
      assert.equal(r.protocol, 'v5.channel.k8s.io');
      // First an empty message on the lowest writable channel, then the output, then the Status.
      assert.deepEqual(r.messages[0], [1, '']);
      assert.equal(on(r, 1), 'hi\n');
      assert.equal(on(r, 2), '');
      assert.deepEqual(r.messages.at(-1), [3, '{"metadata":{},"status":"Success"}']);
      assert.equal(r.closeCode, 1000);
    });

    it('reads stdin until the client closes it with [255, 0]', async () => {
      const r = await execWs(`${base}/p/exec?command=cat&stdin=true&stdout=true&stderr=true`, {
        frames: [Buffer.from('\x00ab'), Buffer.from('\x00c\n'), Buffer.from([255, 0])],
      });
      assert.equal(on(r, 1), 'abc\n');
      assert.deepEqual(JSON.parse(on(r, 3)), { metadata: {}, status: 'Success' });
    });

    it('reports a non-zero exit as the kubelet does', async () => {
      const r = await execWs(`${base}/p/exec?command=sh&command=-c&command=cat+%2Foops%3B+exit+3&stdout=true&stderr=true`);
      assert.equal(on(r, 2), "cat: can't open '/oops': No such file or directory\n");
      assert.deepEqual(JSON.parse(on(r, 3)), {
        metadata: {}, status: 'Failure',
        message: 'command terminated with non-zero exit code: error executing command [sh -c cat /oops; exit 3], exit code 3',
        reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: '3' }] },
      });
    });

    it('words a non-zero exit as the kubelet does for v4', async () => {
      const r = await execWs(`${base}/p/exec?command=sh&command=-c&command=exit+3&stdout=true`, { protocols: ['v4.channel.k8s.io'] });
      assert.equal(r.protocol, 'v4.channel.k8s.io');
      assert.equal(JSON.parse(on(r, 3)).message, 'command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3');
    });

    it('merges stderr into stdout with a terminal', async () => {
      const r = await execWs(`${base}/p/exec?command=sh&command=-c&command=echo+a%3B+cat+%2Fb&stdout=true&stderr=true&tty=true`, {
        frames: [Buffer.from('\x04{"Width":80,"Height":24}')],
      });
      assert.equal(on(r, 1), "a\r\ncat: can't open '/b': No such file or directory\r\n");
      assert.equal(on(r, 2), '');
      assert.equal(JSON.parse(on(r, 3)).reason, 'NonZeroExitCode');
    });

    it('answers a missing pod with a NotFound Status instead of upgrading', async () => {
      const r = await refusedWs(`${base}/nope/exec?command=echo&stdout=true`);
      assert.equal(r.status, 404);
      assert.deepEqual(r.body, {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'pods "nope" not found', reason: 'NotFound',
        details: { name: 'nope', kind: 'pods' }, code: 404,
      });
    });

    it('asks for a container name on a pod with several, and refuses an unknown container', async () => {
      const r = await refusedWs(`${base}/two/exec?command=echo&stdout=true`);
      assert.equal(r.status, 400);
      assert.equal(r.body.reason, 'BadRequest');
      assert.equal(r.body.message, 'a container name must be specified for pod two, choose one of: [a b]');
      const unknown = await refusedWs(`${base}/p/exec?command=echo&stdout=true&container=nope`);
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.message, 'container nope is not valid for pod p');
    });

    it('rejects a request without a command or without streams', async () => {
      const noCommand = await refusedWs(`${base}/p/exec?stdout=true`);
      assert.equal(noCommand.body.message, 'you must specify at least one command for the container');
      const noStreams = await refusedWs(`${base}/p/exec?command=true`);
      assert.equal(noStreams.body.message, 'you must specify at least 1 of stdin, stdout, stderr');
    });

    it('speaks the base64 variant: text messages, the channel as a digit, the payload in base64', async () => {
      const url = server.url.replace(/^http/, 'ws') + `${base}/p/exec?command=echo&command=hi&stdout=true`;
      const ws = new WebSocket(url, ['v4.base64.channel.k8s.io']);
      const messages: string[] = [];
      await new Promise<void>((resolve, reject) => {
        ws.on('message', (data: Buffer, isBinary) => {
          assert.equal(isBinary, false);
          messages.push(data.toString());
        });
        ws.on('close', () => resolve());
        ws.on('error', reject);
      });
      assert.equal(ws.protocol, 'v4.base64.channel.k8s.io');
      const on = (ch: string) => messages.filter((m) => m[0] === ch).map((m) => Buffer.from(m.slice(1), 'base64').toString()).join('');
      assert.equal(on('1'), 'hi\n');
      assert.deepEqual(JSON.parse(on('3')), { metadata: {}, status: 'Success' });
    });

    it('keeps watches on the watch subprotocols', async () => {
      const url = server.url.replace(/^http/, 'ws') + `${base}?watch=true&timeoutSeconds=1`;
      const ws = new WebSocket(url, ['base64.binary.k8s.io']);
      const first = await new Promise<string>((resolve, reject) => {
        ws.once('message', (data: Buffer) => resolve(Buffer.from(data.toString(), 'base64').toString()));
        ws.on('error', reject);
      });
      assert.equal(ws.protocol, 'base64.binary.k8s.io');
      assert.equal(JSON.parse(first).type, 'ADDED');
      ws.close();
      await delay(10);
    });
  });
});
