// The ClusterIP allocator over one IPv4 service CIDR, as kube-apiserver's ipallocator.Range
// (the bitmap allocator kube-apiserver v1.32 uses while MultiCIDRServiceAllocator is off):
// never the network or broadcast address; dynamic allocation from the upper band.
import { AllocationMap, rangeOffset } from './allocation-map.ts';

/** Why an allocation failed, worded as ipallocator's errors. */
export type AllocationFailure = { reason: 'NotInRange' | 'Allocated' | 'Full'; message: string };

export class IPRange {
  /** The first usable address (network + 1) as a number. */
  private readonly base: number;
  private readonly network: number;
  private readonly size: number;
  private readonly map: AllocationMap;

  constructor(readonly cidr: string) {
    const parsed = parseIPv4CIDR(cidr);
    if (!parsed) throw new Error(`invalid service CIDR ${cidr}: must be an IPv4 CIDR such as 10.96.0.0/12`);
    // kube-apiserver refuses larger ranges for the same reason: the bitmap would be huge.
    if (parsed.prefix < 12) throw new Error(`specified --service-cluster-ip-range ${cidr} is too large; for 32-bit addresses, the mask must be >= 12`);
    this.network = parsed.network;
    this.size = 2 ** (32 - parsed.prefix);
    this.base = this.network + 1;
    const max = Math.max(0, this.size - 2);
    this.map = new AllocationMap(max, rangeOffset(this.size, 16, 16, 256));
  }

  /** Reserves `ip`; a failure when it is outside the range or taken. */
  allocate(ip: string): AllocationFailure | undefined {
    const offset = this.offsetOf(ip);
    if (offset === undefined) return this.notInRange(ip);
    if (!this.map.allocate(offset)) return { reason: 'Allocated', message: 'provided IP is already allocated' };
    return undefined;
  }

  /** A free address, or a failure when the range is full. */
  allocateNext(): string | AllocationFailure {
    const offset = this.map.allocateNext();
    if (offset === undefined) return { reason: 'Full', message: 'range is full' };
    return numberToIPv4(this.base + offset);
  }

  /** Releasing an address not allocated, or outside the range, does nothing (as Range.Release). */
  release(ip: string): void {
    const offset = this.offsetOf(ip);
    if (offset !== undefined) this.map.release(offset);
  }

  has(ip: string): boolean {
    const offset = this.offsetOf(ip);
    return offset !== undefined && this.map.has(offset);
  }

  /** What a dry-run Allocate checks: only the range, never whether the address is free (as kube's dryRunRange). */
  checkInRange(ip: string): AllocationFailure | undefined {
    return this.offsetOf(ip) === undefined ? this.notInRange(ip) : undefined;
  }

  /** The range's first usable address, which the `kubernetes` Service takes (10.96.0.1 by default). */
  get firstAddress(): string {
    return numberToIPv4(this.base);
  }

  /** What a dry-run AllocateNext answers: the network address, without reserving anything. */
  get networkAddress(): string {
    return numberToIPv4(this.network);
  }

  free(): number {
    return this.map.free();
  }

  private offsetOf(ip: string): number | undefined {
    const n = ipv4ToNumber(ip);
    if (n === undefined) return undefined;
    const offset = n - this.base;
    return offset >= 0 && offset < this.map.max ? offset : undefined;
  }

  private notInRange(ip: string): AllocationFailure {
    return { reason: 'NotInRange', message: `the provided IP (${ip}) is not in the valid range. The range of valid IPs is ${this.cidr}` };
  }
}

export function ipv4ToNumber(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

export function numberToIPv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** `a.b.c.d/p` with its network address (host bits masked off, as net.ParseCIDR does). */
export function parseIPv4CIDR(cidr: string): { network: number; prefix: number } | undefined {
  const [ip, bits, extra] = cidr.split('/');
  const n = ipv4ToNumber(ip ?? '');
  const prefix = Number(bits);
  if (n === undefined || extra !== undefined || !/^\d{1,2}$/.test(bits ?? '') || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  return { network: n - (n % size), prefix };
}
