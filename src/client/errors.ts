// Non-2xx answers as values: an ApiError carries the server's metav1.Status, and the
// predicates mirror k8s.io/apimachinery/pkg/api/errors (IsNotFound, IsConflict, ...).
import type { Status } from '../api/types.ts';

export class ApiError extends Error {
  readonly status: Status;
  constructor(status: Status) {
    super(status.message || `the server responded with code ${status.code}`);
    this.name = 'ApiError';
    this.status = status;
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string {
    return this.status.reason ?? '';
  }

  /**
   * The error for a response body: the server's Status when it sent one, else one built from
   * the code alone, as client-go's NewGenericServerResponse does for proxies and load balancers.
   */
  static fromResponse(code: number, body: string): ApiError {
    const status = parseStatus(body);
    if (status) return new ApiError({ ...status, code: status.code || code });
    const reason = reasonForCode[code] ?? (code >= 500 ? 'InternalError' : 'Unknown');
    const message = body.trim() ? body.trim().slice(0, 1024) : `the server responded with code ${code}`;
    return new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code, reason, message });
  }
}

/** A Status object from JSON (an HTTP error body or a watch ERROR event), if it is one. */
export function parseStatus(body: string | unknown): Status | undefined {
  let value: unknown = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null || (value as { kind?: unknown }).kind !== 'Status') return undefined;
  return value as Status;
}

const reasonForCode: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

function hasReason(err: unknown, reason: string, code: number): boolean {
  if (!(err instanceof ApiError)) return false;
  // Like apierrors, trust the reason; fall back to the code when the server gave no reason.
  return err.reason ? err.reason === reason : err.code === code;
}

export function isNotFound(err: unknown): boolean {
  return hasReason(err, 'NotFound', 404);
}

export function isAlreadyExists(err: unknown): boolean {
  return hasReason(err, 'AlreadyExists', 409);
}

export function isConflict(err: unknown): boolean {
  return hasReason(err, 'Conflict', 409);
}

export function isInvalid(err: unknown): boolean {
  return hasReason(err, 'Invalid', 422);
}

/** 410: `Gone`, or `Expired` for a too-old resourceVersion or continue token (IsGone || IsResourceExpired). */
export function isGone(err: unknown): boolean {
  return err instanceof ApiError && (err.code === 410 || err.reason === 'Gone' || err.reason === 'Expired');
}

export function isTooManyRequests(err: unknown): boolean {
  return hasReason(err, 'TooManyRequests', 429);
}
