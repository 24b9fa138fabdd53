// Request bodies in Kubernetes' protobuf encoding (application/vnd.kubernetes.protobuf), as
// kubectl's typed commands send them (`create configmap|deployment|secret ...`, drain's
// evictions): the magic `k8s\x00`, then a runtime.Unknown envelope {typeMeta = 1 {apiVersion = 1,
// kind = 2}, raw = 2, contentEncoding = 3, contentType = 4} whose raw bytes are the typed
// message. Decoded into the JSON object a JSON body for the same Go value would be, so the
// rest of the request pipeline cannot tell the two apart
// (k8s.io/apimachinery/pkg/runtime/serializer/protobuf).
import { errors, isStatusError, type StatusError } from '../../api/errors.ts';
import { definitionForKind } from './fields.ts';
import { MessageDecoder } from './message.ts';
import { ProtoError, WIRE_BYTES, expectWire, readFields } from './reader.ts';
import { protobufMagic } from './special.ts';

export const protobufMediaType = 'application/vnd.kubernetes.protobuf';

/** Whether a Content-Type (parameters allowed) names the Kubernetes protobuf encoding. */
export function isProtobufMediaType(contentType: string | undefined): boolean {
  // Parsed here rather than with negotiate.ts's mediaTypeOf, which will import this module.
  return (contentType ?? '').split(';')[0].trim().toLowerCase() === protobufMediaType;
}

export interface ExpectedKind {
  apiVersion: string;
  kind: string;
}

interface Envelope {
  apiVersion: string;
  kind: string;
  raw: Buffer;
}

/**
 * The JSON object a protobuf request body encodes, with `apiVersion` and `kind` from its
 * envelope (filled in from `expected`, the kind the URL serves, when the envelope leaves them
 * empty, as kube's decoder does). An empty body gives undefined, as an empty JSON body does.
 * Malformed input throws a 400 StatusError worded as kube-apiserver's.
 */
export function decodeKubernetesProtobuf(body: Buffer, expected?: ExpectedKind): unknown {
  if (body.length === 0) return undefined;
  // One decoder per request, shared with nested envelopes (a RawExtension holding an object).
  const decoder: MessageDecoder = new MessageDecoder((buf) => decodeEnvelope(buf, undefined, decoder));
  return decodeEnvelope(body, expected, decoder);
}

function decodeEnvelope(body: Buffer, expected: ExpectedKind | undefined, decoder: MessageDecoder): unknown {
  const unrecognized = (why: string): StatusError => errors.badRequest(expected
    ? `the object provided is unrecognized (must be of type ${expected.kind}): ${why} (${summarize(body)})`
    : `the body of the request was in an unknown format: ${why}`);
  if (!body.subarray(0, 4).equals(protobufMagic)) {
    throw unrecognized(`provided data does not appear to be a protobuf message, expected prefix [${[...protobufMagic].join(' ')}]`);
  }
  if (body.length === protobufMagic.length) throw unrecognized('empty body');
  let envelope: Envelope;
  try {
    envelope = readEnvelope(body.subarray(protobufMagic.length));
  } catch (err) {
    throw unrecognized(messageOf(err));
  }
  const apiVersion = envelope.apiVersion || expected?.apiVersion || '';
  const kind = envelope.kind || expected?.kind || '';
  if (!kind || !apiVersion) {
    const missing = kind ? 'Version' : 'Kind';
    throw unrecognized(`Object '${missing}' is missing in '${typeMetaString(envelope)}'`);
  }
  const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
  const cannotHandle = (why: string): StatusError =>
    errors.badRequest(`${kind} in version "${version}" cannot be handled as a ${expected?.kind ?? kind}: ${why}`);
  const definition = definitionForKind(apiVersion, kind);
  if (!definition) {
    throw cannotHandle(`no kind "${kind}" is registered for version "${apiVersion}" in scheme "pkg/api/legacyscheme/scheme.go:30"`);
  }
  try {
    return { apiVersion, kind, ...decoder.message(envelope.raw, definition) };
  } catch (err) {
    throw cannotHandle(messageOf(err));
  }
}

function readEnvelope(buf: Buffer): Envelope {
  const envelope: Envelope = { apiVersion: '', kind: '', raw: Buffer.alloc(0) };
  readFields(buf, 'Unknown', (r, tag) => {
    if (tag.field === 1) {
      expectWire(tag, WIRE_BYTES, 'TypeMeta');
      readFields(r.bytes(), 'TypeMeta', (t, inner) => {
        if (inner.field !== 1 && inner.field !== 2) return false;
        expectWire(inner, WIRE_BYTES, inner.field === 1 ? 'APIVersion' : 'Kind');
        envelope[inner.field === 1 ? 'apiVersion' : 'kind'] = t.bytes().toString('utf8');
        return true;
      });
      return true;
    }
    if (tag.field === 2) {
      expectWire(tag, WIRE_BYTES, 'Raw');
      envelope.raw = r.bytes();
      return true;
    }
    return false; // contentEncoding and contentType: kube's decoder does not look at them either
  });
  return envelope;
}

/** The reason for a failed decode; a nested envelope's StatusError passes through as it is. */
function messageOf(err: unknown): string {
  if (err instanceof ProtoError) return err.message;
  if (isStatusError(err) || !(err instanceof Error)) throw err;
  return err.message; // e.g. a RangeError: whatever the input, a 400, never a crash
}

/** Go's %#v of a runtime.TypeMeta, as kube's missing-kind error prints it. */
function typeMetaString(e: Envelope): string {
  return `runtime.TypeMeta{APIVersion:${JSON.stringify(e.apiVersion)}, Kind:${JSON.stringify(e.kind)}}`;
}

/** kube-apiserver's summarizeData: the first 30 bytes, as text if JSON-looking, else hex. */
function summarize(data: Buffer): string {
  const head = data.subarray(0, 30);
  const more = data.length > 30 ? ' ...' : '';
  return data[0] === 0x7b ? `${head.toString('utf8')}${more}` : `${head.toString('hex')}${more}`;
}
