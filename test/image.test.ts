// The container image, without Docker: `kubelite kubeconfig` on a data dir, and
// scripts/image-check.sh, which builds the Dockerfile's layout in a scratch directory and starts
// it as an unprivileged user (HEALTHCHECK, kubectl through the printed kubeconfig, SIGTERM).
//
// The suite runs the script with --fast (the two `npm ci` replaced by this checkout's
// node_modules, installed from the same lockfile): about 30 s here instead of 60-90 s, almost
// all of the difference being npm unpacking ~9000 files twice. .ci/run runs the full script.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import YAML from 'yaml';
import { ensurePki } from '../src/auth/pki.ts';
import { adminKubeconfig } from '../src/kubeconfig-command.ts';
import { kubeconfigYaml } from '../src/kubeconfig.ts';

const run = promisify(execFile);
const root = new URL('../', import.meta.url).pathname;

async function onPath(command: string): Promise<boolean> {
  return run('sh', ['-c', `command -v ${command}`]).then(() => true, () => false);
}

describe('kubelite kubeconfig', () => {
  let dataDir: string;
  let recorded: string;
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'kubelite-kubeconfig-'));
    const pki = await ensurePki(dataDir);
    recorded = kubeconfigYaml({ server: 'https://127.0.0.1:6443', ca: pki.caCert, clientCert: pki.clients.admin.cert, clientKey: pki.clients.admin.key, userName: 'kubelite-admin' });
    await writeFile(join(dataDir, 'kubeconfig'), recorded);
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  const cluster = (yaml: string) => (YAML.parse(yaml) as { clusters: { cluster: Record<string, unknown> }[] }).clusters[0].cluster;

  test('prints the recorded kubeconfig as it is without --server', () => {
    assert.deepEqual(adminKubeconfig({ dataDir }), { yaml: recorded, warnings: [] });
  });

  test('--server replaces the address and keeps the CA and the credentials', () => {
    const { yaml, warnings } = adminKubeconfig({ dataDir, server: 'https://localhost:7443' });
    assert.deepEqual(warnings, []);
    assert.equal(cluster(yaml).server, 'https://localhost:7443');
    assert.equal(cluster(yaml)['certificate-authority-data'], cluster(recorded)['certificate-authority-data']);
    assert.deepEqual(YAML.parse(yaml).users, YAML.parse(recorded).users);
    assert.equal(adminKubeconfig({ dataDir, server: 'https://[::1]:6443/' }).warnings.length, 0);
  });

  test('warns when the serving certificate does not name the host, and says how to add it', () => {
    const { yaml, warnings } = adminKubeconfig({ dataDir, server: 'https://kubelite.example.com:6443' });
    assert.equal(cluster(yaml).server, 'https://kubelite.example.com:6443');
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /not valid for "kubelite\.example\.com".*--advertise-address kubelite\.example\.com/);
    assert.match(adminKubeconfig({ dataDir, server: 'https://192.0.2.7:6443' }).warnings[0], /--advertise-address 192\.0\.2\.7/);
  });

  test('an http:// server (the insecure port) is marked unverified, without the CA kubectl would refuse with it', () => {
    const c = cluster(adminKubeconfig({ dataDir, server: 'http://127.0.0.1:8080' }).yaml);
    assert.equal(c.server, 'http://127.0.0.1:8080');
    assert.equal(c['insecure-skip-tls-verify'], true);
    assert.equal(c['certificate-authority-data'], undefined);
  });

  test('errors: no kubeconfig in the dir, a server that is not a URL', () => {
    assert.throws(() => adminKubeconfig({ dataDir: join(dataDir, 'nope') }), /no kubeconfig in .*is --data-dir the server's/);
    assert.throws(() => adminKubeconfig({ dataDir, server: 'localhost:6443' }), /want an https:\/\/ URL|not a URL/);
  });
});

describe('container image layout (scripts/image-check.sh --fast)', async () => {
  const missing = (await Promise.all(['kubectl', 'bash', 'setpriv'].map(async (c) => ((await onPath(c)) ? [] : [c])))).flat();
  test('builds, starts unprivileged, is healthy, serves kubectl through `kubelite kubeconfig`, stops on SIGTERM',
    { skip: missing.length ? `not on the PATH: ${missing.join(', ')}` : false, timeout: 240_000 }, async () => {
      const started = Date.now();
      const result = await run('bash', [join(root, 'scripts/image-check.sh'), '--fast'], { cwd: root, maxBuffer: 16 << 20 })
        .catch((err: { stdout?: string; stderr?: string; message: string }) => {
          assert.fail(`image-check failed:\n${err.stdout ?? ''}\n${err.stderr ?? err.message}`);
        });
      const out = result.stdout;
      assert.match(out, /^image-check: built the 2 stages; runtime layout: bin dist node_modules package-lock\.json package\.json schemas scripts stages$/m);
      assert.match(out, /^image-check: starting as \S+: kubelite --data-dir \S+\/volume --host 127\.0\.0\.1 --port \d+$/m);
      assert.match(out, /^image-check: healthy after [\d.]+ s: https:\/\/127\.0\.0\.1:\d+\/readyz: ok$/m);
      assert.match(out, /^image-check: kubectl get ns through .*namespace\/default .*namespace\/kube-system/m);
      assert.match(out, /^image-check: stopped by SIGTERM in [\d.]+ s, exit status 0$/m);
      assert.match(out, /^image-check: OK in [\d.]+ s$/m);
      if (process.getuid?.() === 0) assert.match(out, /starting as nobody:/);
      process.stderr.write(`image-check --fast: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
    });
});
