// The admission contract, as k8s.io/apiserver's admission.Interface: after a write is decoded
// and defaulted, mutating plugins may change the object (admit), then after validation the
// validating plugins may refuse it (validate) by throwing a StatusError. Plugins run in a
// fixed order (the list in plugins.ts), mutating before validating, for every create,
// update (incl. patch and apply), delete and connect that reaches the registry.
import type { KubeObject } from '../api/types.ts';
import type { UserInfo } from '../api/authorization.ts';
import type { ResourceDef } from './types.ts';

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface AdmissionAttributes {
  operation: AdmissionOperation;
  def: ResourceDef;
  subresource?: string;
  namespace?: string;
  name: string;
  /** The new object (CREATE, UPDATE); mutating plugins change it in place. */
  object?: KubeObject;
  /** The stored object (UPDATE, DELETE). */
  oldObject?: KubeObject;
  /** The options of the operation (CreateOptions, UpdateOptions, DeleteOptions) as kube sends them to webhooks. */
  options?: Record<string, unknown>;
  user: UserInfo;
  dryRun: boolean;
  /** Warnings for the client's `Warning` headers (PodSecurity warn, webhook warnings). */
  warnings?: string[];
}

export interface AdmissionPlugin {
  /** kube's plugin name, e.g. `NamespaceLifecycle`, `ResourceQuota`. */
  name: string;
  /** Mutating phase: may change attrs.object; throws a StatusError to refuse. */
  admit?(attrs: AdmissionAttributes): Promise<void> | void;
  /** Validating phase: throws a StatusError to refuse. */
  validate?(attrs: AdmissionAttributes): Promise<void> | void;
}
