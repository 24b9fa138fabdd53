// The one catalogue of API errors. Every failure that reaches a client is a StatusError,
// rendered as a metav1.Status with the code, reason and message kube-apiserver uses
// (k8s.io/apimachinery/pkg/api/errors).
import type { Status, StatusCause, StatusDetails } from './types.ts';

export class StatusError extends Error {
  readonly status: Status;
  constructor(code: number, reason: string, message: string, details?: StatusDetails) {
    super(message);
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
    if (details) this.status.details = details;
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string {
    return this.status.reason ?? '';
  }
}

/** A resource named as kube names it in messages: `pods`, `deployments.apps`. */
export interface GroupResource {
  group: string;
  resource: string;
}

export function qualifiedResource(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource;
}

export function isStatusError(err: unknown, reason?: string): err is StatusError {
  return err instanceof StatusError && (reason === undefined || err.reason === reason);
}

export const errors = {
  notFound(gr: GroupResource, name: string): StatusError {
    return new StatusError(404, 'NotFound', `${qualifiedResource(gr)} "${name}" not found`, {
      name, group: gr.group || undefined, kind: gr.resource,
    });
  },
  alreadyExists(gr: GroupResource, name: string): StatusError {
    return new StatusError(409, 'AlreadyExists', `${qualifiedResource(gr)} "${name}" already exists`, {
      name, group: gr.group || undefined, kind: gr.resource,
    });
  },
  conflict(gr: GroupResource, name: string, why: string): StatusError {
    return new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${why}`, {
      name, group: gr.group || undefined, kind: gr.resource,
    });
  },
  /** A stale resourceVersion on update, worded as kube-apiserver's OptimisticLockErrorMsg. */
  optimisticLock(gr: GroupResource, name: string): StatusError {
    return errors.conflict(gr, name, 'the object has been modified; please apply your changes to the latest version and try again');
  },
  invalid(kind: string, group: string, name: string, fieldErrors: FieldError[]): StatusError {
    const qualifiedKind = group ? `${kind}.${group}` : kind;
    const rendered = fieldErrors.map(renderFieldError);
    const summary = rendered.length === 1 ? rendered[0] : `[${rendered.join(', ')}]`;
    const causes: StatusCause[] = fieldErrors.map((fe) => ({ reason: fe.type, message: fieldErrorBody(fe), field: fe.field }));
    return new StatusError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${summary}`, {
      name, group: group || undefined, kind, causes,
    });
  },
  badRequest(message: string, causes?: StatusCause[]): StatusError {
    return new StatusError(400, 'BadRequest', message, causes ? { causes } : undefined);
  },
  forbidden(gr: GroupResource, name: string, why: string): StatusError {
    const subject = name ? `${qualifiedResource(gr)} "${name}"` : qualifiedResource(gr);
    return new StatusError(403, 'Forbidden', `${subject} is forbidden: ${why}`, {
      name: name || undefined, group: gr.group || undefined, kind: gr.resource,
    });
  },
  /** kube-apiserver's answer to missing or bad credentials where anonymous access is off or not enough. */
  unauthorized(): StatusError {
    return new StatusError(401, 'Unauthorized', 'Unauthorized');
  },
  methodNotAllowed(): StatusError {
    return new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
  },
  notAcceptable(message = 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf'): StatusError {
    return new StatusError(406, 'NotAcceptable', message);
  },
  unsupportedMediaType(contentType: string, accepted: string[]): StatusError {
    return new StatusError(415, 'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
      contentType ? { causes: [{ reason: 'UnexpectedServerResponse', message: contentType }] } : undefined);
  },
  requestEntityTooLarge(limit: number): StatusError {
    return new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
  },
  /** 410 for a watch or list from a revision older than the retained history. */
  expired(message: string): StatusError {
    return new StatusError(410, 'Expired', message);
  },
  gone(message: string): StatusError {
    return new StatusError(410, 'Gone', message);
  },
  tooOldResourceVersion(requested: number, oldest: number): StatusError {
    return errors.expired(`too old resource version: ${requested} (${oldest})`);
  },
  continueExpired(): StatusError {
    return errors.expired('The provided continue parameter is too old to display a consistent list result. ' +
      'You can start a new list without the continue parameter, or use the continue token in this response to ' +
      'retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - ' +
      'objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
  },
  notFoundPath(): StatusError {
    return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
  },
  timeout(message: string, retryAfterSeconds = 1): StatusError {
    return new StatusError(504, 'Timeout', message, { retryAfterSeconds });
  },
  tooManyRequests(message: string, retryAfterSeconds = 1): StatusError {
    return new StatusError(429, 'TooManyRequests', message, { retryAfterSeconds });
  },
  internal(message: string): StatusError {
    return new StatusError(500, 'InternalError', `Internal error occurred: ${message}`, {
      causes: [{ message }],
    });
  },
};

// ---- field errors (k8s.io/apimachinery/pkg/util/validation/field) ----

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueTypeInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueForbidden'
  | 'FieldValueDuplicate'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueNotFound'
  | 'InternalError';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  badValue?: unknown;
  detail?: string;
  /** For NotSupported: the values that would have been accepted. */
  supported?: string[];
}

