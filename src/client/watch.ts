// The WATCH stream: kube-apiserver sends one JSON event per line over a chunked response.
// Chunk boundaries fall anywhere — mid-line, mid-character — so bytes are decoded with a
// StringDecoder and split on newlines, keeping the unfinished tail for the next chunk.
import type { IncomingMessage } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import type { KubeObject, Status, WatchEventType } from '../api/types.ts';

export type WatchEvent<T extends KubeObject = KubeObject> =
  | { type: Exclude<WatchEventType, 'ERROR'>; object: T }
  | { type: 'ERROR'; object: Status };

/** How a watch ended: the server closed it, the caller stopped it, or it broke. */
export interface WatchEnd {
  reason: 'ended' | 'stopped' | 'error';
  error?: Error;
}

export interface Watch {
  /** Closes the stream; `done` then resolves with reason `stopped`. */
  stop(): void;
  readonly done: Promise<WatchEnd>;
}

/** Splits text into complete lines, holding back a partial last line until its newline arrives. */
export class LineSplitter {
  private tail = '';
  push(text: string): string[] {
    const parts = (this.tail + text).split('\n');
    this.tail = parts.pop()!;
    return parts.filter((line) => line.trim() !== '');
  }
  /** What is left when the stream ends: a last line without its newline. */
  flush(): string[] {
    const rest = this.tail.trim();
    this.tail = '';
    return rest ? [rest] : [];
  }
}

/**
 * Delivers every event of a watch response to `onEvent`, in order. A handler that throws,
 * or a line that is not JSON, ends the watch with reason `error`.
 */
export function consumeWatchStream<T extends KubeObject>(
  body: IncomingMessage,
  onEvent: (event: WatchEvent<T>) => void,
  abort: AbortController,
): Watch {
  const decoder = new StringDecoder('utf8');
  const lines = new LineSplitter();
  let settle!: (end: WatchEnd) => void;
  let settled = false;
  const done = new Promise<WatchEnd>((resolveDone) => {
    settle = (end) => {
      if (settled) return;
      settled = true;
      resolveDone(end);
    };
  });
  const fail = (error: Error) => {
    settle({ reason: 'error', error });
    body.destroy();
  };
  const deliver = (batch: string[]) => {
    for (const line of batch) {
      if (settled) return;
      let event: WatchEvent<T>;
      try {
        event = JSON.parse(line) as WatchEvent<T>;
      } catch {
        return fail(new Error(`watch: malformed event: ${line.slice(0, 200)}`));
      }
      try {
        onEvent(event);
      } catch (err) {
        return fail(err instanceof Error ? err : new Error(String(err)));
      }
    }
  };
  body.on('data', (chunk: Buffer) => deliver(lines.push(decoder.write(chunk))));
  body.on('end', () => {
    deliver(lines.push(decoder.end()));
    deliver(lines.flush());
    settle({ reason: 'ended' });
  });
  body.on('error', (err) => settle(abort.signal.aborted ? { reason: 'stopped' } : { reason: 'error', error: err }));
  body.on('close', () => settle(abort.signal.aborted ? { reason: 'stopped' } : { reason: 'error', error: new Error('watch: connection closed') }));
  return {
    stop() {
      if (settled) return;
      abort.abort();
      settle({ reason: 'stopped' });
      body.destroy();
    },
    done,
  };
}
