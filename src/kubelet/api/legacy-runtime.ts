// The ContainerRuntime over the older LocalPodRuntime (a script run on a whole stdin, no
// servers), so that the kubelet API has a runtime until the container runtime of
// src/kubelet/runtime/ replaces it: exec reads stdin to its end, then runs the command.
import type { Duplex } from 'node:stream';
import type { KubeObject } from '../../api/types.ts';
import { RuntimeError, type ContainerRuntime, type ContainerStreams, type LogRequest } from '../container-runtime.ts';
import { RuntimeError as LegacyError, type PodRuntime } from '../runtime.ts';

export class LegacyContainerRuntime implements ContainerRuntime {
  constructor(private readonly runtime: PodRuntime) {}

  async exec(pod: KubeObject, container: string, command: string[], streams: ContainerStreams): Promise<number> {
    const input = streams.stdin ? await readAll(streams.stdin, streams.signal) : undefined;
    const result = await translate(() => this.runtime.exec(pod.metadata.namespace!, pod.metadata.name!, container, command, { stdin: input }));
    if (streams.tty) {
      // One terminal carries both streams, and its line discipline turns \n into \r\n.
      streams.stdout?.write((result.stdout + result.stderr).replace(/\r?\n/g, '\r\n'));
    } else {
      if (result.stdout) streams.stdout?.write(result.stdout);
      if (result.stderr) streams.stderr?.write(result.stderr);
    }
    return result.exitCode;
  }

  async attach(pod: KubeObject, container: string, streams: ContainerStreams): Promise<void> {
    // Without running processes, attaching shows what the container prints from now on.
    const lines = await translate(() => this.runtime.logs(pod.metadata.namespace!, pod.metadata.name!, container, { follow: true, tailLines: 0, signal: streams.signal }));
    for await (const line of lines) streams.stdout?.write(streams.tty ? line.replace(/\r?\n/g, '\r\n') : line);
  }

  async portForward(pod: KubeObject, port: number): Promise<Duplex> {
    // Nothing listens in a container of this runtime: containerd's answer for a closed port.
    throw new RuntimeError(500, 'InternalError', `failed to connect to localhost:${port} inside namespace "${pod.metadata.uid}", ` +
      `IPv4: dial tcp4 127.0.0.1:${port}: connect: connection refused IPv6 dial tcp6 [::1]:${port}: connect: connection refused `);
  }

  async *logs(pod: KubeObject, container: string, opts: LogRequest): AsyncIterable<string> {
    yield* await translate(() => this.runtime.logs(pod.metadata.namespace!, pod.metadata.name!, container, opts));
  }
}

async function translate<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof LegacyError) throw new RuntimeError(err.code, err.reason, err.message);
    throw err;
  }
}

async function readAll(stream: NodeJS.ReadableStream, signal: AbortSignal): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) {
    chunks.push(Buffer.from(chunk as Buffer));
    if (signal.aborted) break;
  }
  return Buffer.concat(chunks).toString('utf8');
}
