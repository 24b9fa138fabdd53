// certificates.k8s.io/v1 CertificateSigningRequest validation, as kube's
// pkg/apis/certificates/validation: the request must be a signed PKCS#10 CSR, the signer
// name a domain-qualified path, and the Approved/Denied/Failed conditions may only be added
// (Approved and Denied only through /approval), never removed; status.certificate is set
// once, only through /status. Tolerances for data already stored are kube's too.
import { X509Certificate } from 'node:crypto';
import { field, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { checkRequestSignature, parseCertificateRequest } from '../../api/pkcs10.ts';
import { jsonEqual } from '../object-meta.ts';
import { dns1123LabelMaxLength, dns1123SubdomainMaxLength, isDNS1123Label, isDNS1123Subdomain } from '../validation/names.ts';
import { arrayOf } from './podspec.ts';
import { str } from './workload.ts';

export const legacyUnknownSigner = 'kubernetes.io/legacy-unknown';

const validUsages = ['any', 'client auth', 'code signing', 'content commitment', 'crl sign', 'data encipherment', 'decipher only',
  'digital signature', 'email protection', 'encipher only', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'key agreement',
  'key encipherment', 'microsoft sgc', 'netscape sgc', 'ocsp signing', 's/mime', 'server auth', 'signing', 'timing'];
const trueOnlyConditions = ['Approved', 'Denied', 'Failed'];
const statusValues = ['False', 'True', 'Unknown'];

export interface CsrValidationOptions {
  allowSettingApprovalConditions?: boolean;
  allowSettingCertificate?: boolean;
}

interface Tolerances {
  bothApprovedAndDenied: boolean;
  legacySigner: boolean;
  duplicateConditionTypes: boolean;
  emptyConditionType: boolean;
  arbitraryCertificate: boolean;
  unknownUsages: boolean;
  duplicateUsages: boolean;
}

type Condition = { type?: string; status?: string };

const conditionsOf = (csr: KubeObject | undefined): Condition[] => arrayOf(csr?.status?.conditions) as Condition[];
const certificateOf = (csr: KubeObject | undefined): string => str(csr?.status?.certificate);

/** validateCertificate: only CERTIFICATE blocks that parse, at least one. */
function certificateError(b64: string): string | undefined {
  if (!b64) return undefined;
  const pem = Buffer.from(b64, 'base64').toString('latin1');
  const blocks = [...pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g)];
  if (blocks.length === 0) return 'must contain at least one CERTIFICATE PEM block';
  for (const [, type, body] of blocks) {
    if (type !== 'CERTIFICATE') return `only CERTIFICATE PEM blocks are allowed, found ${JSON.stringify(type)}`;
    if (/^[A-Za-z-]+:/m.test(body)) return 'no PEM block headers are permitted';
    try {
      new X509Certificate(Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64'));
    } catch {
      return 'x509: malformed certificate';
    }
  }
  return undefined;
}

function tolerancesFor(csr: KubeObject, old: KubeObject | undefined): Tolerances {
  const oldConds = conditionsOf(old);
  const oldTypes = oldConds.map((c) => c.type ?? '');
  const oldUsages = arrayOf(old?.spec?.usages) as string[];
  return {
    bothApprovedAndDenied: !!old && oldTypes.includes('Approved') && oldTypes.includes('Denied'),
    legacySigner: old?.spec?.signerName === legacyUnknownSigner,
    duplicateConditionTypes: !!old && new Set(oldTypes).size !== oldTypes.length,
    emptyConditionType: !!old && oldTypes.includes(''),
    arbitraryCertificate: !!old && (certificateOf(csr) === certificateOf(old) || certificateError(certificateOf(old)) !== undefined),
    unknownUsages: oldUsages.some((u) => !validUsages.includes(u)),
    duplicateUsages: new Set(oldUsages).size !== oldUsages.length,
  };
}

/** apivalidation.ValidateSignerName. */
export function validateSignerName(path: string, signerName: string): FieldError[] {
  if (!signerName) return [field.required(path, '')];
  const segments = signerName.split('/');
  if (segments.length !== 2) return [field.invalid(path, signerName, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const [domain, rest] = segments;
  const errs: FieldError[] = [];
  if (domain.length > dns1123SubdomainMaxLength) errs.push(field.tooLong(path, domain, dns1123SubdomainMaxLength));
  const domainLabels = domain.split('.');
  for (const lbl of domainLabels) {
    const msgs = isDNS1123Label(lbl);
    if (msgs.length === 0) continue;
    for (const msg of msgs) errs.push(field.invalid(path, domain, `validating label ${JSON.stringify(lbl)}: ${msg}`));
    break;
  }
  if (domainLabels.length < 2) errs.push(field.invalid(path, domain, 'should be a domain with at least two segments separated by dots'));
  for (const lbl of rest.split('.')) {
    const msgs = isDNS1123Subdomain(lbl);
    if (msgs.length === 0) continue;
    for (const msg of msgs) errs.push(field.invalid(path, rest, `validating label ${JSON.stringify(lbl)}: ${msg}`));
    break;
  }
  const max = dns1123SubdomainMaxLength + (dns1123SubdomainMaxLength + dns1123LabelMaxLength + 1) + 1;
  if (signerName.length > max) errs.push(field.tooLong(path, signerName, max));
  return errs;
}

function requestError(csr: KubeObject): string | undefined {
  try {
    checkRequestSignature(parseCertificateRequest(Buffer.from(str(csr.spec?.request), 'base64').toString('latin1')));
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function validateConditions(csr: KubeObject, tol: Tolerances): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  conditionsOf(csr).forEach((c, i) => {
    const path = `status.conditions[${i}]`;
    const type = c.type ?? '';
    if (!tol.emptyConditionType && type === '') errs.push(field.required(`${path}.type`, ''));
    const allowed = trueOnlyConditions.includes(type) ? ['True'] : statusValues;
    if (!c.status) errs.push(field.required(`${path}.status`, ''));
    else if (!allowed.includes(c.status)) errs.push(field.notSupported(`${path}.status`, c.status, allowed));
    if (!tol.bothApprovedAndDenied) {
      if (type === 'Approved') approved = true;
      if (type === 'Denied') denied = true;
      if ((type === 'Approved' && denied) || (type === 'Denied' && approved)) {
        errs.push(field.invalid(`${path}.type`, type, 'Approved and Denied conditions are mutually exclusive'));
      }
    }
    if (!tol.duplicateConditionTypes && seen.has(type)) errs.push(field.duplicate(`${path}.type`, type));
    seen.add(type);
  });
  return errs;
}

/** validateCertificateSigningRequest (metadata is checked by the generic store). */
function validateCsr(csr: KubeObject, tol: Tolerances): FieldError[] {
  const errs: FieldError[] = [];
  const spec = csr.spec ?? {};
  const reqErr = requestError(csr);
  if (reqErr) errs.push(field.invalid('spec.request', spec.request ?? '', reqErr));
  const usages = arrayOf(spec.usages) as string[];
  if (usages.length === 0) errs.push(field.required('spec.usages', ''));
  if (!tol.unknownUsages) {
    usages.forEach((u, i) => {
      if (!validUsages.includes(u)) errs.push(field.notSupported(`spec.usages[${i}]`, u, validUsages));
    });
  }
  if (!tol.duplicateUsages) {
    usages.forEach((u, i) => {
      if (usages.indexOf(u) < i) errs.push(field.duplicate(`spec.usages[${i}]`, u));
    });
  }
  const signer = str(spec.signerName);
  if (!tol.legacySigner && signer === legacyUnknownSigner) {
    errs.push(field.invalid('spec.signerName', signer, 'the legacy signerName is not allowed via this API version'));
  } else {
    errs.push(...validateSignerName('spec.signerName', signer));
  }
  if (typeof spec.expirationSeconds === 'number' && spec.expirationSeconds < 600) {
    errs.push(field.invalid('spec.expirationSeconds', spec.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  errs.push(...validateConditions(csr, tol));
  if (!tol.arbitraryCertificate) {
    const certErr = certificateError(certificateOf(csr));
    if (certErr) errs.push(field.invalid('status.certificate', '<certificate data>', certErr));
  }
  return errs;
}

export function validateCsrCreate(csr: KubeObject): FieldError[] {
  return validateCsr(csr, tolerancesFor(csr, undefined));
}

/** validateCertificateSigningRequestUpdate; `opts` opens what /approval and /status may change. */
export function validateCsrUpdate(csr: KubeObject, old: KubeObject, opts: CsrValidationOptions = {}): FieldError[] {
  const errs = validateCsr(csr, tolerancesFor(csr, old));
  const ofType = (o: KubeObject, t: string) => conditionsOf(o).filter((c) => c.type === t);
  for (const t of trueOnlyConditions) {
    if (ofType(csr, t).length < ofType(old, t).length) {
      errs.push(field.forbidden('status.conditions', `updates may not remove a condition of type ${JSON.stringify(t)}`));
    }
  }
  if (!opts.allowSettingApprovalConditions) {
    for (const t of ['Approved', 'Denied']) {
      const before = ofType(old, t);
      const after = ofType(csr, t);
      if (after.length > before.length) errs.push(field.forbidden('status.conditions', `updates may not add a condition of type ${JSON.stringify(t)}`));
      else if (after.length === before.length && !jsonEqual(after, before)) {
        errs.push(field.forbidden('status.conditions', `updates may not modify a condition of type ${JSON.stringify(t)}`));
      }
    }
  }
  if (certificateOf(csr) !== certificateOf(old)) {
    if (!opts.allowSettingCertificate) errs.push(field.forbidden('status.certificate', 'updates may not set certificate content'));
    else if (certificateOf(old)) errs.push(field.forbidden('status.certificate', 'updates may not modify existing certificate content'));
  }
  return errs;
}
