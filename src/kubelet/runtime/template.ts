// The few templates image data uses: `{{name}}` or `{{name args...}}`, each name a value or a
// function of its arguments (`{{time %d/%b/%Y:%H:%M:%S %z}}`, `{{flag http-port 8080}}`).
// Unknown names render empty, as a missing header does in an access log.
import { formatDate } from './commands/basic.ts';

export type TemplateValue = string | number | ((args: string[]) => string);

export function renderTemplate(template: string, values: Record<string, TemplateValue | undefined>): string {
  return template.replace(/\{\{\s*([A-Za-z][\w-]*)((?:\s+[^}]*)?)\s*\}\}/g, (_, name: string, rest: string) => {
    const value = values[name];
    const args = rest.trim() ? rest.trim().split(/\s+/) : [];
    if (typeof value === 'function') return value(args);
    return value === undefined ? '' : String(value);
  });
}

/** Functions every image template has: the time, and a program's flags and arguments. */
export function programValues(args: string[], now = new Date()): Record<string, TemplateValue> {
  return {
    time: (fmt) => formatDate(now, fmt.join(' ') || undefined),
    flag: ([name, fallback]) => flagValue(args, name) ?? fallback ?? '',
    arg: ([n, fallback]) => positional(args)[Number(n)] ?? fallback ?? '',
  };
}

/** A flag's value in any of Go's and getopt's spellings: --name=v, -name=v, --name v, -n v, -nV. */
export function flagValue(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    for (const prefix of ['--', '-']) {
      if (a === `${prefix}${name}`) return args[i + 1] !== undefined && !args[i + 1].startsWith('-') ? args[i + 1] : '';
      if (a.startsWith(`${prefix}${name}=`)) return a.slice(prefix.length + name.length + 1);
    }
    if (name.length === 1 && /^-[A-Za-z]+/.test(a) && !a.startsWith('--')) {
      const at = a.indexOf(name, 1);
      if (at > 0 && /^[A-Za-z]+$/.test(a.slice(1, at))) return a.slice(at + 1) || (args[i + 1] ?? '');
    }
  }
  return undefined;
}

export function hasFlag(args: string[], name: string): boolean {
  return flagValue(args, name) !== undefined;
}

/** Arguments that are not flags (nor a flag's separate value, when it looks like one). */
function positional(args: string[]): string[] {
  return args.filter((a) => !a.startsWith('-'));
}

/** A port from `8080`, `:5678` or `0.0.0.0:8080`. */
export function portOf(value: string | number): number {
  const m = /(\d+)\s*$/.exec(String(value));
  return m ? Number(m[1]) : NaN;
}
