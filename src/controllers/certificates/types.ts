// CertificateSigningRequest as the certificates controllers read it, and the helpers
// kube's pkg/controller/certificates shares between approver and signer (IsCertificateRequestApproved,
// HasTrueCondition, the built-in signer names).
import type { KubeObject } from '../../api/types.ts';
import { resources, type ResourceDescriptor } from '../../client/index.ts';

export const signerKubeAPIServerClient = 'kubernetes.io/kube-apiserver-client';
export const signerKubeAPIServerClientKubelet = 'kubernetes.io/kube-apiserver-client-kubelet';
export const signerKubeletServing = 'kubernetes.io/kubelet-serving';

export interface CsrCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
}

export interface CertificateSigningRequest extends KubeObject {
  spec: {
    request: string;
    signerName: string;
    expirationSeconds?: number;
    usages?: string[];
    username?: string;
    uid?: string;
    groups?: string[];
    extra?: Record<string, string[]>;
  };
  status?: { conditions?: CsrCondition[]; certificate?: string };
}

export const csrResource = resources.certificateSigningRequests as ResourceDescriptor<CertificateSigningRequest>;

export function hasTrueCondition(csr: CertificateSigningRequest, type: string): boolean {
  return !!csr.status?.conditions?.some((c) => c.type === type && (c.status === 'True' || c.status === ''));
}

/** GetCertApprovalCondition: approved and not denied. */
export function isApproved(csr: CertificateSigningRequest): boolean {
  return hasTrueCondition(csr, 'Approved') && !hasTrueCondition(csr, 'Denied');
}

/** The PEM request of spec.request (base64 bytes in JSON). */
export function requestPem(csr: CertificateSigningRequest): string {
  return Buffer.from(csr.spec.request, 'base64').toString('utf8');
}

export function nowRfc3339(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
