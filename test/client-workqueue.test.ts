// The work queue's contract, as client-go's workqueue tests it: de-duplication, one worker per
// key at a time, re-adds during processing, backoff growth, delayed adds and shutdown.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import {
  BucketRateLimiter, ItemExponentialRateLimiter, MaxOfRateLimiter, runWorkers, WorkQueue, type RateLimiter,
} from '../src/client/workqueue.ts';
import { until } from './support/wait.ts';

/** A queue whose rate limiter only backs off per item (no overall bucket), for fast tests. */
function fastQueue(baseMs = 1, maxMs = 1000): WorkQueue<string> {
  return new WorkQueue<string>(new ItemExponentialRateLimiter<string>(baseMs, maxMs));
}

/** Resolves with the next item, or 'timeout' if none arrives in time (the wait is withdrawn). */
async function getWithin(queue: WorkQueue<string>, ms: number): Promise<string | undefined | 'timeout'> {
  // Not AbortSignal.timeout: its timer is unref'd, so it alone would not keep the test alive.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  const item = await queue.get(abort.signal);
  clearTimeout(timer);
  return item === undefined && !queue.isShuttingDown ? 'timeout' : item;
}

describe('WorkQueue', () => {
  it('holds a key once however often it is added, in first-added order', async () => {
    const queue = fastQueue();
    for (const key of ['a', 'b', 'a', 'c', 'b', 'a']) queue.add(key);
    assert.equal(queue.length, 3);
    assert.deepEqual([await queue.get(), await queue.get(), await queue.get()], ['a', 'b', 'c']);
    assert.equal(await getWithin(queue, 20), 'timeout');
  });

  it('never hands a key being processed to a second worker; a re-add waits for done()', async () => {
    const queue = fastQueue();
    queue.add('a');
    const first = await queue.get();
    assert.equal(first, 'a');
    queue.add('a'); // changed while being reconciled
    queue.add('a');
    assert.equal(queue.length, 0, 'a key in processing is not queued again');
    assert.equal(await getWithin(queue, 20), 'timeout');
    // A getter already waiting gets the key exactly once, after done().
    const second = queue.get();
    queue.done('a');
    assert.equal(await second, 'a');
    queue.done('a');
    assert.equal(await getWithin(queue, 20), 'timeout', 'the two re-adds were one');
  });

  it('a key done without being re-added is not queued again', async () => {
    const queue = fastQueue();
    queue.add('x');
    queue.done((await queue.get())!);
    assert.equal(await getWithin(queue, 20), 'timeout');
  });

  it('runWorkers with many workers never runs one key concurrently and ends at shutdown', async () => {
    const queue = fastQueue();
    const running = new Set<string>();
    const runs = new Map<string, number>();
    let overlap = false;
    let maxParallel = 0;
    const workers = runWorkers(queue, 8, async (key) => {
      if (running.has(key)) overlap = true;
      running.add(key);
      maxParallel = Math.max(maxParallel, running.size);
      runs.set(key, (runs.get(key) ?? 0) + 1);
      await delay(2);
      running.delete(key);
    });
    for (let round = 0; round < 20; round++) {
      for (let k = 0; k < 5; k++) queue.add(`key-${k}`);
      await delay(1);
    }
    await delay(50);
    queue.shutdown();
    await workers;
    assert.equal(overlap, false, 'one key was reconciled by two workers at once');
    assert.ok(maxParallel > 1, 'different keys run in parallel');
    for (let k = 0; k < 5; k++) {
      const n = runs.get(`key-${k}`) ?? 0;
      assert.ok(n >= 1 && n <= 20, `key-${k} ran ${n} times`);
    }
  });

  it('per-item backoff doubles from the base to the cap, and forget() resets it', () => {
    const limiter = new ItemExponentialRateLimiter<string>(5, 1000_000);
    const delays = Array.from({ length: 5 }, () => limiter.when('a'));
    assert.deepEqual(delays, [5, 10, 20, 40, 80]);
    assert.equal(limiter.numRequeues('a'), 5);
    assert.equal(limiter.when('b'), 5, 'items back off independently');
    for (let i = 0; i < 40; i++) limiter.when('a');
    assert.equal(limiter.when('a'), 1000_000, 'capped at 1000 s');
    limiter.forget('a');
    assert.equal(limiter.numRequeues('a'), 0);
    assert.equal(limiter.when('a'), 5);
  });

  it('the overall bucket lets a burst through and then spaces items at its qps', () => {
    const bucket = new BucketRateLimiter<string>(10, 3);
    assert.deepEqual([bucket.when(), bucket.when(), bucket.when()], [0, 0, 0]);
    const fourth = bucket.when();
    assert.ok(fourth > 90 && fourth <= 100, `fourth waits ~100 ms, got ${fourth}`);
    const combined: RateLimiter<string> = new MaxOfRateLimiter(new ItemExponentialRateLimiter<string>(5, 1000), new BucketRateLimiter<string>(1000, 1000));
    assert.equal(combined.when('z'), 5, 'max of both limiters');
  });

  it('addRateLimited delays grow with each failure; the key comes back only after its delay', async () => {
    const queue = fastQueue(20, 10_000);
    const started = Date.now();
    queue.addRateLimited('k'); // 20 ms
    assert.equal(queue.length, 0);
    assert.equal(await queue.get(), 'k');
    const first = Date.now() - started;
    assert.ok(first >= 15, `first retry after ~20 ms, got ${first}`);
    queue.done('k');
    const again = Date.now();
    queue.addRateLimited('k'); // 40 ms
    assert.equal(await queue.get(), 'k');
    const second = Date.now() - again;
    assert.ok(second >= 35, `second retry after ~40 ms, got ${second}`);
    assert.equal(queue.numRequeues('k'), 2);
    queue.forget('k');
    assert.equal(queue.numRequeues('k'), 0);
  });

  it('addAfter keeps the earliest pending time for a key and de-duplicates with add()', async () => {
    const queue = fastQueue();
    queue.addAfter('k', 5_000);
    queue.addAfter('k', 10);
    queue.addAfter('k', 8_000);
    assert.equal(await getWithin(queue, 500), 'k');
    queue.done('k');
    assert.equal(await getWithin(queue, 50), 'timeout', 'the later delays were folded into the earliest');
    queue.shutdown();
  });

  it('runWorkers requeues failures with backoff, honours requeueAfter, and forgets successes', async () => {
    // The delays the queue asks its rate limiter for are the assertion; wall-clock gaps only
    // bound them from below (a loaded machine stretches timers, never shortens them).
    const asked: number[] = [];
    const limiter = new ItemExponentialRateLimiter<string>(5, 1000);
    const recording: RateLimiter<string> = {
      when: (item) => {
        const ms = limiter.when(item);
        if (item === 'flaky') asked.push(ms);
        return ms;
      },
      forget: (item) => limiter.forget(item),
      numRequeues: (item) => limiter.numRequeues(item),
    };
    const queue = new WorkQueue<string>(recording);
    const attempts: number[] = [];
    let afterRuns = 0;
    const workers = runWorkers(queue, 2, async (key) => {
      if (key === 'flaky') {
        attempts.push(Date.now());
        if (attempts.length < 4) throw new Error('not yet');
        return;
      }
      afterRuns++;
      return afterRuns < 3 ? { requeueAfter: 10 } : undefined;
    }, { onError: () => {} });
    queue.add('flaky');
    queue.add('periodic');
    await until('four attempts and three periodic runs', async () => attempts.length >= 4 && afterRuns >= 3);
    assert.equal(attempts.length, 4, 'three failures, then success');
    assert.equal(queue.numRequeues('flaky'), 0, 'success forgets the backoff');
    assert.deepEqual(asked, [5, 10, 20], 'the backoff doubles per failure');
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]);
    // Date.now() is whole milliseconds, so a gap may read 1 ms short of its timer.
    gaps.forEach((gap, i) => assert.ok(gap >= asked[i] - 1, `retry ${i + 1} after ${gap} ms, asked ${asked[i]} ms`));
    assert.equal(afterRuns, 3);
    queue.shutdown();
    await workers;
  });

  it('shutdown wakes waiting getters with undefined, drops queued and delayed keys, ignores later adds', async () => {
    const queue = fastQueue();
    const waiting = [queue.get(), queue.get()];
    queue.shutdown();
    assert.deepEqual(await Promise.all(waiting), [undefined, undefined]);
    const other = fastQueue();
    other.add('a');
    other.addAfter('b', 10);
    other.shutdown();
    other.add('c');
    assert.equal(await other.get(), undefined);
    await delay(30);
    assert.equal(other.length, 0);
  });

  it('shutdownWithDrain waits for keys in processing to be done', async () => {
    const queue = fastQueue();
    queue.add('a');
    const key = (await queue.get())!;
    let drained = false;
    const drain = queue.shutdownWithDrain().then(() => { drained = true; });
    await delay(20);
    assert.equal(drained, false);
    queue.done(key);
    await drain;
    assert.equal(drained, true);
  });
});
