// metav1.Status as kube-apiserver writes it: Go's struct field order (kind, apiVersion,
// metadata, status, message, reason, details, code), empty `omitempty` fields left out, and
// the newline json.Encoder ends every document with. Clients that print or compare server
// errors see kube's bytes.
import type { Status } from './types.ts';

type Details = NonNullable<Status['details']>;
type Cause = NonNullable<Details['causes']>[number];

function orderedCause(c: Cause): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (c.reason) out.reason = c.reason;
  if (c.message) out.message = c.message;
  if (c.field) out.field = c.field;
  return out;
}

function orderedDetails(d: Details): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (d.name) out.name = d.name;
  if (d.group) out.group = d.group;
  if (d.kind) out.kind = d.kind;
  if (d.uid) out.uid = d.uid;
  if (d.causes?.length) out.causes = d.causes.map(orderedCause);
  if (d.retryAfterSeconds) out.retryAfterSeconds = d.retryAfterSeconds;
  return out;
}

/** The JSON text of a Status, byte for byte as kube encodes it. */
export function encodeStatus(s: Partial<Status>): string {
  const out: Record<string, unknown> = { kind: 'Status', apiVersion: s.apiVersion ?? 'v1', metadata: s.metadata ?? {} };
  if (s.status) out.status = s.status;
  if (s.message) out.message = s.message;
  if (s.reason) out.reason = s.reason;
  if (s.details) out.details = orderedDetails(s.details);
  if (s.code) out.code = s.code;
  return `${JSON.stringify(out)}\n`;
}
