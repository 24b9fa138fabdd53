// certificates.k8s.io/v1 CertificateSigningRequest, as kube's pkg/registry/certificates:
// the requester's identity is recorded from the request (never from the body), the spec is
// fixed at creation (updates silently keep it), /approval writes the Approved/Denied
// conditions and /status the certificate and other conditions. `kubectl get csr` columns
// as kube's printCertificateSigningRequest.
import type { KubeObject } from '../../api/types.ts';
import { humanDuration } from '../../api/duration.ts';
import { deepCopy, nowTimestamp } from '../object-meta.ts';
import { allVerbs, type ResourceDef } from '../types.ts';
import { ageColumn, column } from './core-columns.ts';
import { validateCsrCreate, validateCsrUpdate } from './certificates-validation.ts';
import { arrayOf } from './podspec.ts';
import { docColumn, str } from './workload.ts';

type Condition = Record<string, unknown> & { type?: string; status?: string };

/** populateConditionTimestamps: a condition keeps its transition time while its type and status stay. */
function populateConditionTimestamps(csr: KubeObject, old: KubeObject | undefined): void {
  const now = nowTimestamp();
  for (const c of arrayOf(csr.status?.conditions) as Condition[]) {
    c.lastUpdateTime ||= now;
    if (c.lastTransitionTime) continue;
    const same = (arrayOf(old?.status?.conditions) as Condition[]).find((o) => o.type === c.type && o.status === c.status && o.lastTransitionTime);
    c.lastTransitionTime = same?.lastTransitionTime ?? now;
  }
}

/** preserveConditionInstances: the /status path may not touch Approved or Denied. */
function preserveConditions(csr: KubeObject, old: KubeObject, types: string[]): void {
  const kept = (arrayOf(csr.status?.conditions) as Condition[]).filter((c) => !types.includes(c.type ?? ''));
  const fromOld = (arrayOf(old.status?.conditions) as Condition[]).filter((c) => types.includes(c.type ?? ''));
  const all = [...kept, ...deepCopy(fromOld)];
  csr.status ??= {};
  if (all.length) csr.status.conditions = all;
  else delete csr.status.conditions;
}

/** extractCSRStatus: Denied over Approved over Pending, then Failed and Issued. */
function conditionSummary(csr: KubeObject): string {
  const types = new Set((arrayOf(csr.status?.conditions) as Condition[]).map((c) => c.type));
  let out = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) out += ',Failed';
  if (str(csr.status?.certificate)) out += ',Issued';
  return out;
}

const specDoc = (f: string): [string, string] => ['io.k8s.api.certificates.v1.CertificateSigningRequestSpec', f];

export const certificateSigningRequestResource: ResourceDef = {
  group: 'certificates.k8s.io', version: 'v1', kind: 'CertificateSigningRequest', plural: 'certificatesigningrequests',
  singular: 'certificatesigningrequest', shortNames: ['csr'], categories: [], namespaced: false, verbs: allVerbs,
  subresources: ['approval', 'status'],
  schema: 'io.k8s.api.certificates.v1.CertificateSigningRequest',
  columns: [
    ageColumn,
    docColumn('SignerName', 'string', specDoc('signerName'), (o) => str(o.spec?.signerName)),
    column('Requestor', 'string', 'Name of the user which made this request.', (o) => str(o.spec?.username)),
    docColumn('RequestedDuration', 'string', specDoc('expirationSeconds'),
      (o) => (typeof o.spec?.expirationSeconds === 'number' ? humanDuration(o.spec.expirationSeconds * 1000) : '<none>')),
    column('Condition', 'string', 'Current condition of the certificate signing request.', conditionSummary),
  ],
  strategy: {
    prepareForCreate: (csr, ctx) => {
      const user = ctx?.user;
      csr.spec ??= {};
      for (const k of ['username', 'uid', 'groups', 'extra']) delete csr.spec[k];
      if (user) {
        csr.spec.username = user.username;
        if (user.uid) csr.spec.uid = user.uid;
        if (user.groups.length) csr.spec.groups = [...user.groups];
        if (user.extra && Object.keys(user.extra).length) csr.spec.extra = deepCopy(user.extra);
      }
      // Be explicit that users cannot create pre-approved certificate requests.
      csr.status = {};
    },
    prepareForUpdate: (csr, old) => {
      csr.spec = deepCopy(old.spec);
      if (old.status === undefined) delete csr.status;
      else csr.status = deepCopy(old.status);
    },
    validate: validateCsrCreate,
    validateUpdate: (csr, old) => validateCsrUpdate(csr, old),
    status: {
      prepareForUpdate: (csr, old) => {
        preserveConditions(csr, old, ['Approved', 'Denied']);
        populateConditionTimestamps(csr, old);
      },
      validateUpdate: (csr, old) => validateCsrUpdate(csr, old, { allowSettingCertificate: true }),
    },
    approval: {
      prepareForUpdate: (csr, old) => {
        csr.status ??= {};
        if (old.status?.certificate === undefined) delete csr.status.certificate;
        else csr.status.certificate = old.status.certificate;
        populateConditionTimestamps(csr, old);
      },
      validateUpdate: (csr, old) => validateCsrUpdate(csr, old, { allowSettingApprovalConditions: true }),
    },
  },
};
