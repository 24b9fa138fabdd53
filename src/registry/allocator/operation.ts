// One write's allocations, as kube's service REST transactions and portallocator's
// PortAllocationOperation: what was reserved is given back if the write fails (revert);
// what the old version held and the new one no longer does is released only once the
// write is stored (commit), so a failed update never loses the old object's addresses.
import type { IPRange } from './ip-range.ts';
import type { PortRange } from './port-range.ts';

export class AllocationOperation {
  private readonly reservedIPs: string[] = [];
  private readonly reservedPorts: number[] = [];
  private readonly deferredIPs: string[] = [];
  private readonly deferredPorts: number[] = [];
  private done = false;

  constructor(private readonly ips: IPRange, private readonly ports: PortRange, readonly dryRun: boolean) {}

  reservedIP(ip: string): void {
    this.reservedIPs.push(ip);
  }

  /** In a dry run ports are reserved too, so that one request never gets the same port twice; both outcomes give them back. */
  reservedPort(port: number): void {
    this.reservedPorts.push(port);
  }

  releaseIPOnCommit(ip: string): void {
    if (!this.dryRun) this.deferredIPs.push(ip);
  }

  releasePortOnCommit(port: number): void {
    if (!this.dryRun) this.deferredPorts.push(port);
  }

  /** The write was stored: release what the old version held and the new one dropped. */
  commit(): void {
    if (this.dryRun) return this.revert();
    if (this.done) return;
    this.done = true;
    for (const ip of this.deferredIPs) this.ips.release(ip);
    for (const port of this.deferredPorts) this.ports.release(port);
  }

  /** The write failed (or is retried): give back what this operation reserved. */
  revert(): void {
    if (this.done) return;
    this.done = true;
    for (const ip of this.reservedIPs) this.ips.release(ip);
    for (const port of this.reservedPorts) this.ports.release(port);
  }
}
