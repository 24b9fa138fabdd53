// Cron schedules as kube's CronJob controller reads them: github.com/robfig/cron/v3's
// ParseStandard (five fields — minute, hour, day of month, month, day of week — with ranges,
// lists, steps, `*`/`?`, names JAN-DEC and SUN-SAT; the @yearly/@annually/@monthly/@weekly/
// @daily/@midnight/@hourly macros and @every; an optional TZ=/CRON_TZ= prefix) with its error
// messages, and its Next(): the first matching second after a time, walked in the schedule's
// time zone exactly as robfig does (so a 02:30 job is skipped on a spring-forward day and runs
// twice when 01:30 repeats in the fall).
import { dateIn, isKnownTimeZone, wallClock } from './time-zone.ts';

export class CronError extends Error {}

export interface Schedule {
  /** The first activation strictly after `ms` (to the second), or undefined if none within 5 years. */
  next(ms: number): number | undefined;
}

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const months: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const days: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const minuteBounds: Bounds = { min: 0, max: 59 };
const hourBounds: Bounds = { min: 0, max: 23 };
const domBounds: Bounds = { min: 1, max: 31 };
const monthBounds: Bounds = { min: 1, max: 12, names: months };
const dowBounds: Bounds = { min: 0, max: 6, names: days };

/** Set bits of a field, plus `star` when written as `*` or `?` (robfig's starBit). */
interface Field {
  bits: Set<number>;
  star: boolean;
}

function all(b: Bounds): Field {
  return { bits: range(b.min, b.max, 1), star: true };
}
function only(n: number): Field {
  return { bits: new Set([n]), star: false };
}
function range(start: number, end: number, step: number): Set<number> {
  const s = new Set<number>();
  for (let i = start; i <= end; i += step) s.add(i);
  return s;
}

/** cron.ParseStandard. Throws CronError with robfig's message. */
export function parseStandard(spec: string): Schedule {
  if (spec.length === 0) throw new CronError('empty spec string');
  let rest = spec;
  let timeZone = 'UTC';
  if (rest.startsWith('TZ=') || rest.startsWith('CRON_TZ=')) {
    const space = rest.indexOf(' ');
    const name = rest.slice(rest.indexOf('=') + 1, space < 0 ? undefined : space);
    if (!isKnownTimeZone(name)) throw new CronError(`provided bad location ${name}: unknown time zone ${name}`);
    if (name !== '' && name !== 'Local') timeZone = name;
    rest = space < 0 ? '' : rest.slice(space).trim();
  }
  if (rest.startsWith('@')) return parseDescriptor(rest, timeZone);
  const fields = rest.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) throw new CronError(`expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`);
  return new SpecSchedule({
    minute: parseField(fields[0], minuteBounds), hour: parseField(fields[1], hourBounds), dom: parseField(fields[2], domBounds),
    month: parseField(fields[3], monthBounds), dow: parseField(fields[4], dowBounds),
  }, timeZone);
}

/** ParseStandard's error message for `spec`, or undefined when it parses. */
export function cronScheduleError(spec: string): string | undefined {
  try {
    parseStandard(spec);
    return undefined;
  } catch (err) {
    if (err instanceof CronError) return err.message;
    throw err;
  }
}

function parseDescriptor(descriptor: string, timeZone: string): Schedule {
  const spec = (minute: Field, hour: Field, dom: Field, month: Field, dow: Field) => new SpecSchedule({ minute, hour, dom, month, dow }, timeZone);
  switch (descriptor) {
    case '@yearly': case '@annually': return spec(only(0), only(0), only(1), only(1), all(dowBounds));
    case '@monthly': return spec(only(0), only(0), only(1), all(monthBounds), all(dowBounds));
    case '@weekly': return spec(only(0), only(0), all(domBounds), all(monthBounds), only(0));
    case '@daily': case '@midnight': return spec(only(0), only(0), all(domBounds), all(monthBounds), all(dowBounds));
    case '@hourly': return spec(only(0), all(hourBounds), all(domBounds), all(monthBounds), all(dowBounds));
  }
  const every = '@every ';
  if (descriptor.startsWith(every)) {
    const text = descriptor.slice(every.length);
    const ms = parseGoDuration(text);
    if (typeof ms === 'string') throw new CronError(`failed to parse duration ${descriptor}: ${ms}`);
    return new ConstantDelaySchedule(ms);
  }
  throw new CronError(`unrecognized descriptor: ${descriptor}`);
}

function parseField(text: string, bounds: Bounds): Field {
  const field: Field = { bits: new Set(), star: false };
  for (const expr of text.split(',').filter((e) => e !== '')) {
    const r = parseRange(expr, bounds);
    for (const b of r.bits) field.bits.add(b);
    field.star ||= r.star;
  }
  return field;
}

