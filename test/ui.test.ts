// The console in a real browser (Debian's Chromium through playwright-core) against a kubelite
// started as users start it: log in with the banner's one-time URL, watch a Deployment's pods
// come up in the cluster view, scale it, edit a ConfigMap through server-side apply, follow a
// pod's flow, see a view-only ServiceAccount's edits refused with the server's 403, and list a
// CRD's objects with its printer columns. Every change is checked with kubectl. Screenshots go
// to .tmp/ui-screenshots/ (gitignored).
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { launchBrowser, type TestBrowser } from './support/browser.ts';
import { ensureBuilt, spawnKubelite, type KubeliteProcess } from './support/process.ts';
import { runKubectl } from './support/server.ts';
import { until } from './support/wait.ts';

const shots = join(import.meta.dirname, '..', '.tmp', 'ui-screenshots');
const consoleLine = /console \(logs the admin in once\): (https:\/\/\S+)/;

describe('the console in Chromium', { timeout: 300_000 }, () => {
  let dataDir: string;
  let kubelite: KubeliteProcess;
  let loginUrl: string;
  let browser: TestBrowser;
  let admin: Page;
  const kubectl = (args: string[], input?: string) => runKubectl(join(dataDir, 'kubeconfig'), args, { input });
  const ok = async (args: string[], input?: string) => {
    const r = await kubectl(args, input);
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  // Pods fade in as they arrive: the picture waits for the page's animations to finish.
  const shot = async (page: Page, name: string) => {
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState !== 'running'));
    await page.screenshot({ path: join(shots, `${name}.png`) });
  };

  before(async () => {
    ensureBuilt();
    await mkdir(shots, { recursive: true });
    dataDir = await mkdtemp(join(tmpdir(), 'kubelite-ui-'));
    kubelite = await spawnKubelite(['--data-dir', dataDir, '--port', '0', '--nodes', '3'], { compiled: true, ready: consoleLine });
    loginUrl = kubelite.match[1];
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    kubelite?.child.kill('SIGTERM');
    if (kubelite) await new Promise((r) => kubelite.child.once('exit', r));
    await rm(dataDir, { recursive: true, force: true });
  });

  it('logs the admin in once with the banner URL, and never again with it', async () => {
    admin = await browser.context.newPage();
    await admin.goto(loginUrl);
    await admin.locator('.who').filter({ hasText: 'kubernetes-admin' }).waitFor();
    assert.doesNotMatch(admin.url(), /token=/, 'the one-time token leaves the address bar');
    const again = await browser.context.newPage();
    await again.goto(loginUrl);
    await again.getByText('already used or has expired').waitFor();
    await again.close();
  });

  it('shows a Deployment created with kubectl as Running pods in the cluster view', async () => {
    await ok(['create', 'deployment', 'web', '--image=nginx', '--replicas=3']);
    await admin.goto(loginUrl.replace(/#.*/, '#/cluster'));
    await until('three ready web pods in the node boxes', async () =>
      (await admin.locator('.node a.pod[data-state="ready"][data-pod^="web-"]').count()) === 3, 90_000, 250);
    assert.equal(await admin.locator('section.node[data-node]').count(), 3);
    await shot(admin, 'cluster');
  });

  it('scales the Deployment from the Workloads view, as kubectl then reports', async () => {
    await admin.goto(loginUrl.replace(/#.*/, '#/workloads'));
    const web = admin.locator('[data-workload="web"]');
    await web.locator('[data-action="replicas"]').fill('5');
    await web.locator('[data-action="scale"]').click();
    await web.locator('.result.ok').waitFor();
    assert.equal(await ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']), '5');
    await until('five ready replicas shown', async () => ((await web.locator('[data-ready]').textContent()) ?? '').startsWith('5/5'), 90_000, 250);
    await shot(admin, 'workloads');
    await admin.goto(loginUrl.replace(/#.*/, '#/cluster'));
    await until('five web pods in the node boxes', async () => (await admin.locator('.node a.pod[data-pod^="web-"]').count()) === 5, 30_000, 250);
    await shot(admin, 'cluster-scaled');
  });

  it('sets the image, then undoes the rollout, as kubectl rollout history tells', async () => {
    await admin.goto(loginUrl.replace(/#.*/, '#/workloads'));
    const web = admin.locator('[data-workload="web"]');
    await web.locator('[data-action="image"]').fill('nginx:1.27');
    await web.locator('[data-action="set-image"]').click();
    await web.locator('.result.ok', { hasText: 'nginx:1.27' }).waitFor();
    assert.equal(await ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx:1.27');
    await web.locator('[data-child]', { hasText: 'revision 2' }).waitFor();
    await web.locator('[data-action="undo"]').click();
    await web.locator('.result.ok', { hasText: 'rolled back to revision 1' }).waitFor();
    assert.equal(await ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']), 'nginx');
    await until('revision 3 (the old template again) in kubectl rollout history', async () =>
      /^3\s/m.test(await ok(['rollout', 'history', 'deployment/web'])), 60_000, 500);
  });

  it('edits a ConfigMap through server-side apply, shows the conflict, forces it, and kubectl reads the change', async () => {
    await ok(['create', 'configmap', 'greeting', '--from-literal=text=hello']);
    await admin.goto(loginUrl.replace(/#.*/, '#/object/core/v1/configmaps/default/greeting/yaml'));
    const editor = admin.getByLabel('YAML');
    await until('the ConfigMap in the editor', async () => (await editor.inputValue()).includes('text: hello'));
    await editor.fill((await editor.inputValue()).replace('text: hello', 'text: bonjour'));
    await admin.locator('[data-action="apply"]').click();
    // kubectl-create owns .data.text: applying another value is a conflict, as on kube-apiserver.
    const result = admin.locator('.apply-result.failed');
    await result.waitFor();
    assert.match(await result.innerText(), /409 Conflict[\s\S]*\.data\.text[\s\S]*kubectl-create/);
    await shot(admin, 'apply-conflict');
    await admin.locator('[data-action="force-apply"]').click();
    await admin.locator('.apply-result.ok').waitFor();
    assert.equal(await ok(['get', 'configmap', 'greeting', '-o', 'jsonpath={.data.text}']), 'bonjour');
    const managers = await ok(['get', 'configmap', 'greeting', '--show-managed-fields', '-o', 'jsonpath={.metadata.managedFields[*].manager}']);
    assert.match(managers, /kubelite-console/);
    await admin.goto(loginUrl.replace(/#.*/, '#/object/core/v1/configmaps/default/greeting/fields'));
    await admin.locator('tr[data-manager="kubelite-console"]').waitFor();
  });

  it("shows a pod's flow: the binding, the Scheduled event and Running, in order", async () => {
    const name = (await ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    await admin.goto(loginUrl.replace(/#.*/, `#/object/core/v1/pods/default/${name}/flow`));
    const tagsInOrder = async () => admin.locator('.timeline .entry').evaluateAll((els) => els.map((e) => e.getAttribute('data-tags') ?? ''));
    const tags = await until('created, binding, Scheduled and Running in the flow', async () => {
      const t = await tagsInOrder();
      const has = (tag: string) => t.some((s) => s.split(' ').includes(tag));
      return has('created') && has('binding') && has('event:Scheduled') && has('phase:Running') && t;
    }, 30_000, 250);
    const at = (tag: string) => tags.findIndex((s) => s.split(' ').includes(tag));
    assert.equal(at('created'), 0, `the flow starts with the creation: ${tags.join(' | ')}`);
    assert.ok(at('binding') < at('phase:Running'), `binding before Running: ${tags.join(' | ')}`);
    assert.ok(at('event:Scheduled') < at('phase:Running'), `Scheduled before Running: ${tags.join(' | ')}`);
    const rvs = await admin.locator('.timeline .entry').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-rv'))));
    assert.deepEqual(rvs, [...rvs].sort((a, b) => a - b), 'entries in resourceVersion order');
    await shot(admin, 'flow');
  });

  it("runs a command in a pod's terminal over the exec WebSocket", async () => {
    const name = (await ok(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[0].metadata.name}'])).trim();
    await admin.goto(loginUrl.replace(/#.*/, `#/object/core/v1/pods/default/${name}/exec`));
    await admin.getByLabel('command').fill('echo hello-from-the-console');
    await admin.getByRole('button', { name: 'Connect' }).click();
    await admin.locator('.xterm-rows', { hasText: 'hello-from-the-console' }).waitFor().catch(async (err) => {
      await shot(admin, 'terminal-failed');
      throw new Error(`${err}: terminal says "${await admin.locator('.terminal .muted').innerText()}"`);
    });
    await admin.getByText('exited 0').waitFor();
  });

  it('streams events and charts /metrics', async () => {
    await admin.goto(loginUrl.replace(/#.*/, '#/events'));
    await admin.locator('.events-table [data-reason="Scheduled"]').first().waitFor();
    await admin.goto(loginUrl.replace(/#.*/, '#/health'));
    const requests = admin.getByRole('figure', { name: 'requests', exact: true });
    await until('a request rate on the chart', async () => /\d+(\.\d+)? \/s/.test(await requests.innerText()), 20_000, 250);
    await admin.getByText('kube-scheduler').first().waitFor();
    await shot(admin, 'health');
  });

  it("lists a CRD's objects with its printer columns", async () => {
    await ok(['apply', '-f', '-'], `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.example.com }
spec:
  group: example.com
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget }
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - { name: Colour, type: string, jsonPath: .spec.colour }
    - { name: Size, type: integer, jsonPath: .spec.size }
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: { type: object, properties: { colour: { type: string }, size: { type: integer } } }
`);
    await ok(['wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=30s']);
    await ok(['apply', '-f', '-'], 'apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: sprocket, namespace: default }\nspec: { colour: teal, size: 7 }\n');
    await admin.goto(loginUrl.replace(/#.*/, '#/resources/example.com/v1/widgets'));
    const table = admin.getByRole('table', { name: 'widgets table' });
    await table.locator('[role="columnheader"]', { hasText: 'Colour' }).waitFor();
    await table.locator('[role="columnheader"]', { hasText: 'Size' }).waitFor();
    const row = table.locator('[data-row="sprocket"]');
    await until('the widget row', async () => /sprocket[\s\S]*teal[\s\S]*7/.test(await row.innerText().catch(() => '')));
    await shot(admin, 'crd');
  });

  it("refuses a view-only ServiceAccount's edits with the server's 403, on a page that stays usable", async () => {
    await ok(['create', 'serviceaccount', 'viewer']);
    await ok(['create', 'rolebinding', 'viewer', '--clusterrole=view', '--serviceaccount=default:viewer']);
    const token = (await ok(['create', 'token', 'viewer'])).trim();
    const page = await browser.context.newPage();
    await page.goto(loginUrl.replace(/#.*/, '#/workloads'));
    await page.getByLabel('Bearer token').fill(token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('.who').filter({ hasText: 'system:serviceaccount:default:viewer' }).waitFor();
    // It may not list namespaces: the namespace is typed instead of picked.
    await page.getByLabel('Namespace').fill('default');
    await page.getByLabel('Namespace').press('Enter');
    await page.goto(loginUrl.replace(/#.*/, '#/workloads'));
    const web = page.locator('[data-workload="web"]');
    await web.locator('[data-action="replicas"]').fill('1');
    await web.locator('[data-action="scale"]').click();
    const refused = web.locator('.result.failed');
    await refused.waitFor();
    assert.match(await refused.innerText(), /403 Forbidden.*cannot patch resource "deployments\/scale"/);
    await shot(page, 'viewer-forbidden');
    await page.goto(loginUrl.replace(/#.*/, '#/object/core/v1/configmaps/default/greeting/yaml'));
    const editor = page.getByLabel('YAML');
    await until('the ConfigMap in the editor', async () => (await editor.inputValue()).includes('text: bonjour'));
    await editor.fill((await editor.inputValue()).replace('text: bonjour', 'text: hola'));
    await page.locator('[data-action="apply"]').click();
    assert.match(await page.locator('.apply-result.failed').innerText(), /403 Forbidden/);
    // Nodes are cluster-scoped and not the viewer's to list: the cluster view says so.
    await page.goto(loginUrl.replace(/#.*/, '#/cluster'));
    assert.match(await page.locator('.error-box.forbidden').first().innerText(), /nodes/);
    assert.equal(await ok(['get', 'deployment', 'web', '-o', 'jsonpath={.spec.replicas}']), '5');
    assert.equal(await ok(['get', 'configmap', 'greeting', '-o', 'jsonpath={.data.text}']), 'bonjour');
    await page.close();
  });
});
