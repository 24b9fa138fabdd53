// The CSR cleaner (kube-controller-manager's `certificatesigningrequest-cleaner-controller`,
// pkg/controller/certificates/cleaner): every hour, deletes requests that are done with —
// approved and issued, denied or failed more than an hour ago (by the condition's
// lastUpdateTime), pending for more than a day, or whose issued certificate has expired.
import { X509Certificate } from 'node:crypto';
import { isNotFound } from '../../client/index.ts';
import type { ControllerDefinition } from '../types.ts';
import { periodicPass } from '../clock.ts';
import { csrResource, type CertificateSigningRequest } from './types.ts';

export const controllerName = 'certificatesigningrequest-cleaner-controller';
const approvedExpirationMs = 3600_000;
const deniedExpirationMs = 3600_000;
const pendingExpirationMs = 24 * 3600_000;
const passKey = 'clean';

/** Whether the request is past its deadline at `now`. */
export function isDone(csr: CertificateSigningRequest, now: number): boolean {
  const condition = (type: string) => csr.status?.conditions?.find((c) => c.type === type && c.status === 'True');
  const older = (c: { lastUpdateTime?: string } | undefined, ms: number) => !!c && Date.parse(c.lastUpdateTime ?? '') + ms < now;
  if (csr.status?.certificate) {
    try {
      const cert = new X509Certificate(Buffer.from(csr.status.certificate, 'base64'));
      if (Date.parse(cert.validTo) < now) return true; // isIssuedExpired
    } catch { /* unparsable: judged by its conditions */ }
    if (older(condition('Approved'), approvedExpirationMs)) return true; // isIssuedPastDeadline
  }
  if (older(condition('Denied'), deniedExpirationMs) || older(condition('Failed'), deniedExpirationMs)) return true;
  const pending = !csr.status?.certificate && !condition('Approved') && !condition('Denied') && !condition('Failed');
  return pending && Date.parse(csr.metadata.creationTimestamp ?? '') + pendingExpirationMs < now;
}

export const csrCleanerController: ControllerDefinition = {
  name: controllerName,
  aliases: ['csrcleaner'],
  workers: () => 1,
  setup(ctx, queue) {
    const csrs = ctx.factory.informerFor(csrResource);
    const passes = periodicPass(ctx.clock, ctx.options.csrCleanerPeriodSeconds * 1000, () => queue.add(passKey));
    return {
      start: passes.start,
      stop: passes.stop,
      async reconcile() {
        const now = ctx.clock.now();
        for (const csr of csrs.store.list()) {
          if (!isDone(csr, now)) continue;
          ctx.log.info({ csr: csr.metadata.name }, `${controllerName}: deleting finished CertificateSigningRequest`);
          try {
            await ctx.client.delete(csrResource, csr.metadata.name!, { preconditions: { uid: csr.metadata.uid } });
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        }
      },
    };
  },
};
