// The garbage collector (kube-controller-manager's `garbage-collector-controller`): objects
// whose owners are all gone are deleted, `orphan` and `foregroundDeletion` finalizers are
// carried out. Its graph is built from metadata-only monitors of every resource discovery
// lists with delete/list/watch (re-read every gcDiscoveryPeriodSeconds, so custom resources
// count). The manager's queue is attemptToDelete (keys are uids); attemptToOrphan is its own.
// As kube's GarbageCollector.Run, no worker acts before every monitor has listed once, and
// workers pause while the monitors of newly discovered resources sync.
import { runWorkers, sleep, WorkQueue } from '../../client/index.ts';
import { RawApi } from '../raw-api.ts';
import type { ControllerDefinition } from '../types.ts';
import { GarbageCollector, type ItemAction } from './collector.ts';
import { discover, RestMapper } from './discovery.ts';
import { AbsentOwnerCache, DependencyGraph } from './graph.ts';
import { GraphBuilder } from './graph-builder.ts';
import { Monitors } from './monitors.ts';
import { GcOperations } from './operations.ts';

export const controllerName = 'garbage-collector-controller';

export const garbageCollectorController: ControllerDefinition = {
  name: controllerName,
  workers: (o) => o.concurrentGcSyncs,
  setup(ctx, attemptToDelete) {
    const api = new RawApi(ctx.client, `kubelite-${controllerName}/0.1.0`);
    const attemptToOrphan = new WorkQueue<string>();
    const absentOwners = new AbsentOwnerCache(500);
    let mapper = new RestMapper();
    const builder = new GraphBuilder({
      graph: new DependencyGraph(), absentOwners, attemptToDelete, attemptToOrphan, recorder: ctx.recorder(controllerName), log: ctx.log,
    });
    const gc = new GarbageCollector(builder, new GcOperations(ctx.client, () => mapper), absentOwners, (uid) => attemptToDelete.add(uid), ctx.log);
    const monitors = new Monitors(ctx.client, builder, ctx.log);
    const stopping = new AbortController();
    const gate = new WorkerGate(stopping.signal);
    gate.close(); // until the first discovery's monitors have synced
    let orphanLoop: Promise<void> | undefined;
    let discoveryLoop: Promise<void> | undefined;

    /** One discovery pass: new monitors started, gone ones stopped; workers wait for new ones to list. */
    async function resync(initial: boolean): Promise<void> {
      let found: Awaited<ReturnType<typeof discover>>;
      try {
        found = await discover(api);
      } catch (err) {
        ctx.log.warn({ err: String(err) }, 'garbage collector: discovery failed');
        return;
      }
      mapper = found.mapper;
      // A group whose discovery failed keeps its monitors (GetDeletableResources tolerates partial failure).
      const failedPrefixes = found.failed.map((gv) => (gv === 'v1' ? '/v1/' : `${gv}/`));
      const { added, removed } = monitors.sync(found.deletable, (key) => failedPrefixes.some((p) => key.startsWith(p)));
      if (!initial && !added.length && !removed.length) return;
      ctx.log.info({ added, removed }, 'garbage collector: resources changed; syncing monitors');
      if (!initial) gate.close();
      // At most one period (kube's waitForStopOrTimeout): a resource that cannot be listed must
      // not hold the collector forever ("not all resource monitors could be synced, proceeding anyways").
      const period = Math.max(1, ctx.options.gcDiscoveryPeriodSeconds) * 1000;
      const synced = await Promise.race([monitors.waitForSync(), sleep(period, stopping.signal).then(() => false, () => false)]);
      if (!synced && !stopping.signal.aborted) ctx.log.warn({}, 'garbage collector: not all resource monitors could be synced, proceeding anyways');
      gate.open();
    }

    return {
      async reconcile(uid) {
        if (!(await gate.pass())) return;
        return asResult(await gc.attemptToDeleteWorker(uid));
      },
      start() {
        discoveryLoop = (async () => {
          await resync(true);
          while (!stopping.signal.aborted) {
            await sleep(Math.max(1, ctx.options.gcDiscoveryPeriodSeconds) * 1000, stopping.signal).catch(() => undefined);
            if (!stopping.signal.aborted) await resync(false);
          }
        })();
        orphanLoop = runWorkers(attemptToOrphan, ctx.options.concurrentGcSyncs, async (uid) => {
          if (!(await gate.pass())) return;
          return asResult(await gc.attemptToOrphanWorker(uid));
        }, { onError: (uid, err) => ctx.log.warn({ uid, err: String(err) }, 'garbage collector: orphaning failed, will retry') });
      },
      async stop() {
        stopping.abort();
        attemptToOrphan.shutdown();
        await Promise.all([orphanLoop, discoveryLoop]);
        await monitors.stop();
        api.close();
      },
    };
  },
};

function asResult(action: ItemAction): { requeue: true } | void {
  return action === 'requeue' ? { requeue: true } : undefined;
}

/** kube's workerLock: workers pass while open and wait while the monitors sync. */
class WorkerGate {
  private opened: Promise<void> = Promise.resolve();
  private openIt?: () => void;
  private readonly aborted: Promise<void>;

  constructor(private readonly signal: AbortSignal) {
    this.aborted = new Promise((resolveAbort) => signal.addEventListener('abort', () => resolveAbort(), { once: true }));
  }

  close(): void {
    if (this.openIt) return;
    this.opened = new Promise((resolveOpen) => (this.openIt = resolveOpen));
  }

  open(): void {
    this.openIt?.();
    this.openIt = undefined;
  }

  /** Resolves true once open, false if the collector stops first. */
  async pass(): Promise<boolean> {
    if (this.signal.aborted) return false;
    await Promise.race([this.opened, this.aborted]);
    return !this.signal.aborted;
  }
}
