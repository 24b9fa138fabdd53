// The controller manager, as kube-controller-manager runs its controllers: one shared
// InformerFactory for all of them, and per controller its own rate-limited work queue and
// workers. Start order: every enabled controller registers its informers and handlers, the
// informers list and sync, then the workers start. Stop: the queues shut down (a reconcile
// in flight finishes), the controllers' own loops stop, then the informers.
import { InformerFactory, retryReporter, runWorkers, WorkQueue, type ApiClient } from '../client/index.ts';
import { realClock, type Clock } from './clock.ts';
import { EventRecorder } from './events.ts';
import { parseOptions, type ControllerManagerOptions } from './options.ts';
import type { Controller, ControllerContext, ControllerDefinition, ControllerLog } from './types.ts';

export interface ControllerManagerConfig {
  client: ApiClient;
  log: ControllerLog;
  /** Raw options (see options.ts); parsed and defaulted here. */
  options?: Record<string, unknown>;
  /** The controllers to choose from (the table in index.ts). */
  definitions: ControllerDefinition[];
  /** The controllers' clock (tests pass a FakeClock); the real clock by default. */
  clock?: Clock;
}

export interface RunningControllerManager {
  /** The names of the controllers that run. */
  readonly controllers: string[];
  readonly options: ControllerManagerOptions;
  stop(): Promise<void>;
}

/** kube's IsControllerEnabled: `name` or its short form (without `-controller`), `*`, and `-name` to exclude. */
export function isControllerEnabled(name: string, selection: string[], aliases: string[] = []): boolean {
  const names = new Set([name, name.replace(/-controller$/, ''), ...aliases]);
  let star = false;
  for (const entry of selection) {
    if (names.has(entry)) return true;
    if (entry.startsWith('-') && names.has(entry.slice(1))) return false;
    if (entry === '*') star = true;
  }
  return star;
}

export async function startControllerManager(config: ControllerManagerConfig): Promise<RunningControllerManager> {
  const options = parseOptions(config.options);
  const definitions = config.definitions;
  const known = new Set(definitions.flatMap((d) => [d.name, d.name.replace(/-controller$/, ''), ...(d.aliases ?? [])]));
  for (const entry of options.controllers) {
    const name = entry.replace(/^-/, '');
    if (name !== '*' && !known.has(name)) throw new Error(`controllers: unknown controller "${name}" (known: ${definitions.map((d) => d.name).join(', ')})`);
  }
  const { client, log } = config;
  const informerFailures = retryReporter(log, 'controller manager: informer failure');
  // Informers without managedFields, as kube-controller-manager's factories (their "trim" transform).
  const factory = new InformerFactory(client, { stripManagedFields: true, onError: (err, during) => informerFailures.failed(err, { during }) });
  const recorders: EventRecorder[] = [];
  const ctx: ControllerContext = {
    client, factory, log, options, clock: config.clock ?? realClock,
    recorder(component) {
      const recorder = new EventRecorder(client, component, log);
      recorders.push(recorder);
      return recorder;
    },
  };

  const running: { name: string; workers: number; queue: WorkQueue<string>; controller: Controller }[] = [];
  for (const def of definitions) {
    if (!isControllerEnabled(def.name, options.controllers, def.aliases)) continue;
    // Named after its controller as kube-controller-manager names its queues ("replicaset",
    // "deployment", ...), for the workqueue_* metrics.
    const queue = new WorkQueue<string>(undefined, { name: def.name.replace(/-controller$/, '') });
    running.push({ name: def.name, workers: Math.max(1, Math.floor(def.workers(options))), queue, controller: def.setup(ctx, queue) });
  }

  factory.start();
  const synced = await factory.waitForSync();
  const loops: Promise<void>[] = [];
  if (synced) {
    for (const { name, workers, queue, controller } of running) {
      controller.start?.();
      loops.push(runWorkers(queue, workers, (key) => controller.reconcile(key), {
        onError: (key, err) => log.warn({ controller: name, key, err: String(err) }, `${name}: reconcile failed, will retry`),
      }));
    }
    log.info({ controllers: running.map((r) => r.name) }, 'controller manager: started');
  }

  let stopping: Promise<void> | undefined;
  return {
    controllers: running.map((r) => r.name),
    options,
    stop() {
      stopping ??= (async () => {
        for (const { queue } of running) queue.shutdown();
        await Promise.all(running.map(({ controller }) => controller.stop?.()));
        await Promise.all(loops);
        await factory.stop();
        await Promise.all(recorders.map((r) => r.idle()));
      })();
      return stopping;
    },
  };
}
