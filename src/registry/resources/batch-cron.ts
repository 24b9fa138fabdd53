// CronJob schedules and time zones as kube-apiserver checks them: github.com/robfig/cron/v3's
// ParseStandard (5 fields or an @descriptor) with its error messages, and validateTimeZone's
// IANA-name rules (time.LoadLocation stands in as Intl's time-zone database).

// The parser itself is the CronJob controller's (robfig/cron v3's ParseStandard, with Next()),
// so that what the API accepts and what the controller runs cannot drift apart.
export { cronScheduleError } from '../../api/cron-schedule.ts';
import { isKnownTimeZone } from '../../api/time-zone.ts';

// ---- time zones ----

// https://data.iana.org/time-zones/theory.html#naming, with 0-9 and + tolerated for legacy names.
const validTimeZoneCharacters = /^[A-Za-z.\-_0-9+]{1,14}$/;

/** validateTimeZone's message for a set spec.timeZone, or undefined when it is valid. */
export function timeZoneError(timeZone: string): string | undefined {
  if (timeZone.length === 0) return 'timeZone must be nil or non-empty string';
  for (const part of timeZone.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !validTimeZoneCharacters.test(part)) return `unknown time zone ${timeZone}`;
  }
  if (timeZone.toLowerCase() === 'local') {
    return 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones';
  }
  return isKnownTimeZone(timeZone) ? undefined : `unknown time zone ${timeZone}`;
}
