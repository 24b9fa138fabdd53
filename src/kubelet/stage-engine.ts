// The stage engine, as kwok's lifecycle package: for a pod, the first stage whose selector
// matches; how long to wait before it applies; and what applying it means (a status merge,
// events, log lines, finalizer edits, a delete). Pure given the pod, the node and the clock:
// the golden tests run it without a server.
import type { KubeObject } from '../api/types.ts';
import { readPath, render, renderString, stringify, type Scope } from './expression.ts';
import { podFunctions, type PodContext } from './pod-functions.ts';
import type { Stage, StageDelay, StageEvent, StageLog, StageRequirement } from './stage-types.ts';

export interface PlannedEvent extends StageEvent {}

export interface PlannedLog {
  container: string;
  lines: string[];
}

/** What a stage does to one pod. */
export interface StagePlan {
  stage: string;
  /** The pod's new status (old status merged with the rendered template), if the stage has one. */
  status?: Record<string, unknown>;
  finalizers?: string[];
  events: PlannedEvent[];
  logs: PlannedLog[];
  delete: boolean;
}

export class StageEngine {
  constructor(readonly stages: Stage[]) {}

  /** The first stage that matches the pod, or undefined when the pod is where it should be. */
  match(ctx: PodContext): Stage | undefined {
    const scope = scopeFor(ctx);
    return this.stages.find((s) => selectorMatches(s, ctx.pod, scope));
  }

  /** Milliseconds to wait from ctx.now before the stage applies. */
  delay(stage: Stage, ctx: PodContext, random: () => number = Math.random): number {
    return computeDelay(stage.spec.delay ?? {}, scopeFor(ctx), ctx.now, random);
  }

  plan(stage: Stage, ctx: PodContext): StagePlan {
    const scope = scopeFor(ctx);
    const next = stage.spec.next;
    const plan: StagePlan = { stage: stage.metadata.name, events: [], logs: [], delete: next.delete === true };
    if (next.statusTemplate) {
      const patch = render(next.statusTemplate, scope) as Record<string, unknown>;
      plan.status = mergePatch(ctx.pod.status ?? {}, patch) as Record<string, unknown>;
    }
    const events = [...(next.event ? [next.event] : []), ...(next.events ?? [])];
    for (const e of render(events, scope) as StageEvent[]) plan.events.push(e);
    for (const l of render(next.logs ?? [], scope) as StageLog[]) {
      const lines = Array.isArray(l.lines) ? l.lines.map(stringify) : l.lines === '' ? [] : [stringify(l.lines)];
      if (lines.length) plan.logs.push({ container: l.container, lines });
    }
    if (next.finalizers) {
      const { add = [], remove = [], empty } = next.finalizers;
      let finalizers = empty ? [] : [...(ctx.pod.metadata.finalizers ?? [])];
      finalizers = finalizers.filter((f) => !remove.some((r) => r.value === f));
      for (const a of add) if (!finalizers.includes(a.value)) finalizers.push(a.value);
      plan.finalizers = finalizers;
    }
    return plan;
  }
}

export function scopeFor(ctx: PodContext): Scope {
  return { root: ctx.pod, item: ctx.pod, functions: podFunctions(ctx) };
}

function selectorMatches(stage: Stage, pod: KubeObject, scope: Scope): boolean {
  const sel = stage.spec.selector ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (pod.metadata.labels?.[k] !== v) return false;
  for (const [k, v] of Object.entries(sel.matchAnnotations ?? {})) if (pod.metadata.annotations?.[k] !== v) return false;
  return (sel.matchExpressions ?? []).every((r) => requirementMatches(r, scope));
}

function requirementMatches(r: StageRequirement, scope: Scope): boolean {
  const raw = r.key.includes('{{') ? renderString(r.key, scope) : readPath(scope.root, r.key);
  const exists = raw !== undefined && raw !== null;
  const value = stringify(raw);
  switch (r.operator) {
    case 'Exists': return exists;
    case 'DoesNotExist': return !exists;
    case 'In': return exists && (r.values ?? []).includes(value);
    case 'NotIn': return !exists || !(r.values ?? []).includes(value);
  }
}

function computeDelay(delay: StageDelay, scope: Scope, now: Date, random: () => number): number {
  let ms = delay.durationMilliseconds ?? 0;
  const jitter = delay.jitterDurationMilliseconds;
  if (jitter !== undefined && jitter > ms) ms += Math.floor(random() * (jitter - ms));
  if (delay.durationFrom) {
    const from = toMilliseconds(evaluateFrom(delay.durationFrom.expressionFrom, scope), now);
    if (from !== undefined) ms = from;
  }
  if (delay.notAfterFrom) {
    const cap = toMilliseconds(evaluateFrom(delay.notAfterFrom.expressionFrom, scope), now);
    if (cap !== undefined) ms = Math.min(ms, cap);
  }
  return Math.max(0, ms);
}

function evaluateFrom(expression: string, scope: Scope): unknown {
  return expression.includes('{{') ? renderString(expression, scope) : readPath(scope.root, expression);
}

/** A time (wait until it), a Go-style duration ("1.5s", "200ms", "2m") or a number of milliseconds. */
function toMilliseconds(value: unknown, now: Date): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || !value) return undefined;
  const duration = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(value);
  if (duration) return Number(duration[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[duration[2] as 'ms']!;
  const time = Date.parse(value);
  return Number.isFinite(time) ? time - now.getTime() : undefined;
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> = target && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
