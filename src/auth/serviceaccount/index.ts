// ServiceAccount tokens in one place, configured as kube-apiserver's ServiceAccount
// authentication flags configure them: --service-account-issuer (the first signs, all are
// accepted), --api-audiences (default: the issuers), --service-account-signing-key-file
// (default <data-dir>/pki/sa.key), --service-account-key-file (more verifying keys; sa.pub
// always), --service-account-max-token-expiration, --service-account-extend-token-expiration.
// The authenticator exists before TLS is set up (it is one of the token authenticators); the
// keys are loaded once the PKI is there, before the server listens.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Registry } from '../../registry/registry.ts';
import type { Pki } from '../pki.ts';
import { ServiceAccountTokenAuthenticator } from './authenticator.ts';
import { privateKeyFromPem, publicKeysFromPem } from './jwt.ts';
import { TokenREST } from './token-request.ts';

export { ServiceAccountTokenAuthenticator } from './authenticator.ts';
export { TokenREST } from './token-request.ts';

export const defaultServiceAccountIssuer = 'https://kubernetes.default.svc.cluster.local';

export interface ServiceAccountOptions {
  /** --service-account-issuer (repeatable); default https://kubernetes.default.svc.cluster.local. */
  issuers?: string[];
  /** --api-audiences; default: the issuers. */
  apiAudiences?: string[];
  /** --service-account-signing-key-file; default <data-dir>/pki/sa.key. */
  signingKeyFile?: string;
  /** --service-account-key-file (repeatable): more public keys that verify tokens. */
  keyFiles?: string[];
  /** --service-account-max-token-expiration, seconds (0: none). */
  maxTokenExpirationSeconds?: number;
  /** --service-account-extend-token-expiration (default true). */
  extendTokenExpiration?: boolean;
}

export class ServiceAccountTokens {
  readonly issuers: string[];
  readonly apiAudiences: string[];
  readonly authenticator: ServiceAccountTokenAuthenticator;
  private keys: KeyObject[] = [];
  private rest?: TokenREST;

  constructor(private readonly registry: Registry, private readonly opts: ServiceAccountOptions = {}) {
    this.issuers = opts.issuers?.length ? opts.issuers : [defaultServiceAccountIssuer];
    this.apiAudiences = opts.apiAudiences?.length ? opts.apiAudiences : this.issuers;
    this.authenticator = new ServiceAccountTokenAuthenticator({
      registry, issuers: this.issuers, apiAudiences: this.apiAudiences, publicKeys: () => this.keys,
    });
  }

  /** Loads the signing key and the verifying keys; then the `serviceaccounts/token` subresource can issue tokens. */
  async loadKeys(pki: Pki): Promise<TokenREST> {
    const signingPem = this.opts.signingKeyFile ? await readFile(this.opts.signingKeyFile, 'utf8') : pki.serviceAccountKey;
    const signingKey = privateKeyFromPem(signingPem);
    const keys = [createPublicKey(signingKey), ...publicKeysFromPem(pki.serviceAccountPublicKey)];
    for (const file of this.opts.keyFiles ?? []) keys.push(...publicKeysFromPem(await readFile(file, 'utf8')));
    this.keys = keys;
    this.rest = new TokenREST(this.registry, {
      issuer: this.issuers[0], apiAudiences: this.apiAudiences, signingKey,
      maxExpirationSeconds: this.opts.maxTokenExpirationSeconds, extendExpiration: this.opts.extendTokenExpiration,
    });
    return this.rest;
  }
}

/** The flags as kube-apiserver spells them, parsed (repeatable flags as arrays, lists comma-separated). */
export interface ServiceAccountFlags {
  'service-account-issuer'?: string[];
  'api-audiences'?: string;
  'service-account-key-file'?: string[];
  'service-account-signing-key-file'?: string;
  'service-account-max-token-expiration'?: string;
  'service-account-extend-token-expiration'?: string;
}

export function serviceAccountOptionsFromFlags(flags: ServiceAccountFlags): ServiceAccountOptions {
  const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const max = flags['service-account-max-token-expiration'];
  const maxSeconds = max ? goDurationSeconds(max, '--service-account-max-token-expiration') : undefined;
  // kube-apiserver's own bounds on the flag: at least an hour, at most 2^32 s.
  if (maxSeconds !== undefined && maxSeconds !== 0 && (maxSeconds < 3600 || maxSeconds > 2 ** 32)) {
    throw new Error('--service-account-max-token-expiration: the expiration must be between 1 hour and 2^32 seconds');
  }
  return {
    issuers: flags['service-account-issuer'],
    apiAudiences: list(flags['api-audiences']),
    keyFiles: flags['service-account-key-file'],
    signingKeyFile: flags['service-account-signing-key-file'],
    maxTokenExpirationSeconds: maxSeconds,
    extendTokenExpiration: flags['service-account-extend-token-expiration'] !== 'false',
  };
}

/** A Go time.Duration string (`48h`, `1h30m`, `3600s`) in whole seconds. */
export function goDurationSeconds(text: string, flag: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)];
  if (text === '0') return 0;
  if (!parts.length || parts.map((p) => p[0]).join('') !== text) throw new Error(`${flag}: invalid duration "${text}"`);
  return Math.floor(parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]], 0));
}
