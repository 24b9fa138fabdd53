// The CronJob schedule parser against robfig/cron v3's ParseStandard and Next(), which kube's
// CronJob controller uses: fields, names, steps, macros, time zones across month ends and DST
// changes, and the error messages kube-apiserver returns for invalid schedules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cronScheduleError, parseStandard } from '../src/api/cron-schedule.ts';
import { mostRecentScheduleTime, nextScheduleTimeDuration, type CronJob } from '../src/controllers/cronjob/utils.ts';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString().replace('.000Z', 'Z'));

/** The next `n` activations after `from` (UTC ISO strings). */
function nextRuns(spec: string, from: string, n = 3): (string | undefined)[] {
  const schedule = parseStandard(spec);
  const out: (string | undefined)[] = [];
  let t: number | undefined = Date.parse(from);
  for (let i = 0; i < n && t !== undefined; i++) {
    t = schedule.next(t);
    out.push(iso(t));
  }
  return out;
}

describe('cron schedule: next runs', () => {
  it('every minute, every 15 minutes, lists and ranges', () => {
    assert.deepEqual(nextRuns('* * * * *', '2025-01-01T00:00:30Z'), ['2025-01-01T00:01:00Z', '2025-01-01T00:02:00Z', '2025-01-01T00:03:00Z']);
    assert.deepEqual(nextRuns('*/15 * * * *', '2025-01-01T00:50:00Z'), ['2025-01-01T01:00:00Z', '2025-01-01T01:15:00Z', '2025-01-01T01:30:00Z']);
    assert.deepEqual(nextRuns('5,10 8-9 * * *', '2025-01-01T08:07:00Z', 4),
      ['2025-01-01T08:10:00Z', '2025-01-01T09:05:00Z', '2025-01-01T09:10:00Z', '2025-01-02T08:05:00Z']);
    assert.deepEqual(nextRuns('10/20 * * * *', '2025-01-01T00:00:00Z'), ['2025-01-01T00:10:00Z', '2025-01-01T00:30:00Z', '2025-01-01T00:50:00Z']);
  });

  it('crosses month and year ends; the 31st only in months that have one; Feb 29 only in leap years', () => {
    assert.deepEqual(nextRuns('0 0 31 * *', '2025-01-31T12:00:00Z'), ['2025-03-31T00:00:00Z', '2025-05-31T00:00:00Z', '2025-07-31T00:00:00Z']);
    assert.deepEqual(nextRuns('0 12 29 2 *', '2025-01-01T00:00:00Z', 2), ['2028-02-29T12:00:00Z', '2032-02-29T12:00:00Z']);
    assert.deepEqual(nextRuns('59 23 31 12 *', '2025-12-31T23:59:00Z', 1), ['2026-12-31T23:59:00Z']);
  });

  it('names months and weekdays, case-insensitively; `?` is `*`', () => {
    assert.deepEqual(nextRuns('0 9 ? jan-mar MON-fri', '2025-03-28T10:00:00Z'), ['2025-03-31T09:00:00Z', '2026-01-01T09:00:00Z', '2026-01-02T09:00:00Z']);
    assert.deepEqual(nextRuns('0 0 * * SUN', '2025-01-01T00:00:00Z', 2), ['2025-01-05T00:00:00Z', '2025-01-12T00:00:00Z']);
  });

  it('day of month and day of week: either matches when both are restricted, both when one is *', () => {
    // The 1st, or any Monday.
    assert.deepEqual(nextRuns('0 0 1 * 1', '2025-01-01T00:00:00Z', 3), ['2025-01-06T00:00:00Z', '2025-01-13T00:00:00Z', '2025-01-20T00:00:00Z']);
    // */2 is not `*`: odd days or Mondays.
    assert.deepEqual(nextRuns('0 0 */2 * 1', '2025-01-01T00:00:00Z', 3), ['2025-01-03T00:00:00Z', '2025-01-05T00:00:00Z', '2025-01-06T00:00:00Z']);
  });

  it('macros', () => {
    const from = '2025-06-15T10:20:30Z';
    assert.deepEqual(nextRuns('@yearly', from, 1), ['2026-01-01T00:00:00Z']);
    assert.deepEqual(nextRuns('@annually', from, 1), ['2026-01-01T00:00:00Z']);
    assert.deepEqual(nextRuns('@monthly', from, 1), ['2025-07-01T00:00:00Z']);
    assert.deepEqual(nextRuns('@weekly', from, 1), ['2025-06-22T00:00:00Z']);
    assert.deepEqual(nextRuns('@daily', from, 1), ['2025-06-16T00:00:00Z']);
    assert.deepEqual(nextRuns('@midnight', from, 1), ['2025-06-16T00:00:00Z']);
    assert.deepEqual(nextRuns('@hourly', from, 1), ['2025-06-15T11:00:00Z']);
    assert.deepEqual(nextRuns('@every 90s', from, 2), ['2025-06-15T10:22:00Z', '2025-06-15T10:23:30Z']);
  });

  it('in a time zone: 09:00 in Tokyo is 00:00 UTC', () => {
    assert.deepEqual(nextRuns('TZ=Asia/Tokyo 0 9 * * *', '2025-01-01T01:00:00Z', 2), ['2025-01-02T00:00:00Z', '2025-01-03T00:00:00Z']);
  });

  it('DST in New York: 02:30 does not exist on the spring-forward day, 01:30 happens twice in the fall', () => {
    assert.deepEqual(nextRuns('CRON_TZ=America/New_York 30 2 * * *', '2024-03-09T12:00:00Z', 2), ['2024-03-11T06:30:00Z', '2024-03-12T06:30:00Z']);
    assert.deepEqual(nextRuns('CRON_TZ=America/New_York 30 1 * * *', '2024-11-02T12:00:00Z', 3),
      ['2024-11-03T05:30:00Z', '2024-11-03T06:30:00Z', '2024-11-04T06:30:00Z']);
    // Midnight after the change is still midnight: EDT before, EST after.
    assert.deepEqual(nextRuns('CRON_TZ=America/New_York @daily', '2024-11-02T12:00:00Z', 2), ['2024-11-03T04:00:00Z', '2024-11-04T05:00:00Z']);
  });
});