export const field = {
  required(path: string, detail = ''): FieldError {
    return { type: 'FieldValueRequired', field: path, detail };
  },
  invalid(path: string, value: unknown, detail: string): FieldError {
    return { type: 'FieldValueInvalid', field: path, badValue: value, detail };
  },
  notSupported(path: string, value: unknown, supported: string[]): FieldError {
    return { type: 'FieldValueNotSupported', field: path, badValue: value, supported };
  },
  forbidden(path: string, detail: string): FieldError {
    return { type: 'FieldValueForbidden', field: path, detail };
  },
  duplicate(path: string, value: unknown): FieldError {
    return { type: 'FieldValueDuplicate', field: path, badValue: value };
  },
  tooLong(path: string, value: unknown, max: number): FieldError {
    return { type: 'FieldValueTooLong', field: path, badValue: value, detail: `may not be more than ${max} bytes` };
  },
  tooMany(path: string, actual: number, max: number): FieldError {
    return { type: 'FieldValueTooMany', field: path, badValue: actual, detail: `must have at most ${max} items` };
  },
  notFound(path: string, value: unknown): FieldError {
    return { type: 'FieldValueNotFound', field: path, badValue: value };
  },
};

/** Renders a bad value the way Go's %#v-ish formatting in field.Error does. */
function renderValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  // A value that carries its Go rendering (map[string]string{...}, v1.LabelSelector{...}) prints as kube prints it.
  if (typeof value === 'object' && 'goString' in value) return String((value as { goString: unknown }).goString);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

const typeWords: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueNotFound: 'Not found',
  InternalError: 'Internal error',
};

/** The message without the field path, as it appears in a Status cause. */
export function fieldErrorBody(fe: FieldError): string {
  const word = typeWords[fe.type];
  switch (fe.type) {
    case 'FieldValueRequired':
    case 'FieldValueForbidden':
    case 'FieldValueTooLong':
    case 'InternalError':
      return fe.detail ? `${word}: ${fe.detail}` : word;
    case 'FieldValueNotSupported': {
      const supported = (fe.supported ?? []).map((s) => JSON.stringify(s)).join(', ');
      return `${word}: ${renderValue(fe.badValue)}` + (supported ? `: supported values: ${supported}` : '');
    }
    case 'FieldValueTooMany':
      return `${word}: ${renderValue(fe.badValue)}: ${fe.detail ?? ''}`;
    default:
      return `${word}: ${renderValue(fe.badValue)}` + (fe.detail ? `: ${fe.detail}` : '');
  }
}

export function renderFieldError(fe: FieldError): string {
  return `${fe.field}: ${fieldErrorBody(fe)}`;
}
