// How the API server reaches a node's kubelet API, as kube-apiserver's KubeletClientConfig
// does: HTTPS to the node's preferred address at status.daemonEndpoints.kubeletEndpoint.Port,
// authenticating with the kubelet-client certificate (--kubelet-client-certificate/-key). The
// kubelet's serving certificate is checked only against --kubelet-certificate-authority when
// one is given; without it kube-apiserver does not verify it, and neither does kubelite.
import https from 'node:https';
import tls, { type TLSSocket } from 'node:tls';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { errors, StatusError } from '../../api/errors.ts';
import type { Registry } from '../../registry/registry.ts';

export interface KubeletClientOptions {
  cert: string;
  key: string;
  /** --kubelet-certificate-authority: verify kubelets' serving certificates against it. */
  ca?: string;
  /** --kubelet-preferred-address-types. */
  preferredAddressTypes?: string[];
}

export interface KubeletLocation {
  host: string;
  port: number;
}

/**
 * kube's default order starts with Hostname; simulated nodes' host names do not resolve, so
 * kubelite prefers InternalIP (kube-apiserver --kubelet-preferred-address-types=InternalIP,... ).
 */
const defaultAddressTypes = ['InternalIP', 'InternalDNS', 'ExternalIP', 'ExternalDNS', 'Hostname'];

export class KubeletClient {
  private readonly agent: https.Agent;

  constructor(private readonly opts: KubeletClientOptions) {
    this.agent = new https.Agent({ keepAlive: true, cert: opts.cert, key: opts.key, ca: opts.ca, rejectUnauthorized: opts.ca !== undefined });
  }

  /** The node's kubelet address and port, from the Node object. */
  async locate(registry: Registry, nodeName: string): Promise<KubeletLocation> {
    const def = registry.catalog.lookup('', 'v1', 'nodes')!;
    const node = (await registry.store(def).get(undefined, nodeName)).object;
    const addresses: { type: string; address: string }[] = node.status?.addresses ?? [];
    const types = this.opts.preferredAddressTypes ?? defaultAddressTypes;
    const address = types.map((t) => addresses.find((a) => a.type === t)?.address).find(Boolean);
    if (!address) throw errors.internal(`no preferred addresses found; known addresses: [${addresses.map((a) => `{${a.type} ${a.address}}`).join(' ')}]`);
    const port = Number(node.status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0);
    if (!(port > 0)) throw errors.internal(`node ${nodeName} does not advertise a kubelet port`);
    return { host: address, port };
  }

  /** A plain request (pods/log); resolves with the response once its headers arrive. */
  get(location: KubeletLocation, path: string, signal: AbortSignal): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = https.request({ host: location.host, port: location.port, path, method: 'GET', agent: this.agent, signal }, resolve);
      req.on('error', (err) => reject(errors.internal(`Get "${urlOf(location, path)}": ${dialMessage(location, err)}`)));
      req.end();
    });
  }

  /** A request of any method (nodes/proxy); resolves with the response once its headers arrive. */
  request(location: KubeletLocation, method: string, path: string, headers: Record<string, string>, body: Buffer | undefined, signal: AbortSignal): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = https.request({ host: location.host, port: location.port, path, method, headers, agent: this.agent, signal }, resolve);
      req.on('error', (err) => reject(unavailable(`error trying to reach service: ${dialMessage(location, err)}`)));
      req.end(body);
    });
  }

  /** A WebSocket to the kubelet (its port-forward), opened once the handshake is done. */
  webSocket(location: KubeletLocation, path: string, protocols: string[]): Promise<WebSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`wss://${hostPort(location)}${path}`, protocols, {
        cert: this.opts.cert, key: this.opts.key, ca: this.opts.ca, rejectUnauthorized: this.opts.ca !== undefined, perMessageDeflate: false,
      });
      ws.once('open', () => resolve(ws));
      ws.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d));
        res.on('end', () => reject(unavailable(`error trying to reach service: ${text.trim() || `status ${res.statusCode}`}`)));
      });
      ws.once('error', (err) => reject(unavailable(`error trying to reach service: ${dialMessage(location, err)}`)));
    });
  }

  /** A TLS connection for an upgrade (exec, attach, port-forward), ready to take the request. */
  dial(location: KubeletLocation): Promise<TLSSocket> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({
        host: location.host, port: location.port, cert: this.opts.cert, key: this.opts.key, ca: this.opts.ca,
        rejectUnauthorized: this.opts.ca !== undefined, ALPNProtocols: ['http/1.1'],
      });
      socket.once('secureConnect', () => {
        socket.off('error', onError);
        resolve(socket);
      });
      const onError = (err: Error) => reject(errors.internal(`error dialing backend: ${dialMessage(location, err)}`));
      socket.once('error', onError);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function hostPort(location: KubeletLocation): string {
  return location.host.includes(':') ? `[${location.host}]:${location.port}` : `${location.host}:${location.port}`;
}

function urlOf(location: KubeletLocation, path: string): string {
  return `https://${hostPort(location)}${path}`;
}

/** Go's net error wording: `dial tcp 127.0.0.1:10250: connect: connection refused`. */
function dialMessage(location: KubeletLocation, err: Error & { code?: string }): string {
  if (err.code === 'ECONNREFUSED') return `dial tcp ${hostPort(location)}: connect: connection refused`;
  return err.message;
}

/** A backend that cannot be reached: kube's proxy answers 503 ServiceUnavailable. */
function unavailable(message: string): StatusError {
  return new StatusError(503, 'ServiceUnavailable', message);
}
