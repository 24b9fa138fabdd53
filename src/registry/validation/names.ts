// Syntax checks for names, label keys and values, ports and addresses, with the messages of
// k8s.io/apimachinery/pkg/util/validation (v0.32) and pkg/api/validation/path. Each check
// returns the list of problems; an empty list means the value is valid.
import { isIPv6 } from 'node:net';

// ---- message builders (validation.MaxLenError, RegexError, EmptyError) ----

export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** `msg (e.g. 'a',  or 'b', regex used for validation is 'fmt')`, the double space included. */
export function regexError(msg: string, format: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${format}')`;
  const shown = examples.map((e) => `'${e}', `).join(' or ');
  return `${msg} (e.g. ${shown}regex used for validation is '${format}')`;
}

export function emptyError(): string {
  return 'must be non-empty';
}

function anchored(format: string): RegExp {
  return new RegExp(`^(?:${format})$`);
}

// Go's len() counts bytes; names are ASCII when valid, but a too-long check must not be fooled
// by multi-byte characters.
function byteLength(value: string): number {
  return Buffer.byteLength(value, 'utf8');
}

// ---- DNS names ----

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123LabelErrMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
export const dns1123LabelMaxLength = 63;
const dns1123LabelRegexp = anchored(dns1123LabelFmt);

const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainErrMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
export const dns1123SubdomainMaxLength = 253;
const dns1123SubdomainRegexp = anchored(dns1123SubdomainFmt);

const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const dns1035LabelErrMsg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
export const dns1035LabelMaxLength = 63;
const dns1035LabelRegexp = anchored(dns1035LabelFmt);

/** validation.IsDNS1123Subdomain: object names of most kinds. */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > dns1123SubdomainMaxLength) errs.push(maxLenError(dns1123SubdomainMaxLength));
  if (!dns1123SubdomainRegexp.test(value)) errs.push(regexError(dns1123SubdomainErrMsg, dns1123SubdomainFmt, 'example.com'));
  return errs;
}

/** validation.IsDNS1123Label: namespace names; a valid subdomain with dots gets "must not contain dots". */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > dns1123LabelMaxLength) errs.push(maxLenError(dns1123LabelMaxLength));
  if (!dns1123LabelRegexp.test(value)) {
    if (dns1123SubdomainRegexp.test(value)) errs.push('must not contain dots');
    else errs.push(regexError(dns1123LabelErrMsg, dns1123LabelFmt, 'my-name', '123-abc'));
  }
  return errs;
}

/** validation.IsDNS1035Label: Service names. */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > dns1035LabelMaxLength) errs.push(maxLenError(dns1035LabelMaxLength));
  if (!dns1035LabelRegexp.test(value)) errs.push(regexError(dns1035LabelErrMsg, dns1035LabelFmt, 'my-name', 'abc-123'));
  return errs;
}

// ---- qualified names (label and annotation keys, finalizers) and label values ----

const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const qualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const qualifiedNameMaxLength = 63;
const qualifiedNameRegexp = anchored(qualifiedNameFmt);
const qualifiedNameExamples = ['MyName', 'my.name', '123-abc'];

/** validation.IsQualifiedName: `[prefix/]name`, the prefix a DNS subdomain, the name ≤ 63 characters. */
export function isQualifiedName(value: string): string[] {
  const parts = value.split('/');
  if (parts.length > 2) {
    return ['a qualified name ' + regexError(qualifiedNameErrMsg, qualifiedNameFmt, ...qualifiedNameExamples) +
      " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
  }
  const errs = parts.length === 2 ? qualifiedNamePrefixErrors(parts[0]) : [];
  const name = parts[parts.length - 1];
  if (name.length === 0) errs.push('name part ' + emptyError());
  else if (byteLength(name) > qualifiedNameMaxLength) errs.push('name part ' + maxLenError(qualifiedNameMaxLength));
  if (!qualifiedNameRegexp.test(name)) errs.push('name part ' + regexError(qualifiedNameErrMsg, qualifiedNameFmt, ...qualifiedNameExamples));
  return errs;
}

function qualifiedNamePrefixErrors(prefix: string): string[] {
  if (prefix.length === 0) return ['prefix part ' + emptyError()];
  return isDNS1123Subdomain(prefix).map((msg) => 'prefix part ' + msg);
}

const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueErrMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
export const labelValueMaxLength = 63;
const labelValueRegexp = anchored(labelValueFmt);

/** validation.IsValidLabelValue: empty, or a qualified name's name part. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > labelValueMaxLength) errs.push(maxLenError(labelValueMaxLength));
  if (!labelValueRegexp.test(value)) errs.push(regexError(labelValueErrMsg, labelValueFmt, 'MyValue', 'my_value', '12345'));
  return errs;
}

// ---- path segments (RBAC object names), as pkg/api/validation/path ----

const nameMayNotBe = ['.', '..'];
const nameMayNotContain = ['/', '%'];

/** path.IsValidPathSegmentName: the name must survive being one segment of a URL path. */
export function isValidPathSegmentName(name: string): string[] {
  for (const illegal of nameMayNotBe) {
    if (name === illegal) return [`may not be '${illegal}'`];
  }
  return isValidPathSegmentPrefix(name);
}

/** path.IsValidPathSegmentPrefix: as above for a generateName (a suffix may make '.' valid). */
export function isValidPathSegmentPrefix(name: string): string[] {
  return nameMayNotContain.filter((s) => name.includes(s)).map((s) => `may not contain '${s}'`);
}

// ---- ports ----

/** validation.IsValidPortName: IANA_SVC_NAME, lower case, at most 15 characters. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (byteLength(port) > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.startsWith('-') || port.endsWith('-')) errs.push('must not begin or end with a hyphen');
  return errs;
}

/** validation.IsValidPortNum. */
export function isValidPortNum(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

// ---- IP addresses, parsed as k8s.io/utils/net's ParseIPSloppy (IPv4 leading zeros allowed) ----

function isSloppyIPv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => /^[0-9]+$/.test(p) && Number(p) <= 255);
}

/** Go's net.ParseIP (sloppy): dotted IPv4, or IPv6 without a zone. */
export function parseIPSloppy(value: string): 4 | 6 | undefined {
  if (isSloppyIPv4(value)) return 4;
  if (value.includes('%') || !value.includes(':')) return undefined;
  // An embedded IPv4 tail may have leading zeros too; normalise it before asking node.
  const tail = value.slice(value.lastIndexOf(':') + 1);
  const normalised = tail.includes('.') && isSloppyIPv4(tail)
    ? value.slice(0, value.length - tail.length) + tail.split('.').map(Number).join('.')
    : value;
  return isIPv6(normalised) ? 6 : undefined;
}

/** validation.IsValidIP (its message, without the field path). */
export function isValidIP(value: string): string[] {
  return parseIPSloppy(value) ? [] : ['must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'];
}

/** validation.IsValidCIDR: `address/prefix` with the prefix within the family's bit length. */
export function isCIDR(value: string): string[] {
  const slash = value.indexOf('/');
  const family = slash > 0 ? parseIPSloppy(value.slice(0, slash)) : undefined;
  const prefix = value.slice(slash + 1);
  const ok = family !== undefined && /^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
  return ok ? [] : ['must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'];
}
