// pods/log and pods/exec across a thread boundary. The server's thread holds a
// RemotePodRuntime; the kubelet's thread answers with serveRuntime. Messages (structured
// clone, over the worker's MessagePort):
//   server → kubelet  { type: 'call', id, method: 'logs', args: [ns, pod, container, opts] }
//                     { type: 'call', id, method: 'exec', args: [ns, pod, container, command, opts] }
//                     { type: 'cancel', id }                       ends a follow
//   kubelet → server  { type: 'result', id, value? }               exec's result; for logs: the stream is open
//                     { type: 'chunk', id, data }                  log text, whole lines
//                     { type: 'end', id }                          the log stream is over
//                     { type: 'error', id, error: { code, reason, message } }
import type { ExecOptions, ExecResult, LogOptions, PodRuntime } from '../kubelet/runtime.ts';
import { RuntimeError } from '../kubelet/runtime.ts';

export type RuntimeRequest =
  | { type: 'call'; id: number; method: 'logs'; args: [string, string, string | undefined, Omit<LogOptions, 'signal'>] }
  | { type: 'call'; id: number; method: 'exec'; args: [string, string, string | undefined, string[], ExecOptions] }
  | { type: 'cancel'; id: number };

export type RuntimeResponse =
  | { type: 'result'; id: number; value?: ExecResult }
  | { type: 'chunk'; id: number; data: string }
  | { type: 'end'; id: number }
  | { type: 'error'; id: number; error: { code: number; reason: string; message: string } };

/** The port-like thing both sides talk through (a Worker, parentPort or MessagePort). */
export interface MessageTarget {
  postMessage(message: unknown): void;
}

export function isRuntimeRequest(msg: unknown): msg is RuntimeRequest {
  const type = (msg as { type?: unknown } | null)?.type;
  return type === 'call' || type === 'cancel';
}

export function isRuntimeResponse(msg: unknown): msg is RuntimeResponse {
  const type = (msg as { type?: unknown } | null)?.type;
  return type === 'result' || type === 'chunk' || type === 'end' || type === 'error';
}

function errorOf(err: unknown): { code: number; reason: string; message: string } {
  if (err instanceof RuntimeError) return { code: err.code, reason: err.reason, message: err.message };
  return { code: 500, reason: 'InternalError', message: err instanceof Error ? err.message : String(err) };
}

/** Kubelet side: answers requests with a local runtime. Returns the message handler to feed. */
export function serveRuntime(port: MessageTarget, runtime: PodRuntime): (msg: RuntimeRequest) => void {
  const follows = new Map<number, AbortController>();
  return (msg) => {
    if (msg.type === 'cancel') {
      follows.get(msg.id)?.abort();
      return;
    }
    const { id } = msg;
    void (async () => {
      try {
        if (msg.method === 'exec') {
          port.postMessage({ type: 'result', id, value: await runtime.exec(...msg.args) });
          return;
        }
        const abort = new AbortController();
        follows.set(id, abort);
        const [ns, pod, container, opts] = msg.args;
        const stream = await runtime.logs(ns, pod, container, { ...opts, signal: abort.signal });
        port.postMessage({ type: 'result', id });
        for await (const data of stream) {
          if (abort.signal.aborted) break;
          port.postMessage({ type: 'chunk', id, data });
        }
        port.postMessage({ type: 'end', id });
      } catch (err) {
        port.postMessage({ type: 'error', id, error: errorOf(err) });
      } finally {
        follows.delete(id);
      }
    })();
  };
}

interface Call {
  onResult(value?: ExecResult): void;
  onChunk(data: string): void;
  onEnd(): void;
  onError(err: RuntimeError): void;
}

/**
 * Server side: a PodRuntime whose calls go to whichever kubelet thread is current (`port()`
 * answers undefined while it restarts: then calls fail with 503, as an unreachable kubelet).
 */
export class RemotePodRuntime implements PodRuntime {
  private nextId = 1;
  private readonly calls = new Map<number, Call>();

  constructor(private readonly port: () => MessageTarget | undefined) {}

  /** Feed every response from the kubelet thread here. */
  handle(msg: RuntimeResponse): void {
    const call = this.calls.get(msg.id);
    if (!call) return;
    switch (msg.type) {
      case 'result': return call.onResult(msg.value);
      case 'chunk': return call.onChunk(msg.data);
      case 'end':
        this.calls.delete(msg.id);
        return call.onEnd();
      case 'error':
        this.calls.delete(msg.id);
        return call.onError(new RuntimeError(msg.error.code, msg.error.reason, msg.error.message));
    }
  }

  /** The kubelet thread went away: every open call fails, every follow ends. */
  disconnect(): void {
    const calls = [...this.calls.values()];
    this.calls.clear();
    for (const call of calls) call.onError(unavailable());
  }

  exec(namespace: string, pod: string, container: string | undefined, command: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    return new Promise((resolveExec, reject) => {
      const id = this.send({ method: 'exec', args: [namespace, pod, container, command, opts] }, {
        onResult: (value) => {
          this.calls.delete(id);
          resolveExec(value!);
        },
        onChunk: () => undefined,
        onEnd: () => undefined,
        onError: reject,
      });
    });
  }

  logs(namespace: string, pod: string, container: string | undefined, opts: LogOptions = {}): Promise<AsyncIterable<string>> {
    const { signal, ...plain } = opts;
    const chunks: string[] = [];
    let ended = false;
    let failure: RuntimeError | undefined;
    let wake: (() => void) | undefined;
    const notify = () => {
      wake?.();
      wake = undefined;
    };
    return new Promise((resolveLogs, reject) => {
      let opened = false;
      const id = this.send({ method: 'logs', args: [namespace, pod, container, plain] }, {
        onResult: () => {
          opened = true;
          resolveLogs(iterate());
        },
        onChunk: (data) => {
          chunks.push(data);
          notify();
        },
        onEnd: () => {
          ended = true;
          notify();
        },
        onError: (err) => {
          if (!opened) return reject(err);
          failure = err;
          ended = true;
          notify();
        },
      });
      const cancel = () => {
        this.port()?.postMessage({ type: 'cancel', id });
        ended = true;
        this.calls.delete(id);
        notify();
      };
      signal?.addEventListener('abort', cancel, { once: true });
      const iterate = async function* (): AsyncGenerator<string> {
        try {
          for (;;) {
            if (chunks.length) {
              yield chunks.shift()!;
              continue;
            }
            if (ended) break;
            await new Promise<void>((r) => (wake = r));
          }
          if (failure && failure.code !== 503) throw failure;
        } finally {
          if (!ended) cancel();
          signal?.removeEventListener('abort', cancel);
        }
      };
    });
  }

  private send(call: { method: 'logs' | 'exec'; args: unknown[] }, handlers: Call): number {
    const id = this.nextId++;
    const port = this.port();
    if (!port) {
      queueMicrotask(() => handlers.onError(unavailable()));
      return id;
    }
    this.calls.set(id, handlers);
    port.postMessage({ type: 'call', id, ...call });
    return id;
  }
}

function unavailable(): RuntimeError {
  return new RuntimeError(503, 'ServiceUnavailable', 'the kubelet is not running (it is being restarted)');
}
