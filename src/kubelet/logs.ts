// Container logs as the kubelet's CRI log files would hold them: per container instance,
// timestamped lines, the previous instance kept for `--previous`; read with the options of
// `pods/log` (tailLines, sinceSeconds/sinceTime, timestamps, limitBytes, follow).

export interface LogLine {
  /** RFC 3339 with nanoseconds, as `kubectl logs --timestamps` prints. */
  time: string;
  text: string;
}

export interface LogOptions {
  follow?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  sinceTime?: string;
  timestamps?: boolean;
  previous?: boolean;
  limitBytes?: number;
  /** Ends a follow (and an unfinished read). */
  signal?: AbortSignal;
}

interface ContainerLog {
  lines: LogLine[];
  previous?: LogLine[];
  /** Set when the container stopped: a follow ends once it has read everything. */
  closed: boolean;
  waiters: Set<() => void>;
}

/** Lines kept per container instance (older lines are dropped, as log rotation would). */
const maxLines = 10_000;

export function rfc3339Nano(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export class LogStore {
  private readonly logs = new Map<string, ContainerLog>();

  append(namespace: string, pod: string, container: string, lines: string[], at = new Date()): void {
    const log = this.entry(namespace, pod, container);
    for (const text of lines) log.lines.push({ time: rfc3339Nano(at), text });
    if (log.lines.length > maxLines) log.lines.splice(0, log.lines.length - maxLines);
    this.wake(log);
  }

  /** A new instance of the container (a restart): its lines become the previous instance's. */
  restart(namespace: string, pod: string, container: string): void {
    const log = this.entry(namespace, pod, container);
    log.previous = log.lines;
    log.lines = [];
    log.closed = false;
  }

  /** The container stopped: followers finish. */
  close(namespace: string, pod: string, container: string): void {
    const log = this.logs.get(key(namespace, pod, container));
    if (!log) return;
    log.closed = true;
    this.wake(log);
  }

  /** The pod is gone: its logs go with it. */
  removePod(namespace: string, pod: string): void {
    const prefix = `${namespace}/${pod}/`;
    for (const [k, log] of this.logs) {
      if (!k.startsWith(prefix)) continue;
      log.closed = true;
      this.wake(log);
      this.logs.delete(k);
    }
  }

  has(namespace: string, pod: string, container: string): boolean {
    return this.logs.has(key(namespace, pod, container));
  }

  /** The log as text chunks (one per line, newline-terminated); with follow, waits for more until closed or aborted. */
  async *read(namespace: string, pod: string, container: string, opts: LogOptions = {}): AsyncGenerator<string> {
    const log = this.entry(namespace, pod, container);
    const source = opts.previous ? log.previous ?? [] : log.lines;
    const since = opts.sinceTime ? Date.parse(opts.sinceTime) : opts.sinceSeconds ? Date.now() - opts.sinceSeconds * 1000 : undefined;
    let selected = since === undefined ? source : source.filter((l) => Date.parse(l.time) >= since);
    if (opts.tailLines !== undefined && opts.tailLines >= 0) selected = opts.tailLines === 0 ? [] : selected.slice(-opts.tailLines);
    let budget = opts.limitBytes ?? Infinity;
    const format = (l: LogLine) => (opts.timestamps ? `${l.time} ${l.text}\n` : `${l.text}\n`);
    const emit = function* (lines: LogLine[]): Generator<string> {
      for (const l of lines) {
        if (budget <= 0) return;
        let text = format(l);
        if (Buffer.byteLength(text) > budget) text = Buffer.from(text).subarray(0, budget).toString();
        budget -= Buffer.byteLength(text);
        yield text;
      }
    };
    // Follow continues after what was there at the start, counted in lines of this instance.
    let next = source.length;
    const instance = log.lines;
    yield* emit(selected);
    if (!opts.follow || opts.previous) return;
    while (!opts.signal?.aborted && budget > 0) {
      if (log.lines !== instance) return; // restarted: a follow ends with its container instance
      if (next < log.lines.length) {
        const fresh = log.lines.slice(next);
        next = log.lines.length;
        yield* emit(fresh);
        continue;
      }
      if (log.closed || !this.logs.has(key(namespace, pod, container))) return;
      await new Promise<void>((resolveWait) => {
        const done = () => {
          log.waiters.delete(done);
          opts.signal?.removeEventListener('abort', done);
          resolveWait();
        };
        log.waiters.add(done);
        opts.signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  private entry(namespace: string, pod: string, container: string): ContainerLog {
    const k = key(namespace, pod, container);
    let log = this.logs.get(k);
    if (!log) this.logs.set(k, (log = { lines: [], closed: false, waiters: new Set() }));
    return log;
  }

  private wake(log: ContainerLog): void {
    for (const w of [...log.waiters]) w();
  }
}

function key(namespace: string, pod: string, container: string): string {
  return `${namespace}/${pod}/${container}`;
}
