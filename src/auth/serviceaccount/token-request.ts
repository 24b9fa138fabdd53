// The `serviceaccounts/token` subresource: POST a TokenRequest, get it back with a signed
// token, as kube-apiserver's TokenREST (pkg/registry/core/serviceaccount/storage/token.go).
// Nothing is stored. The spec is defaulted (audiences → the API audiences, expirationSeconds →
// 3600) and validated (at least 10 minutes); a boundObjectRef must name an existing Pod (of
// this ServiceAccount), Secret or Node, with its UID when one is given; a pod-bound token asked
// for with kube-api-access's 3607 s lives a year and warns after 3607 s, as
// --service-account-extend-token-expiration (default true) makes it.
import type { KeyObject } from 'node:crypto';
import { errors, field, StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import type { Registry } from '../../registry/registry.ts';
import { expirationExtensionSeconds, serviceAccountClaims, warnOnlyBoundTokenExpirationSeconds, type ObjectRef } from './claims.ts';
import { keyIdOf, signJws } from './jwt.ts';
import { createPublicKey } from 'node:crypto';

export interface TokenIssuerOptions {
  /** The first --service-account-issuer: the `iss` of every token made here. */
  issuer: string;
  /** --api-audiences: the audiences of a TokenRequest that names none. */
  apiAudiences: string[];
  /** --service-account-signing-key-file (default <data-dir>/pki/sa.key). */
  signingKey: KeyObject;
  /** --service-account-max-token-expiration in seconds; 0 or undefined: no limit. */
  maxExpirationSeconds?: number;
  /** --service-account-extend-token-expiration (default true). */
  extendExpiration?: boolean;
  now?: () => number;
}

export interface TokenRequestResult {
  object: KubeObject;
  warnings: string[];
}

/** ValidateTokenRequest's bounds. */
const minTokenAgeSeconds = 10 * 60;
const maxTokenAgeSeconds = 2 ** 32;

const tokenRequestKind = { kind: 'TokenRequest', group: 'authentication.k8s.io' };

interface TokenRequestSpec {
  audiences?: string[] | null;
  expirationSeconds?: number | null;
  boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string } | null;
}

export class TokenREST {
  private readonly kid: string;
  private readonly now: () => number;

  constructor(private readonly registry: Registry, private readonly opts: TokenIssuerOptions) {
    this.kid = keyIdOf(createPublicKey(opts.signingKey));
    this.now = opts.now ?? (() => Date.now());
  }

