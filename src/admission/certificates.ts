// kube's certificates admission plugins (plugin/pkg/admission/certificates):
// CertificateApproval — approving or denying a CSR through /approval needs `approve` on
// `signers` for its signerName; CertificateSigning — setting status.certificate through
// /status needs `sign`; CertificateSubjectRestriction — no kubernetes.io/kube-apiserver-client
// request for the system:masters group. Both authorizations accept the signer's wildcard
// name `<domain>/*`, as certificates.IsAuthorizedForSignerName does.
import { errors } from '../api/errors.ts';
import type { Authorizer } from '../api/authorization.ts';
import type { AdmissionAttributes, AdmissionPlugin } from '../registry/admission.ts';

const group = 'certificates.k8s.io';

/** The server's authorizer, read per request: it exists only once serving is prepared. */
type AuthorizerSource = () => Authorizer | undefined;

async function authorizedForSigner(authorization: AuthorizerSource, attrs: AdmissionAttributes, verb: string, signerName: string): Promise<boolean> {
  const authorizer = authorization();
  if (!authorizer) return true; // no authorization configured: every request is allowed
  const ask = (name: string) => authorizer.authorize({
    user: attrs.user, verb, resourceRequest: true, path: '', apiGroup: group, apiVersion: '*', resource: 'signers', name,
  });
  if ((await ask(signerName)).decision === 'Allow') return true;
  const domain = signerName.split('/')[0];
  return (await ask(`${domain}/*`)).decision === 'Allow';
}

const isCSR = (attrs: AdmissionAttributes) => attrs.def.group === group && attrs.def.plural === 'certificatesigningrequests';
const forbidden = (attrs: AdmissionAttributes, why: string) => errors.forbidden({ group, resource: 'certificatesigningrequests' }, attrs.name, why);

/** The request's organizations; @peculiar/x509 (~60 ms to load) is loaded with the first CSR, not at start-up. */
async function organizations(requestB64: string): Promise<string[]> {
  await import('reflect-metadata');
  const x509 = await import('@peculiar/x509');
  try {
    return new x509.Pkcs10CertificateRequest(Buffer.from(requestB64, 'base64').toString('latin1')).subjectName.getField('O');
  } catch {
    return []; // an unparsable request is refused by validation
  }
}

export function certificatesPlugins(authorization: AuthorizerSource): AdmissionPlugin[] {
  return [
    {
      name: 'CertificateApproval',
      async validate(attrs) {
        if (!isCSR(attrs) || attrs.subresource !== 'approval' || attrs.operation !== 'UPDATE') return;
        const signer = String(attrs.oldObject?.spec?.signerName ?? '');
        if (!(await authorizedForSigner(authorization, attrs, 'approve', signer))) {
          throw forbidden(attrs, `user not permitted to approve requests with signerName ${JSON.stringify(signer)}`);
        }
      },
    },
    {
      name: 'CertificateSigning',
      async validate(attrs) {
        if (!isCSR(attrs) || attrs.subresource !== 'status' || attrs.operation !== 'UPDATE') return;
        // Only a change of the certificate needs `sign` (conditions such as Failed do not).
        if ((attrs.object?.status?.certificate ?? '') === (attrs.oldObject?.status?.certificate ?? '')) return;
        const signer = String(attrs.oldObject?.spec?.signerName ?? '');
        if (!(await authorizedForSigner(authorization, attrs, 'sign', signer))) {
          throw forbidden(attrs, `user not permitted to sign requests with signerName ${JSON.stringify(signer)}`);
        }
      },
    },
    {
      name: 'CertificateSubjectRestriction',
      async validate(attrs) {
        if (!isCSR(attrs) || attrs.subresource || attrs.operation !== 'CREATE') return;
        if (attrs.object?.spec?.signerName !== 'kubernetes.io/kube-apiserver-client') return;
        if ((await organizations(String(attrs.object.spec.request ?? ''))).includes('system:masters')) {
          throw forbidden(attrs, 'use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed');
        }
      },
    },
  ];
}
