// From the metrics' proposal to the replicas the HPA sets, as kube's horizontal.go normalizes
// it. Without spec.behavior: the highest recommendation of the downscale stabilization window
// (--horizontal-pod-autoscaler-downscale-stabilization, 5 min), then min/max and a scale-up
// limit of max(2 × current, 4). With spec.behavior: the scaleUp/scaleDown stabilization
// windows bound the recommendation from both sides, then the policies (Pods/Percent per
// periodSeconds, selectPolicy Max/Min/Disabled) limit the rate from the scale events of each
// period. Recommendations and scale events are kept per HPA key, in memory, as kube keeps them.

export interface ScalingPolicy {
  type: 'Pods' | 'Percent';
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: 'Max' | 'Min' | 'Disabled';
  policies?: ScalingPolicy[];
}

export interface Behavior {
  scaleUp?: ScalingRules;
  scaleDown?: ScalingRules;
}

export interface Normalization {
  key: string;
  behavior?: Behavior;
  minReplicas: number;
  maxReplicas: number;
  currentReplicas: number;
  /** The metrics' proposal. */
  desiredReplicas: number;
}

/** What the normalization decided, with the AbleToScale and ScalingLimited reasons kube reports. */
export interface Normalized {
  replicas: number;
  ableToScale: { reason: string; message: string };
  scalingLimited: { status: 'True' | 'False'; reason: string; message: string };
}

interface Recommendation {
  replicas: number;
  at: number;
}

interface ScaleEvent {
  change: number;
  at: number;
  outdated: boolean;
}

