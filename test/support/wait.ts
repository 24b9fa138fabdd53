// Test support: poll until a probe yields something (a truthy value, a non-empty list), or fail naming what never came.
//
// The timeout is a hang guard, not an assertion about speed: on a machine shared by many test
// runs a condition may take far longer than it does alone, so the default is generous and
// tests should rarely pass a shorter one. Assert on conditions, never on elapsed time.
import { setTimeout as delay } from 'node:timers/promises';

/** The default hang guard; KUBELITE_TEST_WAIT_MS overrides it (e.g. on a very slow CI machine). */
export const defaultWaitMs = Number(process.env.KUBELITE_TEST_WAIT_MS) || 60_000;

/** The longest pause between two probes of a slow condition. */
const slowPollMs = 250;

export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = defaultWaitMs, intervalMs = 100): Promise<T> {
  const started = Date.now();
  const deadline = started + Math.max(timeoutMs, defaultWaitMs);
  let pause = intervalMs;
  for (;;) {
    const value = await probe();
    // An empty list is "not yet" too: probes that filter events or pods return [] until they come.
    if (value && !(Array.isArray(value) && value.length === 0)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(pause);
    // A condition not met within two seconds is a slow one (a backoff, a grace period): probe it
    // less often, since a probe costs CPU the awaited work needs (many spawn kubectl).
    if (Date.now() - started > 2000) pause = Math.min(Math.max(pause * 1.5, intervalMs), Math.max(slowPollMs, intervalMs));
  }
}

/**
 * A suite's or test's time budget as a hang guard: what it needs alone, times
 * KUBELITE_TEST_SLOWDOWN (default 5) for a loaded machine. A budget for a whole suite that
 * runs out fails whichever test happens to be running, so it must never bind in practice.
 */
export function hangGuard(ms: number): number {
  return ms * (Number(process.env.KUBELITE_TEST_SLOWDOWN) || 5);
}
