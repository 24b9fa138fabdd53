// Pod networking inside the runtime. Each pod has one network namespace (its containers share
// localhost): a table of listening ports, each connection handed over as one end of an
// in-memory stream pair. Dialing resolves cluster DNS as CoreDNS would (svc, svc.ns,
// svc.ns.svc, svc.ns.svc.cluster.local → the Service → a ready endpoint, round robin), pod IPs
// and Service cluster IPs; pods this process does not run are reached through a remote dialer
// (the target kubelet's /portForward), when one is set.
import { Duplex } from 'node:stream';
import type { KubeObject } from '../../api/types.ts';
import { isNotFound, resources, type ApiClient } from '../../client/index.ts';

/** Two connected streams: what one side writes, the other reads (node 20 has no duplexPair). */
export function duplexPair(): [Duplex, Duplex] {
  let a!: Duplex;
  let b!: Duplex;
  const make = (peer: () => Duplex) => new Duplex({
    read() {},
    write(chunk, _enc, cb) {
      peer().push(chunk);
      cb();
    },
    final(cb) {
      peer().push(null);
      cb();
    },
    destroy(err, cb) {
      const other = peer();
      if (!other.destroyed) other.push(null);
      cb(err);
    },
  });
  a = make(() => b);
  b = make(() => a);
  // What node's http server and client call on a net.Socket.
  for (const s of [a, b]) Object.assign(s, { setTimeout: () => s, setNoDelay: () => s, setKeepAlive: () => s, ref: () => s, unref: () => s });
  return [a, b];
}

export class ConnectionRefused extends Error {
  readonly code = 'ECONNREFUSED';
}

export class HostNotFound extends Error {
  readonly code = 'ENOTFOUND';
}

export type ConnectionHandler = (socket: Duplex, remoteAddress: string) => void;

/** One pod's ports. */
export class PodNetwork {
  private readonly ports = new Map<number, ConnectionHandler>();
  private readonly listenWaiters = new Set<() => void>();

  constructor(public podIP: string) {}

  listen(port: number, onConnection: ConnectionHandler): () => void {
    if (this.ports.has(port)) throw Object.assign(new Error('Address in use'), { code: 'EADDRINUSE' });
    this.ports.set(port, onConnection);
    for (const wake of [...this.listenWaiters]) wake();
    return () => {
      if (this.ports.get(port) === onConnection) this.ports.delete(port);
    };
  }

  listening(port: number): boolean {
    return this.ports.has(port);
  }

  /** Resolves once `port` is listened on, or after `ms` (a server still starting up). */
  async waitForListen(port: number, ms: number): Promise<void> {
    if (this.ports.has(port)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        if (!this.ports.has(port) && Date.now() < deadline) return;
        clearTimeout(timer);
        this.listenWaiters.delete(done);
        resolve();
      };
      const deadline = Date.now() + ms;
      const timer = setTimeout(done, ms);
      this.listenWaiters.add(done);
    });
  }

  /** A connection to `port` from `remoteAddress`; ConnectionRefused when nothing listens. */
  connect(port: number, remoteAddress: string): Duplex {
    const handler = this.ports.get(port);
    if (!handler) throw new ConnectionRefused(`connect: connection refused`);
    const [client, server] = duplexPair();
    Object.assign(server, { remoteAddress, remotePort: 40000 + Math.floor(Math.random() * 20000) });
    handler(server, remoteAddress);
    return client;
  }

  closeAll(): void {
    this.ports.clear();
  }
}

export type RemoteDialer = (podIP: string, port: number, signal?: AbortSignal) => Promise<Duplex>;

/** How a pod's programs reach others: the runtime's pods by IP, Services by name or cluster IP. */
export class ClusterNetwork {
  private readonly roundRobin = new Map<string, number>();
  remoteDialer?: RemoteDialer;

  constructor(private readonly client: ApiClient, private readonly podByIP: (ip: string) => PodNetwork | undefined) {}

  async dial(from: { pod: KubeObject; network: PodNetwork }, host: string, port: number, signal?: AbortSignal): Promise<Duplex> {
    if (host === 'localhost' || host === '127.0.0.1' || host === '::1' || host === from.network.podIP) return from.network.connect(port, '127.0.0.1');
    if (/^\d+\.\d+\.\d+\.\d+$/.test(host)) {
      const target = await this.serviceByClusterIP(host);
      if (target) return this.dialService(from, target, port, signal);
      return this.dialPod(from, host, port, signal);
    }
    const service = await this.serviceByName(host, from.pod.metadata.namespace ?? 'default');
    if (!service) throw new HostNotFound(`bad address '${host}'`);
    return this.dialService(from, service, port, signal);
  }

  private async dialPod(from: { network: PodNetwork }, ip: string, port: number, signal?: AbortSignal): Promise<Duplex> {
    const local = this.podByIP(ip);
    if (local) return local.connect(port, from.network.podIP);
    if (this.remoteDialer) return this.remoteDialer(ip, port, signal);
    throw new ConnectionRefused('connect: no route to host');
  }

  /** A ready endpoint of the Service's port, round robin, as kube-proxy spreads connections. */
  private async dialService(from: { network: PodNetwork }, service: KubeObject, port: number, signal?: AbortSignal): Promise<Duplex> {
    const ports = (service.spec?.ports ?? []) as { name?: string; port: number; targetPort?: number | string }[];
    const servicePort = ports.find((p) => p.port === port);
    if (!servicePort) throw new ConnectionRefused('connect: connection refused');
    let endpoints: KubeObject;
    try {
      endpoints = await this.client.get(resources.endpoints, service.metadata.name!, { namespace: service.metadata.namespace });
    } catch (err) {
      if (isNotFound(err)) throw new ConnectionRefused('connect: connection refused');
      throw err;
    }
    const targets: { ip: string; port: number }[] = [];
    for (const subset of (endpoints.subsets ?? []) as { addresses?: { ip: string }[]; ports?: { name?: string; port: number }[] }[]) {
      const p = (subset.ports ?? []).find((x) => (x.name ?? '') === (servicePort.name ?? '')) ?? subset.ports?.[0];
      if (!p) continue;
      for (const a of subset.addresses ?? []) targets.push({ ip: a.ip, port: p.port });
    }
    if (!targets.length) throw new ConnectionRefused('connect: connection refused');
    const key = `${service.metadata.namespace}/${service.metadata.name}:${port}`;
    const n = this.roundRobin.get(key) ?? 0;
    this.roundRobin.set(key, n + 1);
    const target = targets[n % targets.length];
    return this.dialPod(from, target.ip, target.port, signal);
  }

  private async serviceByName(host: string, namespace: string): Promise<KubeObject | undefined> {
    const labels = host.replace(/\.$/, '').split('.');
    const [name, ns = namespace, svc] = labels;
    if (labels.length > 2 && svc !== 'svc') return undefined;
    if (labels.length > 3 && labels.slice(3).join('.') !== 'cluster.local') return undefined;
    try {
      return await this.client.get(resources.services, name, { namespace: ns });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async serviceByClusterIP(ip: string): Promise<KubeObject | undefined> {
    const list = await this.client.list(resources.services, {});
    return (list.items as KubeObject[]).find((s) => s.spec?.clusterIP === ip);
  }
}
