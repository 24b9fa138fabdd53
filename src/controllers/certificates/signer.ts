// The CSR signing controller (kube-controller-manager's `certificatesigningrequest-signing-controller`,
// pkg/controller/certificates/signer): for the signers kubernetes.io/kube-apiserver-client,
// kubernetes.io/kube-apiserver-client-kubelet and kubernetes.io/kubelet-serving, an approved
// request without a certificate is checked against its signer's rules (a violation sets the
// Failed condition, reason SignerValidationFailure) and issued from the cluster CA
// (--cluster-signing-cert-file/--cluster-signing-key-file) for spec.expirationSeconds, capped by
// --cluster-signing-duration. Without a CA configured the controller does not run, as kube's.
import { isConflict, isNotFound, objectKey } from '../../client/index.ts';
import type { ControllerDefinition } from '../types.ts';
import {
  csrResource, hasTrueCondition, isApproved, nowRfc3339, requestPem,
  signerKubeAPIServerClient, signerKubeAPIServerClientKubelet, signerKubeletServing, type CertificateSigningRequest,
} from './types.ts';
import {
  checkKubeAPIServerClient, checkKubeletClient, checkKubeletServing, issueCertificate, loadCA, parseRequest,
  type ParsedRequest, type SigningCA,
} from './x509.ts';

export const controllerName = 'certificatesigningrequest-signing-controller';

const signerChecks: Record<string, (p: ParsedRequest, usages: string[]) => void> = {
  [signerKubeAPIServerClient]: checkKubeAPIServerClient,
  [signerKubeAPIServerClientKubelet]: checkKubeletClient,
  [signerKubeletServing]: checkKubeletServing,
};

export const csrSigningController: ControllerDefinition = {
  name: controllerName,
  aliases: ['csrsigning'],
  workers: () => 5, // --concurrent-certificate-syncs... kube's signing workers
  setup(ctx, queue) {
    const csrs = ctx.factory.informerFor(csrResource);
    const { clusterSigningCertFile: certFile, clusterSigningKeyFile: keyFile } = ctx.options;
    let ca: Promise<SigningCA> | undefined;
    const enqueue = (csr: CertificateSigningRequest) => {
      if (signerChecks[csr.spec?.signerName] && isApproved(csr) && !csr.status?.certificate && !hasTrueCondition(csr, 'Failed')) queue.add(objectKey(csr));
    };
    csrs.addEventHandler({ onAdd: enqueue, onUpdate: (_o, c) => enqueue(c) });

    async function write(csr: CertificateSigningRequest, status: CertificateSigningRequest['status']): Promise<void> {
      try {
        await ctx.client.updateStatus(csrResource, { ...csr, status });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err; // a conflict: the newer version is enqueued again
      }
    }

    return {
      async reconcile(key) {
        const csr = csrs.store.get(key);
        if (!csr || csr.status?.certificate || !isApproved(csr) || hasTrueCondition(csr, 'Failed')) return;
        const check = signerChecks[csr.spec.signerName];
        if (!check) return;
        if (!certFile || !keyFile) {
          ctx.log.debug({ csr: key }, `${controllerName}: no --cluster-signing-cert-file/--cluster-signing-key-file, not signing`);
          return;
        }
        let parsed: ParsedRequest;
        try {
          parsed = parseRequest(requestPem(csr));
          check(parsed, csr.spec.usages ?? []);
        } catch (err) {
          const now = nowRfc3339();
          const failed = { type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: (err as Error).message, lastUpdateTime: now, lastTransitionTime: now };
          return write(csr, { ...csr.status, conditions: [...(csr.status?.conditions ?? []), failed] });
        }
        ca ??= loadCA(certFile, keyFile);
        const maxMs = ctx.options.clusterSigningDurationSeconds * 1000;
        const ttlMs = csr.spec.expirationSeconds ? Math.min(csr.spec.expirationSeconds * 1000, maxMs) : maxMs;
        const pem = await issueCertificate(await ca, parsed, csr.spec.usages ?? [], ttlMs);
        await write(csr, { ...csr.status, certificate: Buffer.from(pem).toString('base64') });
      },
    };
  },
};