  async create(namespace: string, name: string, body: unknown): Promise<TokenRequestResult> {
    const req = checkBody(body);
    const meta = req.metadata;
    if (meta.name && meta.name !== name) {
      throw errors.invalid(tokenRequestKind.kind, tokenRequestKind.group, name, [field.invalid('metadata.name', meta.name, 'must match the service account name if specified')]);
    }
    if (meta.namespace && meta.namespace !== namespace) {
      throw errors.invalid(tokenRequestKind.kind, tokenRequestKind.group, name, [field.invalid('metadata.namespace', meta.namespace, 'must match the service account namespace if specified')]);
    }
    const serviceAccount = await this.get('serviceaccounts', namespace, name);
    const spec = (req.spec ?? {}) as TokenRequestSpec;
    const audiences = spec.audiences?.length ? spec.audiences : [...this.opts.apiAudiences];
    let expirationSeconds = spec.expirationSeconds ?? 3600; // SetDefaults_TokenRequestSpec
    const nowMs = this.now();
    const validation = [];
    if (expirationSeconds < minTokenAgeSeconds) validation.push(field.invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes'));
    if (expirationSeconds > maxTokenAgeSeconds) validation.push({ ...field.invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds'), type: 'FieldValueTooLong' as const });
    if (validation.length) throw errors.invalid(tokenRequestKind.kind, tokenRequestKind.group, '', validation);

    const bound = spec.boundObjectRef ? await this.boundObjects(namespace, name, spec.boundObjectRef) : {};
    const warnings: string[] = [];
    const max = this.opts.maxExpirationSeconds ?? 0;
    if (max > 0 && expirationSeconds > max) {
      warnings.push(`requested expiration of ${expirationSeconds} seconds shortened to ${max} seconds`);
      expirationSeconds = max;
    }
    // The safe rollout of time-bound tokens: kube-api-access's 3607 s become a year, reported as stale after 3607 s.
    let exp = expirationSeconds;
    let warnAfter = 0;
    const kubeAudiences = audiences.every((a) => this.opts.apiAudiences.includes(a));
    if (this.opts.extendExpiration !== false && bound.pod && expirationSeconds === warnOnlyBoundTokenExpirationSeconds && kubeAudiences) {
      warnAfter = exp;
      exp = expirationExtensionSeconds;
    }
    const claims = serviceAccountClaims({
      issuer: this.opts.issuer, serviceAccount, ...bound, expirationSeconds: exp, warnAfterSeconds: warnAfter, audiences, now: Math.floor(nowMs / 1000),
    });
    const token = signJws({ ...claims }, this.opts.signingKey, this.kid);
    const object: KubeObject = {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name: meta.name || name, namespace: meta.namespace || namespace, creationTimestamp: rfc3339(nowMs) },
      spec: { ...spec, audiences, expirationSeconds, boundObjectRef: spec.boundObjectRef ?? undefined },
      // The status's expiry is the one asked for (before any extension), as kube reports it.
      status: { token, expirationTimestamp: rfc3339(nowMs + expirationSeconds * 1000) },
    };
    return { object, warnings };
  }

  /** The objects a boundObjectRef names, checked as TokenREST checks them. */
  private async boundObjects(namespace: string, saName: string, ref: NonNullable<TokenRequestSpec['boundObjectRef']>): Promise<{ pod?: KubeObject; secret?: KubeObject; node?: ObjectRef }> {
    const apiVersion = ref.apiVersion ?? '';
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    const refName = ref.name ?? '';
    let uid: string | undefined;
    let out: { pod?: KubeObject; secret?: KubeObject; node?: ObjectRef };
    if (group === '' && ref.kind === 'Pod') {
      const pod = await this.get('pods', namespace, refName);
      const podSA = pod.spec?.serviceAccountName;
      if (saName !== podSA) throw errors.badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with serviceaccount "${podSA ?? ''}"`);
      uid = pod.metadata.uid;
      out = { pod };
      // ServiceAccountTokenPodNodeInfo: the pod's node rides along, by name alone if the Node is gone.
      const nodeName = pod.spec?.nodeName;
      if (nodeName) {
        const node = await this.get('nodes', undefined, nodeName).catch((err) => {
          if (err instanceof StatusError && err.reason === 'NotFound') return undefined;
          throw err;
        });
        out.node = { name: nodeName, uid: node?.metadata.uid };
      }
    } else if (group === '' && ref.kind === 'Node') {
      const node = await this.get('nodes', undefined, refName);
      uid = node.metadata.uid;
      out = { node: { name: refName, uid } };
    } else if (group === '' && ref.kind === 'Secret') {
      const secret = await this.get('secrets', namespace, refName);
      uid = secret.metadata.uid;
      out = { secret };
    } else {
      throw errors.badRequest(`cannot bind token to object of type ${group}/${version}, Kind=${ref.kind ?? ''}`);
    }
    if (ref.uid && ref.uid !== uid) {
      throw errors.conflict({ group, resource: ref.kind! }, refName,
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    return out;
  }

  private async get(plural: string, namespace: string | undefined, name: string): Promise<KubeObject> {
    const def = this.registry.catalog.lookup('', 'v1', plural)!;
    return (await this.registry.store(def).get(namespace, name)).object;
  }
}

function checkBody(body: unknown): KubeObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw errors.badRequest(`Object 'TokenRequest' is missing in '${JSON.stringify(body ?? '')}'`);
  const obj = body as KubeObject;
  if (obj.kind && obj.kind !== 'TokenRequest') throw errors.badRequest(`${obj.kind} is not suitable for converting to "TokenRequest"`);
  if (obj.apiVersion && obj.apiVersion !== 'authentication.k8s.io/v1') {
    throw errors.badRequest(`the API version in the data (${obj.apiVersion}) does not match the expected API version (authentication.k8s.io/v1)`);
  }
  obj.metadata ??= {};
  return obj;
}

/** metav1.Time: RFC 3339 in seconds. */
function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