const readyForNewScale = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const scaleUpStabilized = { reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' };
const scaleDownStabilized = { reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' };
const limits = {
  withinRange: ['DesiredWithinRange', 'the desired count is within the acceptable range'],
  tooMany: ['TooManyReplicas', 'the desired replica count is more than the maximum replica count'],
  tooFew: ['TooFewReplicas', 'the desired replica count is less than the minimum replica count'],
  scaleUpLimit: ['ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate'],
  scaleDownLimit: ['ScaleDownLimit', 'the desired replica count is decreasing faster than the maximum scale rate'],
} as const;

export class ReplicaNormalizer {
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleUpEvents = new Map<string, ScaleEvent[]>();
  private readonly scaleDownEvents = new Map<string, ScaleEvent[]>();

  constructor(private readonly downscaleStabilizationMs: number, private readonly now: () => number) {}

  /** recordInitialRecommendation: the current size counts as a recommendation from the start. */
  recordInitial(key: string, currentReplicas: number): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ replicas: currentReplicas, at: this.now() }]);
  }

  forget(key: string): void {
    this.recommendations.delete(key);
    this.scaleUpEvents.delete(key);
    this.scaleDownEvents.delete(key);
  }

  normalize(n: Normalization): Normalized {
    return n.behavior ? this.withBehavior(n, n.behavior) : this.withoutBehavior(n);
  }

  /** normalizeDesiredReplicas. */
  private withoutBehavior(n: Normalization): Normalized {
    const stabilized = this.stabilizeDown(n.key, n.desiredReplicas);
    const ableToScale = stabilized !== n.desiredReplicas ? scaleDownStabilized : readyForNewScale;
    const scaleUpLimit = Math.max(2 * n.currentReplicas, 4);
    const [maximum, over] = n.maxReplicas > scaleUpLimit ? [scaleUpLimit, limits.scaleUpLimit] : [n.maxReplicas, limits.tooMany];
    let replicas = stabilized;
    let limit: readonly [string, string] = limits.withinRange;
    if (stabilized < n.minReplicas) [replicas, limit] = [n.minReplicas, limits.tooFew];
    else if (stabilized > maximum) [replicas, limit] = [maximum, over];
    return { replicas, ableToScale, scalingLimited: limited(replicas !== stabilized, limit) };
  }

  /** stabilizeRecommendation: the highest recommendation within the window (the oldest stale one is reused). */
  private stabilizeDown(key: string, desired: number): number {
    const now = this.now();
    const cutoff = now - this.downscaleStabilizationMs;
    const recs = this.recommendations.get(key) ?? [];
    let highest = desired;
    let stale = -1;
    recs.forEach((r, i) => {
      if (r.at < cutoff) stale = i;
      else if (r.replicas > highest) highest = r.replicas;
    });
    this.record(key, recs, stale, desired, now);
    return highest;
  }

  private record(key: string, recs: Recommendation[], stale: number, replicas: number, at: number): void {
    if (stale >= 0) recs[stale] = { replicas, at };
    else recs.push({ replicas, at });
    this.recommendations.set(key, recs);
  }

  /** normalizeDesiredReplicasWithBehaviors. */
  private withBehavior(n: Normalization, behavior: Behavior): Normalized {
    const up = behavior.scaleUp ?? {};
    const down = { ...behavior.scaleDown };
    // maybeInitScaleDownStabilizationWindow: an unset window is the controller's flag.
    down.stabilizationWindowSeconds ??= this.downscaleStabilizationMs / 1000;
    const stabilized = this.stabilizeWithBehavior(n, up, down);
    const ableToScale = stabilized === n.desiredReplicas ? readyForNewScale : n.desiredReplicas >= n.currentReplicas ? scaleUpStabilized : scaleDownStabilized;
    const [replicas, limit] = this.rateLimited({ ...n, desiredReplicas: stabilized }, up, down);
    return { replicas, ableToScale, scalingLimited: limited(replicas !== stabilized, limit) };
  }

  /** stabilizeRecommendationWithBehaviors: clamp between the lowest recent (up window) and highest recent (down window). */
  private stabilizeWithBehavior(n: Normalization, up: ScalingRules, down: ScalingRules): number {
    const now = this.now();
    const upCutoff = now - (up.stabilizationWindowSeconds ?? 0) * 1000;
    const downCutoff = now - (down.stabilizationWindowSeconds ?? 0) * 1000;
    const recs = this.recommendations.get(n.key) ?? [];
    let upRecommendation = n.desiredReplicas;
    let downRecommendation = n.desiredReplicas;
    let stale = -1;
    recs.forEach((r, i) => {
      if (r.at > upCutoff) upRecommendation = Math.min(r.replicas, upRecommendation);
      if (r.at > downCutoff) downRecommendation = Math.max(r.replicas, downRecommendation);
      if (r.at < upCutoff && r.at < downCutoff) stale = i;
    });
    let recommendation = n.currentReplicas;
    if (recommendation < upRecommendation) recommendation = upRecommendation;
    if (recommendation > downRecommendation) recommendation = downRecommendation;
    this.record(n.key, recs, stale, n.desiredReplicas, now);
    return recommendation;
  }

  /** convertDesiredReplicasWithBehaviorRate. */
  private rateLimited(n: Normalization, up: ScalingRules, down: ScalingRules): [number, readonly [string, string]] {
    const upEvents = this.scaleUpEvents.get(n.key) ?? [];
    const downEvents = this.scaleDownEvents.get(n.key) ?? [];
    if (n.desiredReplicas > n.currentReplicas) {
      const scaleUpLimit = Math.max(n.currentReplicas, this.rateLimit(n.currentReplicas, upEvents, downEvents, up, 'up'));
      const [maximum, limit] = n.maxReplicas > scaleUpLimit ? [scaleUpLimit, limits.scaleUpLimit] : [n.maxReplicas, limits.tooMany];
      if (n.desiredReplicas > maximum) return [maximum, limit];
    } else if (n.desiredReplicas < n.currentReplicas) {
      const scaleDownLimit = Math.min(n.currentReplicas, this.rateLimit(n.currentReplicas, upEvents, downEvents, down, 'down'));
      const [minimum, limit] = n.minReplicas < scaleDownLimit ? [scaleDownLimit, limits.scaleDownLimit] : [n.minReplicas, limits.tooFew];
      if (n.desiredReplicas < minimum) return [minimum, limit];
    }
    return [n.desiredReplicas, limits.withinRange];
  }

  /**
   * calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors: each policy
   * proposes a bound from the replicas at the start of its period; selectPolicy picks the
   * largest change (Max), the smallest (Min), or none (Disabled).
   */
  private rateLimit(current: number, upEvents: ScaleEvent[], downEvents: ScaleEvent[], rules: ScalingRules, direction: 'up' | 'down'): number {
    const policy = rules.selectPolicy ?? 'Max';
    if (policy === 'Disabled') return current;
    const proposals = (rules.policies ?? []).map((p) => {
      const periodStart = current - this.changeInPeriod(p.periodSeconds, upEvents) + this.changeInPeriod(p.periodSeconds, downEvents);
      if (direction === 'up') return p.type === 'Pods' ? periodStart + p.value : Math.ceil(periodStart * (1 + p.value / 100));
      return p.type === 'Pods' ? periodStart - p.value : Math.trunc(periodStart * (1 - p.value / 100));
    });
    if (proposals.length === 0) return direction === 'up' ? -(2 ** 31) : 2 ** 31 - 1;
    const largestChange = direction === 'up' ? Math.max : Math.min;
    const smallestChange = direction === 'up' ? Math.min : Math.max;
    return (policy === 'Min' ? smallestChange : largestChange)(...proposals);
  }

  /** getReplicasChangePerPeriod. */
  private changeInPeriod(periodSeconds: number, events: ScaleEvent[]): number {
    const cutoff = this.now() - periodSeconds * 1000;
    return events.reduce((sum, e) => (e.at > cutoff ? sum + e.change : sum), 0);
  }

  /** storeScaleEvent: kept only for HPAs with behavior; events older than the longest period are reused. */
  recordScale(key: string, behavior: Behavior | undefined, previous: number, next: number): void {
    if (!behavior) return;
    const upward = next > previous;
    const events = (upward ? this.scaleUpEvents : this.scaleDownEvents).get(key) ?? [];
    const rules = (upward ? behavior.scaleUp : behavior.scaleDown) ?? {};
    const longest = Math.max(0, ...(rules.policies ?? []).map((p) => p.periodSeconds));
    const now = this.now();
    for (const e of events) if (e.at <= now - longest * 1000) e.outdated = true;
    const event = { change: Math.abs(next - previous), at: now, outdated: false };
    let stale = -1;
    events.forEach((e, i) => {
      if (e.outdated) stale = i;
    });
    if (stale >= 0) events[stale] = event;
    else events.push(event);
    (upward ? this.scaleUpEvents : this.scaleDownEvents).set(key, events);
  }
}

function limited(isLimited: boolean, [reason, message]: readonly [string, string]): Normalized['scalingLimited'] {
  return { status: isLimited ? 'True' : 'False', reason, message };
}
