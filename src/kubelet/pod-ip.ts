// Addresses of simulated nodes' pods: node n (0-based) gets podCIDR 10.244.<n>.0/24 (as kube-controller-manager's
// default --cluster-cidr 10.244.0.0/16 carved into /24s), continuing into 10.245.0.0/16 and
// beyond past 256 nodes. Pod IPs are handed out lowest-free within the node's /24.

export function nodePodCIDR(index: number): string {
  return `10.${244 + Math.floor(index / 256)}.${index % 256}.0/24`;
}

export class PodIPAllocator {
  private readonly prefix: string;
  private readonly byKey = new Map<string, number>();
  private readonly used = new Set<number>();

  /** `cidr`: a /24 such as 10.244.3.0/24. */
  constructor(cidr: string) {
    const m = /^(\d+\.\d+\.\d+)\.0\/24$/.exec(cidr);
    if (!m) throw new Error(`pod CIDR ${cidr}: kubelite allocates from /24 networks only`);
    this.prefix = m[1];
  }

  /** The pod's address, allocated on first call (.1 is the bridge, .255 broadcast). */
  allocate(key: string): string {
    let host = this.byKey.get(key);
    if (host === undefined) {
      host = 2;
      while (this.used.has(host) && host < 255) host++;
      if (host >= 255) throw new Error(`pod CIDR ${this.prefix}.0/24 is exhausted`);
      this.used.add(host);
      this.byKey.set(key, host);
    }
    return `${this.prefix}.${host}`;
  }

  /** Records an address a pod already has (after a kubelet restart). */
  reserve(key: string, ip: string): void {
    if (!ip.startsWith(`${this.prefix}.`) || this.byKey.has(key)) return;
    const host = Number(ip.slice(this.prefix.length + 1));
    this.used.add(host);
    this.byKey.set(key, host);
  }

  release(key: string): void {
    const host = this.byKey.get(key);
    if (host === undefined) return;
    this.byKey.delete(key);
    this.used.delete(host);
  }
}
