// The NodePort allocator over --service-node-port-range, as kube-apiserver's
// portallocator.PortAllocator: unique across all services, dynamic allocation from the
// upper band so that requested ports in the lower band rarely collide.
import { AllocationMap, rangeOffset } from './allocation-map.ts';
import type { AllocationFailure } from './ip-range.ts';

export class PortRange {
  private readonly map: AllocationMap;

  constructor(readonly base: number, readonly size: number) {
    this.map = new AllocationMap(size, rangeOffset(size, 16, 32, 128));
  }

  /** `30000-32767` (net.ParsePortRange also takes a single port). */
  static parse(text: string): PortRange {
    const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
    const lo = Number(m?.[1]);
    const hi = m?.[2] === undefined ? lo : Number(m[2]);
    if (!m || lo < 1 || hi > 65535 || hi < lo) throw new Error(`invalid node port range ${text}: must be MIN-MAX within 1-65535`);
    return new PortRange(lo, hi - lo + 1);
  }

  toString(): string {
    return `${this.base}-${this.base + this.size - 1}`;
  }

  contains(port: number): boolean {
    return Number.isInteger(port) && port >= this.base && port < this.base + this.size;
  }

  allocate(port: number): AllocationFailure | undefined {
    if (!this.contains(port)) return this.notInRange();
    if (!this.map.allocate(port - this.base)) return { reason: 'Allocated', message: 'provided port is already allocated' };
    return undefined;
  }

  allocateNext(): number | AllocationFailure {
    const offset = this.map.allocateNext();
    if (offset === undefined) return { reason: 'Full', message: 'range is full' };
    return this.base + offset;
  }

  release(port: number): void {
    if (this.contains(port)) this.map.release(port - this.base);
  }

  has(port: number): boolean {
    return this.contains(port) && this.map.has(port - this.base);
  }

  free(): number {
    return this.map.free();
  }

  notInRange(): AllocationFailure {
    return { reason: 'NotInRange', message: `provided port is not in the valid range. The range of valid ports is ${this}` };
  }
}
