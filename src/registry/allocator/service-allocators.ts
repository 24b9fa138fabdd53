// ClusterIP and NodePort allocation for Services, as kube-apiserver's service REST storage
// does it (pkg/registry/core/service/storage/alloc.go): on create, requested addresses and
// ports are reserved or refused with 422, missing ones allocated; on update, a type change
// allocates what the new type needs and releases what it no longer uses; on delete,
// everything is released. The strategy (../resources/service.ts) has already defaulted
// ipFamilies and kept the old allocated values on update (patchAllocatedValues).
import { errors, field, type StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/types.ts';
import { isValidIP } from '../resources/core-validation.ts';
import { IPRange, type AllocationFailure } from './ip-range.ts';
import { AllocationOperation } from './operation.ts';
import { PortRange } from './port-range.ts';

/** --service-cluster-ip-range and --service-node-port-range. */
export interface ServiceNetwork {
  clusterIPRange: string;
  nodePortRange: string;
}

export const defaultServiceNetwork: ServiceNetwork = { clusterIPRange: '10.96.0.0/12', nodePortRange: '30000-32767' };

type ServiceSpec = NonNullable<KubeObject['spec']>;
interface ServicePort { port?: number; nodePort?: number; protocol?: string }

const portsOf = (spec: ServiceSpec): ServicePort[] => (Array.isArray(spec?.ports) ? spec.ports.filter((p: unknown) => p && typeof p === 'object') : []);
const isExternalName = (spec: ServiceSpec) => spec?.type === 'ExternalName';
const isHeadless = (spec: ServiceSpec) => Array.isArray(spec?.clusterIPs) && spec.clusterIPs[0] === 'None';
const usesNodePorts = (spec: ServiceSpec) => spec?.type === 'NodePort' || spec?.type === 'LoadBalancer';
/** shouldAllocateNodePorts: NodePort always, LoadBalancer unless allocateLoadBalancerNodePorts is false. */
const shouldAllocateNodePorts = (spec: ServiceSpec) => spec?.type === 'NodePort' || (spec?.type === 'LoadBalancer' && spec?.allocateLoadBalancerNodePorts !== false);
/** apiservice.NeedsHealthCheck. */
const needsHealthCheck = (spec: ServiceSpec) => spec?.type === 'LoadBalancer' && spec?.externalTrafficPolicy === 'Local';
const nodePortsOf = (spec: ServiceSpec): number[] => portsOf(spec).map((p) => p.nodePort).filter((n): n is number => typeof n === 'number' && n > 0);

/** How a []string prints in a field error (Go's %#v). */
const goStrings = (values: unknown[]) => ({ goString: `[]string{${values.map((v) => JSON.stringify(String(v))).join(', ')}}` });

export class ServiceAllocators {
  readonly ips: IPRange;
  readonly ports: PortRange;

  constructor(network: ServiceNetwork = defaultServiceNetwork) {
    this.ips = new IPRange(network.clusterIPRange);
    this.ports = PortRange.parse(network.nodePortRange);
  }

  /** allocateCreate: the service's ClusterIP and node ports; throws (after giving back what it took) on failure. */
  allocateCreate(svc: KubeObject, dryRun: boolean): AllocationOperation {
    const op = new AllocationOperation(this.ips, this.ports, dryRun);
    try {
      this.allocClusterIPs(svc, op);
      if (usesNodePorts(svc.spec)) this.initNodePorts(svc, op);
      if (needsHealthCheck(svc.spec)) this.allocHealthCheckNodePort(svc, op);
      return op;
    } catch (err) {
      op.revert();
      throw err;
    }
  }

  /** allocateUpdate: what a type change needs (ExternalName → ClusterIP, → NodePort, ...) and what it drops. */
  allocateUpdate(svc: KubeObject, old: KubeObject, dryRun: boolean): AllocationOperation {
    const op = new AllocationOperation(this.ips, this.ports, dryRun);
    try {
      this.updateClusterIPs(svc, old, op);
      this.updateNodePorts(svc, old, op);
      this.updateHealthCheckNodePort(svc, old, op);
      return op;
    } catch (err) {
      op.revert();
      throw err;
    }
  }

  /** releaseAllocatedResources: after a delete. */
  release(svc: KubeObject): void {
    if (!isExternalName(svc.spec)) for (const ip of this.clusterIPsOf(svc.spec)) this.ips.release(ip);
    for (const port of nodePortsOf(svc.spec)) this.ports.release(port);
    if (svc.spec?.healthCheckNodePort > 0) this.ports.release(svc.spec.healthCheckNodePort);
  }

  /**
   * Marks a stored service's addresses and ports as used when the allocators are rebuilt at
   * start-up, as kube's repair loops do; returns what could not be restored (out of range
   * after a range change, or held twice), which kube reports as events asking to recreate it.
   */
  restore(svc: KubeObject): AllocationFailure[] {
    const failures: AllocationFailure[] = [];
    if (!isExternalName(svc.spec)) {
      for (const ip of this.clusterIPsOf(svc.spec)) {
        const failure = this.ips.allocate(ip);
        if (failure) failures.push(failure);
      }
    }
    const ports = new Set([...nodePortsOf(svc.spec), ...(svc.spec?.healthCheckNodePort > 0 ? [svc.spec.healthCheckNodePort] : [])]);
    for (const port of ports) {
      const failure = this.ports.allocate(port);
      if (failure) failures.push(failure);
    }
    return failures;
  }

  private clusterIPsOf(spec: ServiceSpec): string[] {
    const ips: unknown[] = Array.isArray(spec?.clusterIPs) ? spec.clusterIPs : spec?.clusterIP ? [spec.clusterIP] : [];
    return ips.filter((ip): ip is string => typeof ip === 'string' && ip !== '' && ip !== 'None');
  }

  // ---- cluster IPs ----

  /** allocClusterIPs for the one family a single-stack IPv4 cluster serves. */
  private allocClusterIPs(svc: KubeObject, op: AllocationOperation): void {
    const spec = svc.spec;
    if (isExternalName(spec) || isHeadless(spec)) return;
    const families: unknown[] = Array.isArray(spec.ipFamilies) ? spec.ipFamilies : [];
    const unsupported = families.findIndex((f) => f !== 'IPv4');
    if (unsupported >= 0) {
      throw invalid(svc, [field.invalid(`spec.ipFamilies[${unsupported}]`, families[unsupported], 'not configured on this cluster')]);
    }
    const requested: string | undefined = spec.clusterIPs?.[0] || spec.clusterIP || undefined;
    // A malformed address is validation's to report (ValidateServiceClusterIPsRelatedFields runs first in kube).
    if (requested && isValidIP(requested).length) return;
    let ip: string;
    if (requested) {
      const failure = op.dryRun ? this.ips.checkInRange(requested) : this.ips.allocate(requested);
      if (failure) {
        throw invalid(svc, [field.invalid('spec.clusterIPs', goStrings(spec.clusterIPs ?? [requested]), `failed to allocate IP ${requested}: ${failure.message}`)]);
      }
      ip = requested;
    } else if (op.dryRun) {
      ip = this.ips.networkAddress;
    } else {
      const next = this.ips.allocateNext();
      if (typeof next !== 'string') throw errors.internal(`failed to allocate a serviceIP: ${next.message}`);
      ip = next;
    }
    if (!op.dryRun) op.reservedIP(ip);
    spec.clusterIP = ip;
    spec.clusterIPs = [ip];
  }

  /** updateClusterIPs: ExternalName → other types allocates; other types → ExternalName releases. */
  private updateClusterIPs(svc: KubeObject, old: KubeObject, op: AllocationOperation): void {
    if (isExternalName(old.spec) && !isExternalName(svc.spec)) return this.allocClusterIPs(svc, op);
    if (isHeadless(old.spec)) return;
    if (!isExternalName(old.spec) && isExternalName(svc.spec)) {
      for (const ip of this.clusterIPsOf(old.spec)) op.releaseIPOnCommit(ip);
    }
  }

  // ---- node ports ----

  /** initNodePorts: ports sharing a port number (TCP and UDP) share one node port. */
  private initNodePorts(svc: KubeObject, op: AllocationOperation): void {
    const ports = portsOf(svc.spec);
    const byServicePort = new Map<number | undefined, number>();
    ports.forEach((sp, i) => {
      if (!sp.nodePort && !shouldAllocateNodePorts(svc.spec)) return; // only requested ones
      const shared = byServicePort.get(sp.port);
      if (shared === undefined) {
        const requested = ports.slice(i).find((p) => p.port === sp.port && p.nodePort)?.nodePort;
        const nodePort = requested ? this.allocatePort(svc, op, requested, i) : this.allocateNextPort(op);
        sp.nodePort = nodePort;
        byServicePort.set(sp.port, nodePort);
      } else if (sp.nodePort !== shared) {
        if (!sp.nodePort) sp.nodePort = shared;
        else this.allocatePort(svc, op, sp.nodePort, i);
      }
    });
  }

  /** updateNodePorts / releaseNodePorts. */
  private updateNodePorts(svc: KubeObject, old: KubeObject, op: AllocationOperation): void {
    const oldNodePorts = nodePortsOf(old.spec);
    if (!usesNodePorts(svc.spec)) {
      if (usesNodePorts(old.spec)) for (const port of oldNodePorts) op.releasePortOnCommit(port);
      return;
    }
    const taken = new Set<number>();
    portsOf(svc.spec).forEach((sp, i) => {
      if (!sp.nodePort && !shouldAllocateNodePorts(svc.spec)) return;
      if (sp.nodePort) {
        if (!oldNodePorts.includes(sp.nodePort) && !taken.has(sp.nodePort)) {
          this.allocatePort(svc, op, sp.nodePort, i);
          taken.add(sp.nodePort);
        }
      } else {
        sp.nodePort = this.allocateNextPort(op);
      }
    });
    const newNodePorts = nodePortsOf(svc.spec);
    for (const port of oldNodePorts) if (!newNodePorts.includes(port)) op.releasePortOnCommit(port);
  }

  private allocHealthCheckNodePort(svc: KubeObject, op: AllocationOperation): void {
    const requested = svc.spec.healthCheckNodePort;
    if (requested) {
      const failure = this.ports.allocate(requested);
      if (failure) throw errors.internal(`failed to allocate requested HealthCheck NodePort ${requested}: ${failure.message}`);
      op.reservedPort(requested);
      return;
    }
    svc.spec.healthCheckNodePort = this.allocateNextPort(op);
  }

  /** updateHealthCheckNodePort: allocated when externalTrafficPolicy turns Local, released when it stops, never changed. */
  private updateHealthCheckNodePort(svc: KubeObject, old: KubeObject, op: AllocationOperation): void {
    const needed = needsHealthCheck(old.spec);
    const needs = needsHealthCheck(svc.spec);
    const oldPort = old.spec?.healthCheckNodePort;
    if (!needed && needs) this.allocHealthCheckNodePort(svc, op);
    else if (needed && !needs && oldPort > 0) op.releasePortOnCommit(oldPort);
    else if (needed && needs && svc.spec.healthCheckNodePort !== oldPort) {
      throw invalid(svc, [field.invalid('spec.healthCheckNodePort', svc.spec.healthCheckNodePort ?? 0,
        'cannot change healthCheckNodePort on loadBalancer service with externalTraffic=Local during update')]);
    }
  }

  private allocatePort(svc: KubeObject, op: AllocationOperation, port: number, index: number): number {
    const failure = this.ports.allocate(port);
    if (failure) throw invalid(svc, [field.invalid(`spec.ports[${index}].nodePort`, port, failure.message)]);
    op.reservedPort(port);
    return port;
  }

  private allocateNextPort(op: AllocationOperation): number {
    const next = this.ports.allocateNext();
    if (typeof next !== 'number') throw errors.internal(`failed to allocate a nodePort: ${next.message}`);
    op.reservedPort(next);
    return next;
  }
}

function invalid(svc: KubeObject, fieldErrors: ReturnType<typeof field.invalid>[]): StatusError {
  return errors.invalid('Service', '', svc.metadata.name ?? '', fieldErrors);
}