/** getRange: `*`, `?`, `n`, `a-b`, each optionally `/step`. */
function parseRange(expr: string, bounds: Bounds): Field {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  const single = lowAndHigh.length === 1;
  let start: number, end: number, star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = bounds.min;
    end = bounds.max;
    star = true;
  } else {
    start = parseIntOrName(lowAndHigh[0], bounds.names);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = parseIntOrName(lowAndHigh[1], bounds.names);
    else throw new CronError(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = mustParseInt(rangeAndStep[1]);
    if (single) end = bounds.max; // "N/step" means "N-max/step"
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) {
    throw new CronError(`too many slashes: ${expr}`);
  }
  if (start < bounds.min) throw new CronError(`beginning of range (${start}) below minimum (${bounds.min}): ${expr}`);
  if (end > bounds.max) throw new CronError(`end of range (${end}) above maximum (${bounds.max}): ${expr}`);
  if (start > end) throw new CronError(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new CronError(`step of range should be a positive number: ${expr}`);
  return { bits: range(start, end, step), star };
}

function parseIntOrName(expr: string, names?: Record<string, number>): number {
  return names?.[expr.toLowerCase()] ?? mustParseInt(expr);
}

function mustParseInt(expr: string): number {
  if (!/^[+-]?[0-9]+$/.test(expr)) throw new CronError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const num = Number(expr);
  if (!Number.isSafeInteger(num)) throw new CronError(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: value out of range`);
  if (num < 0) throw new CronError(`negative number (${num}) not allowed: ${expr}`);
  return num;
}

const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's time.ParseDuration, in ms, or its error message. */
function parseGoDuration(text: string): number | string {
  const quoted = JSON.stringify(text);
  const negative = text.startsWith('-');
  let s = text.replace(/^[-+]/, '');
  if (s === '0') return 0;
  if (s === '') return `time: invalid duration ${quoted}`;
  let total = 0;
  while (s !== '') {
    const num = /^([0-9]*)(\.[0-9]*)?/.exec(s)!;
    if (num[0] === '' || num[0] === '.') return `time: invalid duration ${quoted}`;
    s = s.slice(num[0].length);
    const unit = /^[^0-9.]*/.exec(s)![0];
    if (unit === '') return `time: missing unit in duration ${quoted}`;
    if (!(unit in unitMs)) return `time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`;
    total += Number(num[0]) * unitMs[unit];
    s = s.slice(unit.length);
  }
  return negative ? -total : total;
}

/** robfig's ConstantDelaySchedule: every delay (rounded down to a second, at least one). */
class ConstantDelaySchedule implements Schedule {
  private readonly delay: number;
  constructor(ms: number) {
    this.delay = Math.max(1000, Math.floor(ms / 1000) * 1000);
  }
  next(ms: number): number {
    return Math.floor(ms / 1000) * 1000 + this.delay;
  }
}

interface SpecFields {
  minute: Field;
  hour: Field;
  dom: Field;
  month: Field;
  dow: Field;
}

/** robfig's SpecSchedule (seconds fixed at 0, as ParseStandard sets them). */
class SpecSchedule implements Schedule {
  constructor(private readonly f: SpecFields, readonly timeZone: string) {}

  /** dayMatches: both day fields must match when either is `*`, else either may. */
  private dayMatches(w: { day: number; weekday: number }): boolean {
    const dom = this.f.dom.bits.has(w.day);
    const dow = this.f.dow.bits.has(w.weekday);
    return this.f.dom.star || this.f.dow.star ? dom && dow : dom || dow;
  }

  next(from: number): number | undefined {
    const tz = this.timeZone;
    const wall = (t: number) => wallClock(t, tz);
    let t = Math.floor(from / 1000) * 1000 + 1000; // the upcoming second
    let added = false;
    const yearLimit = wall(t).year + 5;
    wrap: for (;;) {
      let w = wall(t);
      if (w.year > yearLimit) return undefined;
      while (!this.f.month.bits.has(w.month)) {
        if (!added) {
          added = true;
          t = dateIn(tz, w.year, w.month, 1);
        }
        w = wall(t);
        t = dateIn(tz, w.year, w.month + 1, w.day, w.hour, w.minute, w.second); // AddDate(0, 1, 0)
        w = wall(t);
        if (w.month === 1) continue wrap;
      }
      while (!this.dayMatches(w)) {
        if (!added) {
          added = true;
          t = dateIn(tz, w.year, w.month, w.day);
        }
        w = wall(t);
        t = dateIn(tz, w.year, w.month, w.day + 1, w.hour, w.minute, w.second); // AddDate(0, 0, 1)
        w = wall(t);
        // Midnight may have moved with DST: back to it.
        if (w.hour !== 0) t += (w.hour > 12 ? 24 - w.hour : -w.hour) * 3_600_000;
        w = wall(t);
        if (w.day === 1) continue wrap;
      }
      while (!this.f.hour.bits.has(w.hour)) {
        if (!added) {
          added = true;
          t = dateIn(tz, w.year, w.month, w.day, w.hour);
        }
        t += 3_600_000;
        w = wall(t);
        if (w.hour === 0) continue wrap;
      }
      while (!this.f.minute.bits.has(w.minute)) {
        if (!added) {
          added = true;
          t = Math.floor(t / 60_000) * 60_000;
        }
        t += 60_000;
        w = wall(t);
        if (w.minute === 0) continue wrap;
      }
      while (w.second !== 0) {
        if (!added) {
          added = true;
          t = Math.floor(t / 1000) * 1000;
        }
        t += 1000;
        w = wall(t);
        if (w.second === 0) continue wrap;
      }
      return t;
    }
  }
}
