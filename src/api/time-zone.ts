// Wall-clock time in an IANA time zone, as Go's time package computes it for robfig/cron:
// reading the fields of an instant in a zone (Intl's time-zone database stands in for Go's
// tzdata), and time.Date's normalisation of a wall-clock time back to an instant, including
// its choice inside a DST gap or overlap.

export interface WallClock {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 = Sunday */
  weekday: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const weekdays: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', weekday: 'short',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** The wall clock at `ms` in `timeZone` (UTC when unset). */
export function wallClock(ms: number, timeZone = 'UTC'): WallClock {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  return {
    year: Number(parts.year), month: Number(parts.month), day: Number(parts.day),
    hour: Number(parts.hour), minute: Number(parts.minute), second: Number(parts.second),
    weekday: weekdays[parts.weekday] ?? 0,
  };
}

/** The zone's offset from UTC at instant `ms`, in ms (seconds precision). */
export function offsetAt(ms: number, timeZone = 'UTC'): number {
  const w = wallClock(ms, timeZone);
  const asUTC = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUTC - Math.floor(ms / 1000) * 1000;
}

/**
 * time.Date(year, month, day, hour, min, sec, 0, loc): out-of-range fields normalise (month 13
 * is January of the next year); a wall time that does not exist or exists twice resolves as
 * Go does — the offset in effect at the wall time read as UTC, unless the result falls outside
 * that offset's period, then the offset at the result.
 */
export function dateIn(timeZone: string, year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  const first = offsetAt(local, timeZone);
  if (first === 0) return local;
  const utc = local - first;
  const second_ = offsetAt(utc, timeZone);
  return second_ === first ? utc : local - second_;
}

/** time.LoadLocation: an IANA name the database knows ("" and "UTC" are UTC; "Local" too). */
export function isKnownTimeZone(name: string): boolean {
  if (name === '' || name === 'UTC' || name === 'Local') return true;
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    return resolved === name || resolved.toLowerCase() !== name.toLowerCase();
  } catch {
    return false;
  }
}

/** `2024-03-10T09:00:00+09:00` / `...Z`: time.RFC3339 of the instant in the zone. */
export function rfc3339In(ms: number, timeZone = 'UTC'): string {
  const w = wallClock(ms, timeZone);
  const pad = (n: number, l = 2) => String(n).padStart(l, '0');
  const off = Math.round(offsetAt(ms, timeZone) / 60000);
  const zone = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${zone}`;
}
