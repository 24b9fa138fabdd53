// The client side of the kubelet's WebSocket port-forward (see port-forward-ws.ts), for one
// port: a Duplex whose bytes are the connection to that port in the pod. The API server uses
// it to reach pods for pods/proxy and services/proxy, since simulated pod IPs route nowhere.
import { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { ChannelSocket } from './channels.ts';

export function portForwardStream(socket: WebSocket): Duplex {
  const conn = new ChannelSocket(socket);
  // The kubelet's first message on each channel is the port (2 bytes), not data.
  const seenPrefix = [false, false];
  let errorText = '';
  const stream = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, done) {
      conn.send(0, chunk);
      done();
    },
    final(done) {
      // Channel framing cannot half-close: the request is written, the response comes back.
      done();
    },
    destroy(err, done) {
      if (conn.open) socket.close(1000);
      done(err);
    },
  });
  socket.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
    const msg = conn.decode(data, isBinary);
    if (!msg || msg.id > 1) return;
    let payload = msg.data;
    if (!seenPrefix[msg.id]) {
      seenPrefix[msg.id] = true;
      payload = payload.subarray(2);
    }
    if (!payload.length) return;
    if (msg.id === 0) stream.push(payload);
    else {
      // The kubelet could not connect (or the connection failed): nothing more will come.
      errorText += payload.toString();
      stream.destroy(new Error(errorText));
    }
  });
  socket.on('close', () => {
    if (errorText) stream.destroy(new Error(errorText));
    else stream.push(null);
  });
  socket.on('error', (err) => stream.destroy(err));
  return stream;
}
