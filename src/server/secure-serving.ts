// kube-apiserver's secure serving and its authentication set-up: TLS with the serving
// certificate from <data-dir>/pki (or --tls-cert-file/--tls-private-key-file), client
// certificates checked against the client CA (ours, or --client-ca-file), static tokens from
// --token-auth-file, anonymous requests unless --anonymous-auth=false; and the optional
// insecure port, plain HTTP on 127.0.0.1 only, for curl tutorials.
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { ServerOptions as HttpsServerOptions } from 'node:https';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { RequestAuthenticator, type TokenAuthenticator } from '../auth/authenticate.ts';
import { privilegedGroupAuthorizer, unionAuthorizer } from '../auth/authorizer.ts';
import { builtinIdentities, ensurePki, type Pki } from '../auth/pki.ts';
import { tokenFileAuthenticator } from '../auth/token-file.ts';
import type { Authorizer } from '../api/authorization.ts';
import { writeKubeconfig } from '../kubeconfig.ts';
import { applyHttpServerSettings, httpServerOptions, type HttpServingOptions } from './http-serving.ts';

export interface SecureServingOptions {
  /** --tls-cert-file / --tls-private-key-file: serve with these instead of pki/apiserver.*. */
  certFile?: string;
  keyFile?: string;
  /** --client-ca-file: trust client certificates signed by these CAs instead of pki/ca.crt. */
  clientCAFile?: string;
  /** --advertise-address: also a SAN of the generated serving certificate. */
  advertiseAddress?: string;
  /** --token-auth-file. */
  tokenAuthFile?: string;
  /** --anonymous-auth (default true). */
  anonymousAuth?: boolean;
  /** More token authenticators (ServiceAccount tokens). */
  tokenAuthenticators?: TokenAuthenticator[];
  /** The PKI, when its making was started earlier (it overlaps the rest of start-up). */
  pki?: Promise<Pki>;
  /** The authorizer after system:masters (the API server passes RBAC); without one, only system:masters is allowed anything. */
  authorizer?: Authorizer;
}

export interface SecureServing {
  pki: Pki;
  https: HttpsServerOptions;
  auth: { authenticator: RequestAuthenticator; authorizer: Authorizer };
  /** The bearer token authenticators, in the order requests try them (TokenReview asks the same ones). */
  tokenAuthenticators: TokenAuthenticator[];
  /** PEM of the CA that signed the serving certificate, for kubeconfigs. */
  servingCA: string;
}

export async function prepareSecureServing(dataDir: string, host: string | undefined, opts: SecureServingOptions = {}): Promise<SecureServing> {
  const pki = await (opts.pki ?? ensurePki(dataDir, { extra: [host ?? '', opts.advertiseAddress ?? ''] }));
  if ((opts.certFile === undefined) !== (opts.keyFile === undefined)) {
    throw new Error('--tls-cert-file and --tls-private-key-file go together');
  }
  const cert = opts.certFile ? await readFile(opts.certFile, 'utf8') : pki.servingCert;
  const key = opts.keyFile ? await readFile(opts.keyFile, 'utf8') : pki.servingKey;
  const clientCA = opts.clientCAFile ? await readFile(opts.clientCAFile, 'utf8') : pki.caCert;
  const tokens: TokenAuthenticator[] = [...(opts.tokenAuthenticators ?? [])];
  if (opts.tokenAuthFile) tokens.unshift(await tokenFileAuthenticator(opts.tokenAuthFile));
  return {
    pki,
    // Ask for a client certificate but let requests without one through to the other authenticators.
    https: { cert, key, ca: clientCA, requestCert: true, rejectUnauthorized: false },
    auth: {
      authenticator: new RequestAuthenticator({ tokens, anonymous: opts.anonymousAuth !== false }),
      authorizer: opts.authorizer ? unionAuthorizer(privilegedGroupAuthorizer, opts.authorizer) : privilegedGroupAuthorizer,
    },
    tokenAuthenticators: tokens,
    // With a user-supplied serving certificate, kubeconfigs can only trust the client CA's bundle if it is the same CA.
    servingCA: opts.certFile ? clientCA : pki.caCert,
  };
}

/** Serves `app` as plain HTTP on 127.0.0.1:`port` too (websocket upgrades included). */
export async function serveInsecure(app: FastifyInstance, port: number, serving: HttpServingOptions = {}): Promise<{ url: string; server: Server }> {
  const server = createServer(httpServerOptions(serving), (req, res) => app.routing(req, res));
  applyHttpServerSettings(server, serving);
  server.on('upgrade', (req, socket, head) => app.server.emit('upgrade', req, socket, head));
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return { url: `http://127.0.0.1:${bound}`, server };
}

export interface Kubeconfigs {
  /** kubernetes-admin (system:masters' kubeadm counterpart): <data-dir>/kubeconfig, for kubectl. */
  admin: string;
  controllerManager: string;
  scheduler: string;
  kubelet: string;
}

/** Writes a kubeconfig per identity, each with the CA and the identity's client certificate, as kubeadm's *.conf. */
export async function writeKubeconfigs(dataDir: string, server: string, serving: SecureServing): Promise<Kubeconfigs> {
  const files: Kubeconfigs = {
    admin: join(dataDir, 'kubeconfig'),
    controllerManager: join(dataDir, 'controller-manager.conf'),
    scheduler: join(dataDir, 'scheduler.conf'),
    kubelet: join(dataDir, 'kubelet.conf'),
  };
  for (const role of Object.keys(files) as (keyof Kubeconfigs)[]) {
    const credentials = serving.pki.clients[role];
    await writeKubeconfig(files[role], {
      server, ca: serving.servingCA, clientCert: credentials.cert, clientKey: credentials.key,
      userName: role === 'admin' ? 'kubelite-admin' : builtinIdentities[role].user,
    });
  }
  return files;
}
