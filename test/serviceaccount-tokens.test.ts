// ServiceAccount tokens end to end, as kube-apiserver v1.32 issues and honours them: the
// serviceaccounts/token subresource through `kubectl create token` (claims, kid, defaults,
// validation, bound objects), the token authenticator on the secure port (signature, audience,
// expiry, and the ServiceAccount or bound Pod still being there), TokenReview, and the
// projected token the kubelet serves in a pod.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { httpsRequest, jwtClaims, jwtHeader, signServiceAccountJwt, writeUserKubeconfig } from './support/auth.ts';
import { runKubectl, startTestServer, type TestServer } from './support/server.ts';
import { until } from './support/wait.ts';

const issuer = 'https://kubernetes.default.svc.cluster.local';

describe('ServiceAccount tokens', () => {
  let server: TestServer;
  let saUID: string;

  const kubectl = async (args: string[], input?: string) => {
    const r = await server.kubectl(args, { input });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  /** `kubectl auth whoami` with a kubeconfig holding only this token and the CA. */
  const whoamiWith = async (token: string, name: string) => {
    const config = await writeUserKubeconfig(join(server.dataDir, `${name}.kubeconfig`), server.secureUrl, server.caCert, { token });
    return runKubectl(config, ['auth', 'whoami']);
  };
  /** A SelfSubjectReview with the token as the only credential: 201 naming the user, or 401. */
  const authenticate = (token: string) => httpsRequest(`${server.secureUrl}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
    ca: server.caCert, token, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
  });
  // POSTed by the admin: kubectl create -f would first need the protobuf OpenAPI v2 document for a kind without PATCH.
  const tokenReview = async (token: string, audiences?: string[]) => {
    const res = await server.request('/apis/authentication.k8s.io/v1/tokenreviews', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences && { audiences }) } }),
    });
    assert.equal(res.status, 201);
    return res.json() as Promise<any>;
  };

  before(async () => {
    server = await startTestServer();
    await kubectl(['create', 'serviceaccount', 'default', '-n', 'default']);
    await kubectl(['create', 'serviceaccount', 'robot', '-n', 'default']);
    saUID = (await kubectl(['get', 'sa', 'default', '-n', 'default', '-o', 'jsonpath={.metadata.uid}'])).trim();
  });
  after(() => server?.stop());

  it('kubectl create token returns a JWT with the claims and key id kube gives', async () => {
    const token = (await kubectl(['create', 'token', 'default', '-n', 'default'])).trim();
    const header = jwtHeader(token);
    const spki = createPublicKey(await readFile(join(server.dataDir, 'pki', 'sa.pub'), 'utf8')).export({ type: 'spki', format: 'der' });
    assert.deepEqual(header, { alg: 'ES256', kid: createHash('sha256').update(spki).digest('base64url') });
    const claims = jwtClaims(token);
    assert.deepEqual(Object.keys(claims), ['aud', 'exp', 'iat', 'iss', 'jti', 'kubernetes.io', 'nbf', 'sub']);
    assert.equal(claims.iss, issuer);
    assert.equal(claims.sub, 'system:serviceaccount:default:default');
    assert.deepEqual(claims.aud, [issuer]);
    assert.equal(claims.exp - claims.iat, 3600, 'expirationSeconds defaults to an hour');
    assert.equal(claims.nbf, claims.iat);
    assert.match(claims.jti, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(claims['kubernetes.io'], { namespace: 'default', serviceaccount: { name: 'default', uid: saUID } });

    const whoami = await whoamiWith(token, 'sa');
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(whoami.stdout, /^Username\s+system:serviceaccount:default:default$/m);
    assert.match(whoami.stdout, new RegExp(`^UID\\s+${saUID}$`, 'm'));
    assert.match(whoami.stdout, /^Groups\s+\[system:serviceaccounts system:serviceaccounts:default system:authenticated\]$/m);
    assert.match(whoami.stdout, new RegExp(`^Extra: authentication.kubernetes.io/credential-id\\s+\\[JTI=${claims.jti}\\]$`, 'm'));
  });

  it('takes --duration and --audience; a token for another audience does not reach the API', async () => {
    const token = (await kubectl(['create', 'token', 'default', '-n', 'default', '--duration=2h', '--audience=foo'])).trim();
    const claims = jwtClaims(token);
    assert.deepEqual(claims.aud, ['foo']);
    assert.equal(claims.exp - claims.iat, 7200);
    assert.equal((await authenticate(token)).status, 401);
    const review = await tokenReview(token, ['foo', 'bar']);
    assert.equal(review.status.authenticated, true);
    assert.deepEqual(review.status.audiences, ['foo']);
    assert.equal(review.status.user.username, 'system:serviceaccount:default:default');
    const forApi = await tokenReview(token);
    assert.equal(forApi.status.authenticated, undefined);
    assert.equal(forApi.status.error, `token audiences ["foo"] is invalid for the target audiences ["${issuer}"]`);
  });

  it('refuses a lifetime under 10 minutes and a ServiceAccount that does not exist', async () => {
    const short = await server.kubectl(['create', 'token', 'default', '-n', 'default', '--duration=5m']);
    assert.notEqual(short.code, 0);
    assert.match(short.stderr, /TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes/);
    const missing = await server.kubectl(['create', 'token', 'nobody', '-n', 'default']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /serviceaccounts "nobody" not found/);
    const raw = await httpsRequest(`${server.secureUrl}/api/v1/namespaces/default/serviceaccounts/nobody/token`, {
      ca: server.caCert, cert: await adminCert(server), key: await adminKey(server),
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: {} },
    });
    assert.equal(raw.status, 404);
    assert.equal(raw.json().reason, 'NotFound');
  });

  it('answers the TokenRequest itself with status.token and status.expirationTimestamp', async () => {
    const res = await server.request('/api/v1/namespaces/default/serviceaccounts/default/token', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 1200 } }),
    });
    assert.equal(res.status, 201);
    const body = await res.json() as any;
    assert.equal(body.kind, 'TokenRequest');
    assert.equal(body.apiVersion, 'authentication.k8s.io/v1');
    assert.equal(body.metadata.name, 'default');
    assert.equal(body.metadata.namespace, 'default');
    assert.deepEqual(body.spec, { audiences: [issuer], expirationSeconds: 1200 });
    const claims = jwtClaims(body.status.token);
    assert.equal(Date.parse(body.status.expirationTimestamp) / 1000, claims.exp);
    const get = await server.request('/api/v1/namespaces/default/serviceaccounts/default/token');
    assert.equal(get.status, 405, 'token is create-only');
  });

  it('rejects tampered, forged and expired tokens with 401, and TokenReview says why', async () => {
    const token = (await kubectl(['create', 'token', 'default', '-n', 'default'])).trim();
    assert.equal((await authenticate(token)).status, 201);
    const [h, , s] = token.split('.');
    const claims = jwtClaims(token);
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:kube-system:default' })).toString('base64url')}.${s}`;
    const res = await authenticate(tampered);
    assert.equal(res.status, 401);
    assert.deepEqual(res.json(), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
    const reviewTampered = await tokenReview(tampered);
    assert.equal(reviewTampered.status.authenticated, undefined);
    assert.match(reviewTampered.status.error, /error in cryptographic primitive/);

    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const forged = await signServiceAccountJwt(server.dataDir, claims, otherKey);
    assert.equal((await authenticate(forged)).status, 401);

    const now = Math.floor(Date.now() / 1000);
    const expired = await signServiceAccountJwt(server.dataDir, { ...claims, iat: now - 7200, nbf: now - 7200, exp: now - 3600 });
    assert.equal((await authenticate(expired)).status, 401);
    assert.equal((await tokenReview(expired)).status.error, 'service account token has expired');
    // The same helper with a live expiry is accepted: the 401 above is for the expiry alone.
    const live = await signServiceAccountJwt(server.dataDir, { ...claims, exp: now + 600 });
    assert.equal((await authenticate(live)).status, 201);

    const garbage = await tokenReview('not-a-token');
    assert.deepEqual(garbage.status, { user: {}, error: 'invalid bearer token' });
  });

  it('TokenReview of a good token names the user, groups, extra and audiences', async () => {
    const token = (await kubectl(['create', 'token', 'robot', '-n', 'default'])).trim();
    const review = await tokenReview(token);
    assert.equal(review.kind, 'TokenReview');
    assert.equal(review.status.authenticated, true);
    assert.deepEqual(review.status.audiences, [issuer]);
    const robotUID = (await kubectl(['get', 'sa', 'robot', '-o', 'jsonpath={.metadata.uid}'])).trim();
    assert.deepEqual(review.status.user, {
      username: 'system:serviceaccount:default:robot', uid: robotUID,
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': [`JTI=${jwtClaims(token).jti}`] },
    });
    const empty = await server.request('/apis/authentication.k8s.io/v1/tokenreviews', {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: {} }),
    });
    assert.equal(empty.status, 400);
    assert.equal((await empty.json() as any).message, 'token is required for TokenReview in authentication.k8s.io');
  });

  it('binds a token to a pod: its extra names the pod, and it dies with the pod', async () => {
    await kubectl(['apply', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bound', namespace: 'default' },
      spec: { serviceAccountName: 'robot', containers: [{ name: 'c', image: 'busybox' }] },
    }));
    const podUID = (await kubectl(['get', 'pod', 'bound', '-o', 'jsonpath={.metadata.uid}'])).trim();
    const wrongSA = await server.kubectl(['create', 'token', 'default', '--bound-object-kind=Pod', '--bound-object-name=bound']);
    assert.match(wrongSA.stderr, /cannot bind token for serviceaccount "default" to pod running with serviceaccount "robot"/);
    const wrongUID = await server.kubectl(['create', 'token', 'robot', '--bound-object-kind=Pod', '--bound-object-name=bound', '--bound-object-uid=1234']);
    assert.match(wrongUID.stderr, /Operation cannot be fulfilled on Pod "bound": the UID in the bound object reference \(1234\) does not match the UID in record/);

    const token = (await kubectl(['create', 'token', 'robot', '--bound-object-kind=Pod', '--bound-object-name=bound', `--bound-object-uid=${podUID}`])).trim();
    assert.deepEqual(jwtClaims(token)['kubernetes.io'].pod, { name: 'bound', uid: podUID });
    const whoami = await whoamiWith(token, 'bound');
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(whoami.stdout, /^Extra: authentication.kubernetes.io\/pod-name\s+\[bound\]$/m);
    assert.match(whoami.stdout, new RegExp(`^Extra: authentication.kubernetes.io/pod-uid\\s+\\[${podUID}\\]$`, 'm'));
    await kubectl(['delete', 'pod', 'bound', '--grace-period=0', '--force']);
    assert.equal((await authenticate(token)).status, 401);
    assert.equal((await tokenReview(token)).status.error, 'service account token has been invalidated');
  });

  it('stops honouring a ServiceAccount\'s tokens once it is deleted, also when it is made again', async () => {
    await kubectl(['create', 'sa', 'shortlived']);
    const token = (await kubectl(['create', 'token', 'shortlived'])).trim();
    assert.equal((await authenticate(token)).status, 201);
    await kubectl(['delete', 'sa', 'shortlived']);
    assert.equal((await authenticate(token)).status, 401);
    assert.equal((await tokenReview(token)).status.error, 'serviceaccounts "shortlived" not found');
    await kubectl(['create', 'sa', 'shortlived']);
    assert.equal((await authenticate(token)).status, 401, 'a new ServiceAccount of the same name has another uid');
    assert.match((await tokenReview(token)).status.error, /^service account UID \(.+\) does not match claim \(.+\)$/);
  });
});

