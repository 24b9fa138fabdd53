// The CSR approving controller (kube-controller-manager's `certificatesigningrequest-approving-controller`,
// pkg/controller/certificates/approver/sarapprove.go): a kubelet client request
// (signer kubernetes.io/kube-apiserver-client-kubelet, O=system:nodes, CN=system:node:…, no SANs,
// client usages) is approved, reason AutoApproved, when a SubjectAccessReview says its requester
// may `create` certificatesigningrequests/selfnodeclient (renewing its own node's certificate)
// or certificatesigningrequests/nodeclient (bootstrapping a node).
import type { KubeObject } from '../../api/types.ts';
import { isConflict, isNotFound, objectKey, type ResourceDescriptor } from '../../client/index.ts';
import type { ControllerContext, ControllerDefinition } from '../types.ts';
import { csrResource, hasTrueCondition, nowRfc3339, requestPem, signerKubeAPIServerClientKubelet, type CertificateSigningRequest } from './types.ts';
import { checkKubeletClient, parseRequest, type ParsedRequest } from './x509.ts';

export const controllerName = 'certificatesigningrequest-approving-controller';

const subjectAccessReviews: ResourceDescriptor = {
  group: 'authorization.k8s.io', version: 'v1', resource: 'subjectaccessreviews', kind: 'SubjectAccessReview', namespaced: false,
};

interface Recognizer {
  recognize(csr: CertificateSigningRequest, p: ParsedRequest): boolean;
  subresource: string;
  message: string;
}

const isNodeClientCert = (csr: CertificateSigningRequest, p: ParsedRequest) => {
  if (csr.spec.signerName !== signerKubeAPIServerClientKubelet) return false;
  try {
    checkKubeletClient(p, csr.spec.usages ?? []);
    return true;
  } catch {
    return false;
  }
};

/** kube's recognizers, in its order. */
const recognizers: Recognizer[] = [
  {
    recognize: (csr, p) => isNodeClientCert(csr, p) && csr.spec.username === p.commonName,
    subresource: 'selfnodeclient', message: 'Auto approving self kubelet client certificate after SubjectAccessReview.',
  },
  { recognize: isNodeClientCert, subresource: 'nodeclient', message: 'Auto approving kubelet client certificate after SubjectAccessReview.' },
];

async function authorized(ctx: ControllerContext, csr: CertificateSigningRequest, subresource: string): Promise<boolean> {
  const review = await ctx.client.create(subjectAccessReviews, {
    apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', metadata: {},
    spec: {
      user: csr.spec.username, uid: csr.spec.uid, groups: csr.spec.groups, extra: csr.spec.extra,
      resourceAttributes: { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource },
    },
  } as KubeObject);
  return review.status?.allowed === true;
}

export const csrApprovingController: ControllerDefinition = {
  name: controllerName,
  aliases: ['csrapproving'],
  workers: () => 5,
  setup(ctx, queue) {
    const csrs = ctx.factory.informerFor(csrResource);
    const pending = (csr: CertificateSigningRequest) => !csr.status?.certificate && !hasTrueCondition(csr, 'Approved') && !hasTrueCondition(csr, 'Denied');
    const enqueue = (csr: CertificateSigningRequest) => {
      if (csr.spec?.signerName === signerKubeAPIServerClientKubelet && pending(csr)) queue.add(objectKey(csr));
    };
    csrs.addEventHandler({ onAdd: enqueue, onUpdate: (_o, c) => enqueue(c) });
    return {
      async reconcile(key) {
        const csr = csrs.store.get(key);
        if (!csr || !pending(csr)) return;
        let parsed: ParsedRequest;
        try {
          parsed = parseRequest(requestPem(csr));
        } catch (err) {
          ctx.log.warn({ csr: key, err: String(err) }, `${controllerName}: unable to parse csr`);
          return;
        }
        for (const r of recognizers) {
          if (!r.recognize(csr, parsed) || !(await authorized(ctx, csr, r.subresource))) continue;
          const now = nowRfc3339();
          const approved = { type: 'Approved', status: 'True', reason: 'AutoApproved', message: r.message, lastUpdateTime: now, lastTransitionTime: now };
          try {
            await ctx.client.patch(csrResource, csr.metadata.name!, 'merge',
              { metadata: { resourceVersion: csr.metadata.resourceVersion }, status: { conditions: [...(csr.status?.conditions ?? []), approved] } },
              { subresource: 'approval' });
          } catch (err) {
            if (!isNotFound(err) && !isConflict(err)) throw err;
          }
          return;
        }
      },
    };
  },
};
