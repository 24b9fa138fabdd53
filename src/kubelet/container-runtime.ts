// The boundary between a simulated kubelet's API (src/kubelet/api/: HTTPS, authentication,
// the streaming protocols) and its container runtime (the images, their filesystems, the
// shell, the servers they run): what a real kubelet asks of CRI. The kubelet API turns a
// request into one of these calls; the runtime never sees HTTP, WebSocket or SPDY.
import type { Duplex } from 'node:stream';
import type { ServedStreams } from '../streaming/remotecommand.ts';
import type { KubeObject } from '../api/types.ts';

export interface TerminalSize {
  width: number;
  height: number;
}

/** The streams of one exec or attach: the ones the streaming protocols serve. */
export type ContainerStreams = ServedStreams;

export interface LogRequest {
  follow?: boolean;
  previous?: boolean;
  timestamps?: boolean;
  tailLines?: number;
  limitBytes?: number;
  /** RFC 3339 time, or computed from sinceSeconds by the caller. */
  sinceTime?: string;
  signal?: AbortSignal;
}

/**
 * A failure the kubelet API answers with this HTTP code and Status reason (before any upgrade),
 * e.g. 400 BadRequest for a container that is not in the pod, 404 NotFound for an unknown pod.
 */
export class RuntimeError extends Error {
  constructor(readonly code: number, readonly reason: string, message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}

export interface ContainerRuntime {
  /**
   * Runs `command` in a running container of `pod` (the pod object as the kubelet sees it) and
   * resolves with its exit code once it ends; stdin/stdout/stderr stream while it runs.
   * Rejects with a RuntimeError for a pod, container or state the kubelet refuses.
   */
  exec(pod: KubeObject, container: string, command: string[], streams: ContainerStreams): Promise<number>;
  /** Attaches to the container's main process (its stdin if `stdin: true` in its spec; its output as it prints). Resolves when the client detaches or the process ends. */
  attach(pod: KubeObject, container: string, streams: ContainerStreams): Promise<void>;
  /** A connection to `port` inside the pod's network namespace; rejects with a RuntimeError when nothing listens there (kube's port-forward error text). */
  portForward(pod: KubeObject, port: number): Promise<Duplex>;
  /** The container's log as chunks of text, from the files the runtime keeps under the data dir. */
  logs(pod: KubeObject, container: string, opts: LogRequest): AsyncIterable<string>;
}