describe('cron schedule: invalid specs, with robfig/cron messages', () => {
  const cases: [string, string][] = [
    ['', 'empty spec string'],
    ['* * * *', 'expected exactly 5 fields, found 4: [* * * *]'],
    ['0 0 * * * *', 'expected exactly 5 fields, found 6: [0 0 * * * *]'],
    ['60 * * * *', 'end of range (60) above maximum (59): 60'],
    ['* 24 * * *', 'end of range (24) above maximum (23): 24'],
    ['* * 0 * *', 'beginning of range (0) below minimum (1): 0'],
    ['* * * 13 *', 'end of range (13) above maximum (12): 13'],
    ['* * * * 7', 'end of range (7) above maximum (6): 7'],
    ['5-1 * * * *', 'beginning of range (5) beyond end of range (1): 5-1'],
    ['*/0 * * * *', 'step of range should be a positive number: */0'],
    ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
    ['*/2/3 * * * *', 'too many slashes: */2/3'],
    ['x * * * *', 'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax'],
    ['* * * FOO *', 'failed to parse int from FOO: strconv.Atoi: parsing "FOO": invalid syntax'],
    ['@fortnightly', 'unrecognized descriptor: @fortnightly'],
    ['@every 5x', 'failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"'],
    ['TZ=Mars/Olympus 0 0 * * *', 'provided bad location Mars/Olympus: unknown time zone Mars/Olympus'],
  ];
  for (const [spec, message] of cases) {
    it(JSON.stringify(spec), () => assert.equal(cronScheduleError(spec), message));
  }
  it('valid specs have no error', () => {
    for (const spec of ['0 0 * * *', '@hourly', 'TZ=Europe/Berlin 0 9 * * 1-5', '*/5 * * JAN,jul sat']) assert.equal(cronScheduleError(spec), undefined, spec);
  });
});

describe('cron schedule: the controller\'s view of due times', () => {
  const cronJob = (created: string, extra: Partial<CronJob['spec']> = {}, lastScheduleTime?: string): CronJob => ({
    metadata: { name: 'c', namespace: 'default', creationTimestamp: created },
    spec: { schedule: '* * * * *', jobTemplate: { spec: {} }, ...extra },
    status: lastScheduleTime ? { lastScheduleTime } : {},
  });

  it('the most recent due time, and the count of missed ones estimated as kube does', () => {
    const schedule = parseStandard('* * * * *');
    const now = Date.parse('2025-01-01T00:10:30Z');
    const r = mostRecentScheduleTime(cronJob('2025-01-01T00:00:10Z'), now, schedule, true);
    assert.equal(iso(r.mostRecent), '2025-01-01T00:10:00Z');
    assert.equal(r.missed, 'few');
    assert.equal(mostRecentScheduleTime(cronJob('2024-12-31T00:00:00Z'), now, schedule, true).missed, 'many');
    // startingDeadlineSeconds bounds how far back it looks.
    assert.equal(mostRecentScheduleTime(cronJob('2024-12-31T00:00:00Z', { startingDeadlineSeconds: 200 }), now, schedule, true).missed, 'few');
    assert.equal(mostRecentScheduleTime(cronJob('2025-01-01T00:10:05Z'), now, schedule, true).mostRecent, undefined);
  });

  it('the next wake-up is 100 ms after the next due time', () => {
    const schedule = parseStandard('*/5 * * * *');
    const now = Date.parse('2025-01-01T00:10:30Z');
    assert.equal(nextScheduleTimeDuration(cronJob('2025-01-01T00:00:00Z', {}, '2025-01-01T00:10:00Z'), now, schedule), 4 * 60_000 + 30_000 + 100);
  });
});
