// port-forward over SPDY (protocol portforward.k8s.io), the kubelet's side of kubectl
// port-forward (kube's pkg/kubelet/cri/streaming/portforward/httpstream.go): for each
// connection the client opens a pair of streams with the same `requestID` and `port` headers,
// `streamType: error` and `streamType: data`. Once both are there the port is dialled; bytes
// flow between the data stream and the connection; a failure is written on the error stream.
import type { Duplex } from 'node:stream';
import type { SpdySession, SpdyStream } from './session.ts';

export const portForwardProtocol = 'portforward.k8s.io';

interface Pair {
  data?: SpdyStream;
  error?: SpdyStream;
}

export function serveSpdyPortForward(session: SpdySession, connect: (port: number) => Promise<Duplex>, describeError: (port: number, err: Error) => string): void {
  const pairs = new Map<string, Pair>();
  const targets = new Set<Duplex>();
  session.on('close', () => {
    for (const target of targets) target.destroy();
  });
  session.on('stream', (stream) => {
    const type = stream.header('streamtype');
    // Clients before requestID paired streams by id: the data stream follows its error stream.
    const requestID = stream.header('requestid') ?? String(type === 'data' ? stream.id - 2 : stream.id);
    const pair = pairs.get(requestID) ?? {};
    if (type === 'data') pair.data = stream;
    else if (type === 'error') pair.error = stream;
    else return stream.reset();
    pairs.set(requestID, pair);
    if (!pair.data || !pair.error) return;
    pairs.delete(requestID);
    const { data, error } = pair as Required<Pair>;
    const port = Number(stream.header('port'));
    // The client never writes on the error stream; reading lets its FIN close it.
    error.resume();
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      error.end(`invalid port: ${stream.header('port')}`);
      data.end();
      return;
    }
    connect(port).then((target) => {
      targets.add(target);
      data.pipe(target);
      target.pipe(data);
      target.on('error', (err) => {
        error.end(describeError(port, err));
        data.end();
      });
      target.on('close', () => {
        targets.delete(target);
        if (!data.writableEnded) data.end();
      });
      data.on('error', () => target.destroy());
    }, (err: Error) => {
      error.end(describeError(port, err));
      data.end();
    });
  });
}
