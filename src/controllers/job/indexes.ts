// Indexed Jobs (pkg/controller/job/indexed_job_utils.go): completion indexes as compressed
// ordered intervals ("1,3-5,7" in status.completedIndexes / failedIndexes), the index a pod
// carries in its annotation, which indexes still need a pod, and which duplicates to remove.
import { jobCompletionIndexAnnotation, jobIndexFailureCountAnnotation, jobIndexIgnoredFailureCountAnnotation, type JobPod } from './types.ts';

export const unknownCompletionIndex = -1;

export interface Interval {
  first: number;
  last: number;
}

/** Ordered, non-overlapping, non-adjacent intervals (orderedIntervals). */
export class OrderedIntervals {
  constructor(readonly intervals: Interval[] = []) {}

  /** parseIndexesFromString: corrupt parts are skipped; indexes ≥ completions are dropped. */
  static parse(text: string | undefined, completions: number): OrderedIntervals {
    const result: Interval[] = [];
    if (!text) return new OrderedIntervals(result);
    for (const part of text.split(',')) {
      const limits = part.split('-');
      const first = atoi(limits[0]);
      if (first === undefined) continue;
      if (first >= completions) break;
      let last = first;
      if (limits.length > 1) {
        const parsed = atoi(limits[1]);
        if (parsed === undefined) continue;
        last = Math.min(parsed, completions - 1);
      }
      const prev = result[result.length - 1];
      if (prev && prev.last === first - 1) prev.last = last;
      else result.push({ first, last });
    }
    return new OrderedIntervals(result);
  }

  /** withOrderedIndexes: these plus the given indexes (ascending). */
  withIndexes(indexes: Iterable<number>): OrderedIntervals {
    return this.merge(new OrderedIntervals([...indexes].sort((a, b) => a - b).map((i) => ({ first: i, last: i }))));
  }

  merge(other: OrderedIntervals): OrderedIntervals {
    const all = [...this.intervals, ...other.intervals].sort((a, b) => a.first - b.first);
    const result: Interval[] = [];
    for (const iv of all) {
      const last = result[result.length - 1];
      if (!last || iv.first > last.last + 1) result.push({ ...iv });
      else if (last.last < iv.last) last.last = iv.last;
    }
    return new OrderedIntervals(result);
  }

  total(): number {
    return this.intervals.reduce((n, iv) => n + iv.last - iv.first + 1, 0);
  }

  has(ix: number): boolean {
    return this.intervals.some((iv) => iv.first <= ix && ix <= iv.last);
  }

  /** "0-2,4,6,7": a run of two is written as a pair, longer runs as a range. */
  toString(): string {
    return this.intervals.map((iv) => (iv.last === iv.first ? `${iv.first}` : `${iv.first}${iv.last === iv.first + 1 ? ',' : '-'}${iv.last}`)).join(',');
  }
}

function atoi(text: string | undefined): number | undefined {
  if (text === undefined || !/^[+-]?\d+$/.test(text)) return undefined;
  return Number(text);
}

/** getCompletionIndex: the pod's annotation as a non-negative integer, else unknown. */
export function completionIndexOf(pod: JobPod): number {
  const ix = atoi(pod.metadata.annotations?.[jobCompletionIndexAnnotation]);
  return ix === undefined || ix < 0 ? unknownCompletionIndex : ix;
}

export function validIndex(pod: JobPod, completions: number): boolean {
  const ix = completionIndexOf(pod);
  return ix !== unknownCompletionIndex && ix < completions;
}

function int32Annotation(pod: JobPod, key: string): number {
  const n = atoi(pod.metadata.annotations?.[key]);
  return n === undefined || n < 0 || n > 2 ** 31 - 1 ? 0 : n;
}

export function indexFailureCount(pod: JobPod): number {
  return int32Annotation(pod, jobIndexFailureCountAnnotation);
}

export function indexIgnoredFailureCount(pod: JobPod): number {
  return int32Annotation(pod, jobIndexIgnoredFailureCountAnnotation);
}

export function indexesOf(pods: JobPod[]): Set<number> {
  const result = new Set<number>();
  for (const p of pods) {
    const ix = completionIndexOf(p);
    if (ix !== unknownCompletionIndex) result.add(ix);
  }
  return result;
}

/** firstPendingIndexes: the lowest `count` indexes below `completions` not covered by `nonPending`. */
export function firstPendingIndexes(nonPending: OrderedIntervals, count: number, completions: number): number[] {
  const result: number[] = [];
  let candidate = 0;
  for (const iv of nonPending.intervals) {
    for (; candidate < completions && result.length < count && candidate < iv.first; candidate++) result.push(candidate);
    if (candidate < iv.last + 1) candidate = iv.last + 1;
  }
  for (; candidate < completions && result.length < count; candidate++) result.push(candidate);
  return result;
}

/**
 * appendDuplicatedIndexPodsForRemoval: active pods without a valid index, and all but one
 * pod (the one kube's ActivePods order keeps: the most advanced) of each repeated index.
 */
export function duplicatedIndexPods(pods: JobPod[], completions: number, rank: (a: JobPod, b: JobPod) => number): { remove: JobPod[]; keep: JobPod[] } {
  const byIndex = new Map<number, JobPod[]>();
  const remove: JobPod[] = [];
  for (const pod of pods) {
    const ix = completionIndexOf(pod);
    if (ix === unknownCompletionIndex || ix >= completions) remove.push(pod);
    else byIndex.set(ix, [...(byIndex.get(ix) ?? []), pod]);
  }
  const keep: JobPod[] = [];
  for (const group of byIndex.values()) {
    const sorted = [...group].sort(rank);
    remove.push(...sorted.slice(0, -1));
    keep.push(sorted[sorted.length - 1]);
  }
  return { remove, keep };
}

/** matchSuccessPolicy: the message of the first rule the succeeded indexes satisfy. */
export function matchSuccessPolicy(rules: { succeededIndexes?: string; succeededCount?: number }[] | undefined, completions: number,
  succeeded: OrderedIntervals): string | undefined {
  for (const [i, rule] of (rules ?? []).entries()) {
    if (rule.succeededIndexes != null) {
      const wanted = OrderedIntervals.parse(rule.succeededIndexes, completions);
      const matched = wanted.intervals.reduce((n, iv) => {
        for (let ix = iv.first; ix <= iv.last; ix++) if (succeeded.has(ix)) n++;
        return n;
      }, 0);
      const need = rule.succeededCount ?? wanted.total();
      if (matched >= need && (rule.succeededCount != null || matched === wanted.total())) return `Matched rules at index ${i}`;
    } else if (rule.succeededCount != null && succeeded.total() >= rule.succeededCount) {
      return `Matched rules at index ${i}`;
    }
  }
  return undefined;
}
