// Container logs on disk, laid out as the kubelet's /var/log/pods:
// <dir>/<namespace>_<pod>_<uid>/<container>/<restartCount>.log, each line in the CRI format
// containerd writes (`<RFC 3339 nano time> <stdout|stderr> <F|P> <text>`; P marks a partial
// line continued by the next). They outlive kubelite's restarts; the previous instance's file
// is `--previous`; a file over the size limit is rotated (kube's --container-log-max-size,
// 10Mi; one rotated file kept, and reads see the current file, as the kubelet's). Reads take
// the options of `pods/log`.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PodRef {
  metadata: { namespace?: string; name?: string; uid?: string };
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

export interface LogStoreOptions {
  /** Where pod log directories go (`<data-dir>/pods`); default a temporary directory removed by dispose(). */
  dir?: string;
  /** Bytes per log file before it is rotated (default 10 MiB, as kube's containerLogMaxSize). */
  maxBytes?: number;
}

export type LogStream = 'stdout' | 'stderr';

interface Instance {
  number: number;
  size: number;
  closed: boolean;
  /** A line begun but not ended, per stream (written once its newline comes, or at close). */
  partial: Record<LogStream, string>;
  waiters: Set<() => void>;
}

export function rfc3339Nano(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

export const defaultMaxLogBytes = 10 * 1024 * 1024;

export class LogStore {
  readonly dir: string;
  private readonly temporary: boolean;
  private readonly maxBytes: number;
  private readonly instances = new Map<string, Instance>();

  constructor(opts: LogStoreOptions = {}) {
    this.temporary = !opts.dir;
    this.dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'kubelite-pods-'));
    mkdirSync(this.dir, { recursive: true });
    this.maxBytes = opts.maxBytes ?? defaultMaxLogBytes;
  }

  /** Whole lines from stdout (the stage bundles' log lines). */
  append(pod: PodRef, container: string, lines: string[], at = new Date()): void {
    if (lines.length) this.write(pod, container, 'stdout', `${lines.join('\n')}\n`, at);
  }

  /** Output as a process writes it: complete lines are logged; a trailing partial line waits for its end. */
  write(pod: PodRef, container: string, stream: LogStream, text: string, at = new Date()): void {
    const inst = this.instance(pod, container);
    const pieces = (inst.partial[stream] + text).split('\n');
    inst.partial[stream] = pieces.pop()!;
    if (!pieces.length) return;
    const time = rfc3339Nano(at);
    this.appendRecords(pod, container, inst, pieces.map((p) => `${time} ${stream} F ${p}\n`).join(''));
  }

  /** A new instance of the container (a restart): the current file becomes `--previous`. */
  restart(pod: PodRef, container: string): void {
    const inst = this.instance(pod, container);
    this.flush(pod, container, inst);
    this.wake(inst);
    this.instances.set(key(pod, container), { number: inst.number + 1, size: 0, closed: false, partial: { stdout: '', stderr: '' }, waiters: new Set() });
    inst.closed = true;
  }

  /** The container stopped: a partial line is written out and followers finish. */
  close(pod: PodRef, container: string): void {
    const inst = this.instances.get(key(pod, container));
    if (!inst) return;
    this.flush(pod, container, inst);
    inst.closed = true;
    this.wake(inst);
  }

  /** The container runs (again, after a kubelite restart): follows wait for its output. */
  reopen(pod: PodRef, container: string): void {
    this.instance(pod, container).closed = false;
  }

  /** The pod is gone: its logs go with it, as the kubelet removes /var/log/pods/<pod>. */
  removePod(pod: PodRef): void {
    const prefix = `${podDirName(pod)}/`;
    for (const [k, inst] of this.instances) {
      if (!k.startsWith(prefix)) continue;
      inst.closed = true;
      this.wake(inst);
      this.instances.delete(k);
    }
    rmSync(join(this.dir, podDirName(pod)), { recursive: true, force: true });
  }

  /** Whether the container instance (or the previous one) has a log file. */
  has(pod: PodRef, container: string, previous = false): boolean {
    const inst = this.instance(pod, container);
    if (previous) return inst.number > 0 && existsSync(this.file(pod, container, inst.number - 1));
    return existsSync(this.file(pod, container, inst.number));
  }

  /** The log as text chunks (one per line); with follow, waits for more until closed or aborted. */
  async *read(pod: PodRef, container: string, opts: LogOptions = {}): AsyncGenerator<string> {
    const inst = this.instance(pod, container);
    const number = opts.previous ? inst.number - 1 : inst.number;
    if (number < 0) return;
    const path = this.file(pod, container, number);
    const since = opts.sinceTime ? Date.parse(opts.sinceTime) : opts.sinceSeconds ? Date.now() - opts.sinceSeconds * 1000 : undefined;
    let budget = opts.limitBytes ?? Infinity;
    const emit = function* (records: LogRecord[]): Generator<string> {
      for (const r of records) {
        if (budget <= 0) return;
        let text = opts.timestamps ? `${r.time} ${r.text}` : r.text;
        if (Buffer.byteLength(text) > budget) text = Buffer.from(text).subarray(0, budget).toString();
        budget -= Buffer.byteLength(text);
        yield text;
      }
    };
    let { records, offset } = readRecords(path, 0);
    if (since !== undefined) records = records.filter((r) => Date.parse(r.time) >= since);
    if (opts.tailLines !== undefined && opts.tailLines >= 0) records = opts.tailLines === 0 ? [] : records.slice(-opts.tailLines);
    yield* emit(records);
    if (!opts.follow || opts.previous) return;
    while (!opts.signal?.aborted && budget > 0) {
      const current = this.instances.get(key(pod, container));
      if (current !== inst) return; // restarted or removed: a follow ends with its container instance
      const size = existsSync(path) ? statSync(path).size : 0;
      if (size < offset) offset = 0; // rotated underneath: the new file from its start
      if (size > offset) {
        const next = readRecords(path, offset);
        offset = next.offset;
        yield* emit(next.records);
        continue;
      }
      if (inst.closed) return;
      await new Promise<void>((resolveWait) => {
        const done = () => {
          inst.waiters.delete(done);
          opts.signal?.removeEventListener('abort', done);
          resolveWait();
        };
        inst.waiters.add(done);
        opts.signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  /** Removes the temporary directory (when no dir was given). */
  dispose(): void {
    if (this.temporary) rmSync(this.dir, { recursive: true, force: true });
  }

  private instance(pod: PodRef, container: string): Instance {
    const k = key(pod, container);
    let inst = this.instances.get(k);
    if (!inst) {
      // After a restart of kubelite the newest file on disk is the current instance.
      const dir = join(this.dir, podDirName(pod), container);
      const numbers = existsSync(dir) ? readdirSync(dir).map((f) => /^(\d+)\.log$/.exec(f)).filter((m) => m).map((m) => Number(m![1])) : [];
      const number = numbers.length ? Math.max(...numbers) : 0;
      const path = this.file(pod, container, number);
      inst = { number, size: existsSync(path) ? statSync(path).size : 0, closed: false, partial: { stdout: '', stderr: '' }, waiters: new Set() };
      this.instances.set(k, inst);
    }
    return inst;
  }

  private flush(pod: PodRef, container: string, inst: Instance): void {
    const time = rfc3339Nano(new Date());
    let records = '';
    for (const stream of ['stdout', 'stderr'] as const) {
      if (inst.partial[stream]) records += `${time} ${stream} F ${inst.partial[stream]}\n`;
      inst.partial[stream] = '';
    }
    if (records) this.appendRecords(pod, container, inst, records);
  }

  private appendRecords(pod: PodRef, container: string, inst: Instance, records: string): void {
    const path = this.file(pod, container, inst.number);
    const bytes = Buffer.byteLength(records);
    if (inst.size > 0 && inst.size + bytes > this.maxBytes) {
      this.rotate(path);
      inst.size = 0;
    }
    mkdirSync(join(this.dir, podDirName(pod), container), { recursive: true });
    appendFileSync(path, records);
    inst.size += bytes;
    this.wake(inst);
  }

  /** N.log → N.log.<UTC time>, the older rotated file removed (one kept, so at most 2× the limit on disk). */
  private rotate(path: string): void {
    const dir = path.slice(0, path.lastIndexOf('/'));
    const base = path.slice(path.lastIndexOf('/') + 1);
    for (const f of readdirSync(dir)) if (f.startsWith(`${base}.`)) unlinkSync(join(dir, f));
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    renameSync(path, `${path}.${stamp}`);
  }

  private file(pod: PodRef, container: string, number: number): string {
    return join(this.dir, podDirName(pod), container, `${number}.log`);
  }

  private wake(inst: Instance): void {
    for (const w of [...inst.waiters]) w();
  }
}

interface LogRecord {
  time: string;
  text: string;
}

/** CRI records from byte `offset` of a file: partial (P) records joined to the line they begin. */
function readRecords(path: string, offset: number): { records: LogRecord[]; offset: number } {
  if (!existsSync(path)) return { records: [], offset };
  const data = readFileSync(path);
  const end = data.lastIndexOf(10) + 1;
  if (end <= offset) return { records: [], offset };
  const records: LogRecord[] = [];
  let pending: LogRecord | undefined;
  for (const line of data.subarray(offset, end).toString('utf8').split('\n')) {
    const m = /^(\S+) (stdout|stderr) (F|P) ?(.*)$/.exec(line);
    if (!m) continue;
    const text = m[3] === 'F' ? `${m[4]}\n` : m[4];
    if (pending) pending.text += text;
    else pending = { time: m[1], text };
    if (m[3] === 'F') {
      records.push(pending);
      pending = undefined;
    }
  }
  if (pending) records.push(pending);
  return { records, offset: end };
}

function podDirName(pod: PodRef): string {
  return `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`;
}

function key(pod: PodRef, container: string): string {
  return `${podDirName(pod)}/${container}`;
}
