// Failures a worker retries, logged as one line per cause rather than one per retry. While
// the API server is down every informer and every periodic write fails again each backoff
// period; client-go's reflector logs each of those, which with kubelite's quiet defaults would
// be the only thing on the console, stack traces included. Here the first failure with a new
// cause is a warning (its message, no stack); the same cause again within a minute of the last
// is debug; a success (when the caller can tell) or a quiet minute ends the run.

/** The part of a pino logger this needs. */
export interface RetryLogger {
  warn(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

/** What a failure is, in one line: the error's code when it has one (ECONNREFUSED), else its message. */
export function failureCause(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  if (e && typeof e.code === 'string' && typeof e.message === 'string') return e.message.includes(e.code) ? e.message : `${e.code}: ${e.message}`;
  return err instanceof Error ? err.message : String(err);
}

export interface RetryReporter {
  /** Logs a failure (warn when its cause is new, debug when it repeats). */
  failed(err: unknown, fields?: object): void;
  /** Ends the current run of failures. */
  succeeded(): void;
}

const repeatWindowMs = 60_000;

export function retryReporter(log: RetryLogger, msg: string, now: () => number = Date.now): RetryReporter {
  let last: string | undefined;
  let lastAt = 0;
  return {
    failed(err, fields = {}) {
      const cause = failureCause(err);
      if (cause === last && now() - lastAt < repeatWindowMs) log.debug({ ...fields, err: cause }, msg);
      else log.warn({ ...fields, err: cause }, `${msg}; will retry`);
      last = cause;
      lastAt = now();
    },
    succeeded() {
      last = undefined;
    },
  };
}
