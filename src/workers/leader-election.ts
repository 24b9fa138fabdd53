// Leader election on a coordination.k8s.io/v1 Lease, as client-go's leaderelection package
// runs it for kube-controller-manager and kube-scheduler: a candidate takes the Lease when it
// is free or its holder has not renewed it for leaseDurationSeconds, the leader renews it every
// retryPeriod, and a leader that cannot renew within renewDeadline stops leading. Only the
// leader runs the workers, so several kubelite servers on one etcd never run two controller
// managers at once. Every write is a compare-and-swap on the Lease's resourceVersion.
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { KubeObject } from '../api/types.ts';
import { isConflict, isNotFound, resources, retryReporter, type ApiClient } from '../client/index.ts';
import type { RunningWorker } from './types.ts';

export interface LeaderElectionConfig {
  /** The Lease, e.g. kube-system/kube-controller-manager. */
  namespace: string;
  name: string;
  /** Who this candidate is; unique per server (client-go: hostname + "_" + a UUID). */
  identity: string;
  leaseDurationSeconds: number;
  renewDeadlineSeconds: number;
  retryPeriodSeconds: number;
}

/** kube-controller-manager's and kube-scheduler's --leader-elect-* defaults. */
export const defaultLeaderElection = { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 };

interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

/** Reads a `leaderElection` worker option: absent means run without election. */
export function leaderElectionOption(raw: unknown, name: string): LeaderElectionConfig | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const o = raw as Partial<LeaderElectionConfig>;
  return {
    ...defaultLeaderElection,
    namespace: 'kube-system',
    name,
    identity: `${hostname()}_${process.pid}`,
    ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)),
  };
}

/** kube's MicroTime: RFC 3339 with microseconds. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/**
 * Runs `lead` while this candidate holds the Lease; when leadership is lost the workers it
 * started are stopped and the candidate stands again. Returns a handle that stops it all
 * and releases the Lease (client-go's ReleaseOnCancel), so a successor takes over at once.
 */
export function runWithLeaderElection(client: ApiClient, config: LeaderElectionConfig, log: Logger, lead: () => Promise<RunningWorker>): RunningWorker {
  let stopping = false;
  let running: RunningWorker | undefined;
  let observed: { lease: Lease; at: number } | undefined;
  const abort = new AbortController();

  /** One acquire-or-renew attempt; true when this candidate holds the Lease afterwards. */
  const tryAcquireOrRenew = async (): Promise<boolean> => {
    const now = Date.now();
    let lease: Lease | undefined;
    try {
      lease = await client.get<Lease>(resources.leases, config.name, { namespace: config.namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const spec = {
      holderIdentity: config.identity,
      leaseDurationSeconds: config.leaseDurationSeconds,
      acquireTime: microTime(now),
      renewTime: microTime(now),
      leaseTransitions: 0,
    };
    if (!lease) {
      await client.create<Lease>(resources.leases, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: config.name, namespace: config.namespace }, spec });
      return true;
    }
    // client-go judges expiry by when *it* last saw the record change, not by the holder's clock.
    if (!observed || observed.lease.metadata.resourceVersion !== lease.metadata.resourceVersion) observed = { lease, at: now };
    const holder = lease.spec?.holderIdentity;
    const held = holder === config.identity;
    const expired = now > observed.at + (lease.spec?.leaseDurationSeconds ?? config.leaseDurationSeconds) * 1000;
    if (holder && !held && !expired) return false;
    const next: Lease = {
      ...lease,
      spec: held
        ? { ...lease.spec, ...spec, acquireTime: lease.spec?.acquireTime ?? spec.acquireTime, leaseTransitions: lease.spec?.leaseTransitions ?? 0 }
        : { ...spec, leaseTransitions: (lease.spec?.leaseTransitions ?? 0) + 1 },
    };
    observed = { lease: await client.update<Lease>(resources.leases, next), at: now };
    return true;
  };

  const failures = retryReporter(log, 'leader election: lease update failed');
  const attempt = async (): Promise<boolean> => {
    try {
      const ok = await tryAcquireOrRenew();
      failures.succeeded();
      return ok;
    } catch (err) {
      if (!isConflict(err)) failures.failed(err, { lease: config.name });
      return false;
    }
  };

  const loop = async () => {
    while (!stopping) {
      // Candidate: retry until the Lease is ours.
      if (!(await attempt())) {
        await delay(config.retryPeriodSeconds * 1000, undefined, { signal: abort.signal }).catch(() => undefined);
        continue;
      }
      if (stopping) break;
      log.info({ lease: `${config.namespace}/${config.name}`, identity: config.identity }, 'leader election: became leader');
      running = await lead();
      // Leader: renew every retry period; give up after renewDeadline without a renewal.
      let renewed = Date.now();
      while (!stopping) {
        await delay(config.retryPeriodSeconds * 1000, undefined, { signal: abort.signal }).catch(() => undefined);
        if (stopping) break;
        if (await attempt()) renewed = Date.now();
        else if (Date.now() - renewed > config.renewDeadlineSeconds * 1000) break;
      }
      const was = running;
      running = undefined;
      await was.stop();
      if (!stopping) log.warn({ lease: `${config.namespace}/${config.name}`, identity: config.identity }, 'leader election: lost the lease');
    }
  };
  const done = loop().catch((err: unknown) => log.error({ err: String(err) }, 'leader election stopped'));

  return {
    async stop() {
      stopping = true;
      abort.abort();
      await done;
      await release(client, config).catch(() => undefined);
    },
  };
}

/** Gives the Lease up if still ours, so that another candidate need not wait for it to expire. */
async function release(client: ApiClient, config: LeaderElectionConfig): Promise<void> {
  const lease = await client.get<Lease>(resources.leases, config.name, { namespace: config.namespace });
  if (lease.spec?.holderIdentity !== config.identity) return;
  await client.update<Lease>(resources.leases, { ...lease, spec: { ...lease.spec, holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: microTime(Date.now()) } });
}
