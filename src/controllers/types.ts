// The contract between the controller manager and its controllers, as controller-runtime's
// Reconciler plus kube-controller-manager's InitFunc: a controller registers the informers it
// reads and the handlers that turn their events into keys on its own work queue, then
// reconciles one key at a time — level-triggered, idempotent.
import type { Logger } from 'pino';
import type { ApiClient, InformerFactory, ReconcileResult, WorkQueue } from '../client/index.ts';
import type { Clock } from './clock.ts';
import type { EventRecorder } from './events.ts';
import type { ControllerManagerOptions } from './options.ts';

export type ControllerLog = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

export interface ControllerContext {
  client: ApiClient;
  /** Shared by every controller of the manager: one LIST+WATCH per resource. */
  factory: InformerFactory;
  log: ControllerLog;
  options: ControllerManagerOptions;
  /** An event recorder writing core/v1 Events as `component` (kube's EventSource.Component). */
  recorder(component: string): EventRecorder;
  /** The time controllers read and schedule by; the real clock unless a test gives a FakeClock. */
  clock: Clock;
}

export interface Controller {
  /** Brings the object behind `key` to its desired state; throws to be retried with backoff. */
  reconcile(key: string): Promise<ReconcileResult>;
  /** Runs once the informers have synced, before the workers start (periodic passes). */
  start?(): void;
  /** Stops what start() began; the manager shuts the queue and the informers itself. */
  stop?(): void | Promise<void>;
}

export interface ControllerDefinition {
  /** The name kube-controller-manager's --controllers flag uses, e.g. `namespace-controller`. */
  name: string;
  /** Other names --controllers accepts for it (kube's controller aliases, e.g. `horizontalpodautoscaling`). */
  aliases?: string[];
  /** How many keys are reconciled at once (kube's --concurrent-*-syncs). */
  workers(options: ControllerManagerOptions): number;
  /** Registers informers and event handlers that feed `queue`; returns the reconciler. */
  setup(ctx: ControllerContext, queue: WorkQueue<string>): Controller;
}
