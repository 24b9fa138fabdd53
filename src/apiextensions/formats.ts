// The string formats kube-apiserver checks in CRD schemas (apiextensions' supported formats,
// validated by go-openapi's strfmt registry). Formats kube does not know are not checked.
import { isIP } from 'node:net';

const re = (r: RegExp) => (s: string) => r.test(s);

const dateTime = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:?\d{2})?$/;
const date = /^\d{4}-\d{2}-\d{2}$/;
const uuid = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
const hostname = /^(?=.{1,255}$)[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/;
const email = /^[^\s@]+@[^\s@]+$/;
const mac = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$|^([0-9a-fA-F]{4}\.){2}[0-9a-fA-F]{4}$/;
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** Go's time.ParseDuration units, and strfmt's long forms (e.g. "3 days"). */
const duration = /^(-?\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$|^\d+\s*(s|m|h|d|w|second|minute|hour|day|week)s?$/;

function cidr(s: string): boolean {
  const [ip, bits, ...rest] = s.split('/');
  if (rest.length || bits === undefined || !/^\d+$/.test(bits)) return false;
  const family = isIP(ip);
  return family !== 0 && Number(bits) <= (family === 4 ? 32 : 128);
}

function uri(s: string): boolean {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

export const formats: Record<string, (s: string) => boolean> = {
  'date-time': re(dateTime),
  datetime: re(dateTime),
  date: re(date),
  uuid: re(uuid),
  uuid3: re(uuid),
  uuid4: re(uuid),
  uuid5: re(uuid),
  hostname: re(hostname),
  email: re(email),
  mac: re(mac),
  byte: re(base64),
  duration: re(duration),
  ipv4: (s) => isIP(s) === 4,
  ipv6: (s) => isIP(s) === 6,
  cidr,
  uri,
};