async function adminCert(server: TestServer): Promise<string> {
  return readFile(join(server.dataDir, 'pki', 'admin.crt'), 'utf8');
}
async function adminKey(server: TestServer): Promise<string> {
  return readFile(join(server.dataDir, 'pki', 'admin.key'), 'utf8');
}

describe('the projected ServiceAccount token in a pod', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ nodes: 1, scheduler: true });
    for (const args of [['create', 'sa', 'default'], ['create', 'sa', 'builder']]) {
      const r = await server.kubectl(args);
      assert.equal(r.code, 0, r.stderr);
    }
    const r = await server.kubectl(['apply', '-f', '-'], { input: JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default' },
      spec: { serviceAccountName: 'builder', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'sleep 3600'] }] },
    }) });
    assert.equal(r.code, 0, r.stderr);
    await until('pod web running', async () => (await server.kubectl(['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}'])).stdout === 'Running', 30_000);
  });
  after(() => server?.stop());

  it('serves token, ca.crt and namespace at /var/run/secrets/kubernetes.io/serviceaccount, and the token is the pod\'s', async () => {
    const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
    const cat = async (file: string) => {
      const r = await server.kubectl(['exec', 'web', '--', 'cat', `${dir}/${file}`]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    };
    const token = await cat('token');
    assert.equal(await cat('namespace'), 'default');
    assert.equal((await cat('ca.crt')).trim(), server.caCert.trim());
    const pod = JSON.parse((await server.kubectl(['get', 'pod', 'web', '-o', 'json'])).stdout);
    const claims = jwtClaims(token);
    assert.equal(claims.sub, 'system:serviceaccount:default:builder');
    assert.deepEqual(claims['kubernetes.io'].pod, { name: 'web', uid: pod.metadata.uid });
    assert.equal(claims['kubernetes.io'].node.name, pod.spec.nodeName);
    // kube-api-access asks for 3607 s: a pod-bound token then lives a year and warns after 3607 s.
    assert.equal(claims['kubernetes.io'].warnafter - claims.iat, 3607);
    assert.equal(claims.exp - claims.iat, 365 * 24 * 3600);
    assert.equal(await cat('token'), token, 'the kubelet keeps the token until it needs refreshing');

    const config = await writeUserKubeconfig(join(server.dataDir, 'pod.kubeconfig'), server.secureUrl, server.caCert, { token });
    const whoami = await runKubectl(config, ['auth', 'whoami']);
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.match(whoami.stdout, /^Username\s+system:serviceaccount:default:builder$/m);
    assert.match(whoami.stdout, /^Extra: authentication.kubernetes.io\/pod-name\s+\[web\]$/m);
    assert.match(whoami.stdout, new RegExp(`^Extra: authentication.kubernetes.io/node-name\\s+\\[${pod.spec.nodeName}\\]$`, 'm'));
  });
});
