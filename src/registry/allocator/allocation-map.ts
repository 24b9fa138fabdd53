// The allocation bitmap under both service allocators, as kube's allocator.AllocationBitmap
// with the offset strategy of KEP-3070/3668: dynamic allocation picks a random free item
// from the upper band [offset, max) and only falls back to the lower band [0, offset) when
// the upper band is full, so that users can request addresses or ports from the lower band
// with little risk of a collision.
import { randomInt } from 'node:crypto';

export class AllocationMap {
  private readonly used: Uint8Array;
  private count = 0;

  /** `max` items, numbered 0..max-1; `offset` splits the lower (static) band from the upper (dynamic) one. */
  constructor(readonly max: number, readonly offset: number) {
    this.used = new Uint8Array(max);
    if (offset < 0 || offset > max) this.offset = 0;
  }

  /** Marks `i` used; false when it already was (kube's Allocate returning ok=false). */
  allocate(i: number): boolean {
    if (this.used[i]) return false;
    this.used[i] = 1;
    this.count++;
    return true;
  }

  /** A free item, or undefined when every item is used (the caller answers "range is full"). */
  allocateNext(): number | undefined {
    const found = this.scan(this.offset, this.max) ?? this.scan(0, this.offset);
    if (found !== undefined) this.allocate(found);
    return found;
  }

  release(i: number): void {
    if (!this.used[i]) return;
    this.used[i] = 0;
    this.count--;
  }

  has(i: number): boolean {
    return this.used[i] === 1;
  }

  free(): number {
    return this.max - this.count;
  }

  /** A random start in [from, to), then forward with wrap-around, as randomScanStrategyWithOffset. */
  private scan(from: number, to: number): number | undefined {
    const size = to - from;
    if (size <= 0) return undefined;
    const start = randomInt(0, size);
    for (let k = 0; k < size; k++) {
      const i = from + ((start + k) % size);
      if (!this.used[i]) return i;
    }
    return undefined;
  }
}

/**
 * kube's calculateRangeOffset: min(max(lo, size/step), hi), 0 for ranges of at most `lo`
 * items. IP ranges use (16, 16, 256), node port ranges (16, 32, 128).
 */
export function rangeOffset(size: number, lo: number, step: number, hi: number): number {
  if (size <= lo) return 0;
  return Math.min(Math.max(lo, Math.floor(size / step)), hi);
}
