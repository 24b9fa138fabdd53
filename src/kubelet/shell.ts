// The stage engine's dry run of a container's command: a pure, synchronous reading of simple
// scripts (`echo`, `printf`, `env`, `cat`, `sleep`, `exit`, joined by `;` `&&` `||`) that says,
// without running anything, what a container prints, how long it runs and how it exits, for
// the golden stage tests and for containers the runtime does not run. The shell containers
// really run (pipes, loops, streaming, a terminal) is src/kubelet/runtime/shell/; when it runs
// a container's own command, its exit is what ends the container.

export interface ShellEnv {
  env: Record<string, string>;
  hostname: string;
  /** File contents by absolute path (/etc/hostname, configMap/secret mounts). */
  files: Record<string, string>;
}

export interface ShellResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** Seconds spent in `sleep`; Infinity for `sleep infinity` or a program that does not end. */
  seconds: number;
  /** False when the script ran a command the shell does not know. */
  understood: boolean;
}

const shells = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'busybox sh']);

/** The script a container or exec runs: `sh -c '<script>'` unwrapped; otherwise the argv quoted back. */
export function scriptOf(argv: string[]): string {
  const base = (argv[0] ?? '').split('/').pop() ?? '';
  if (shells.has(base)) {
    const c = argv.indexOf('-c', 1);
    const ce = argv.findIndex((a, i) => i > 0 && /^-[a-z]*c$/.test(a));
    const at = c >= 0 ? c : ce;
    if (at >= 0) return argv[at + 1] ?? '';
  }
  return argv.map(quote).join(' ');
}

function quote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function runScript(script: string, shell: ShellEnv): ShellResult {
  const result: ShellResult = { stdout: '', stderr: '', exitCode: 0, seconds: 0, understood: true };
  const statements = splitStatements(script);
  let skip: '&&' | '||' | undefined;
  for (const { text, then } of statements) {
    const run = skip === undefined || (skip === '&&' ? result.exitCode === 0 : result.exitCode !== 0);
    if (run) {
      const words = splitWords(text, shell.env);
      if (words.length) {
        const exited = runCommand(words, shell, result);
        if (exited || result.seconds === Infinity) return result;
      }
    }
    skip = then === ';' ? undefined : then;
  }
  return result;
}

/** Runs one simple command into `result`; true when the script must stop (exit). */
function runCommand(words: string[], shell: ShellEnv, result: ShellResult): boolean {
  // Leading VAR=value assignments set shell variables.
  while (words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0])) {
    const [name, ...value] = words.shift()!.split('=');
    shell.env[name] = value.join('=');
  }
  if (!words.length) return false;
  const [cmd, ...args] = words;
  const name = cmd.split('/').pop()!;
  result.exitCode = 0;
  switch (name) {
    case 'echo': {
      const noNewline = args[0] === '-n';
      const text = (noNewline ? args.slice(1) : args).join(' ');
      result.stdout += noNewline ? text : `${text}\n`;
      return false;
    }
    case 'printf':
      result.stdout += (args[0] ?? '').replace(/%s/g, () => args.splice(1, 1)[0] ?? '').replace(/\\n/g, '\n').replace(/\\t/g, '\t');
      return false;
    case 'env':
    case 'printenv': {
      if (args.length) {
        const values = args.map((a) => shell.env[a]);
        for (const v of values) if (v !== undefined) result.stdout += `${v}\n`;
        result.exitCode = values.every((v) => v !== undefined) ? 0 : 1;
      } else for (const [k, v] of Object.entries(shell.env)) result.stdout += `${k}=${v}\n`;
      return false;
    }
    case 'hostname':
      result.stdout += `${shell.hostname}\n`;
      return false;
    case 'pwd':
      result.stdout += `${shell.env.PWD ?? '/'}\n`;
      return false;
    case 'cat': {
      for (const path of args.length ? args : ['/dev/stdin']) {
        const text = shell.files[path];
        if (text === undefined) {
          result.stderr += `cat: ${path}: No such file or directory\n`;
          result.exitCode = 1;
        } else result.stdout += text;
      }
      return false;
    }
    case 'sleep': {
      const arg = args[0] ?? '';
      result.seconds += arg === 'infinity' ? Infinity : parseSleep(arg);
      return false;
    }
    case 'true':
    case ':':
      return false;
    case 'false':
      result.exitCode = 1;
      return false;
    case 'exit':
      result.exitCode = Number(args[0] ?? 0) & 255;
      return true;
    default:
      result.understood = false;
      result.stderr += `sh: ${cmd}: not found\n`;
      result.exitCode = 127;
      return false;
  }
}

function parseSleep(arg: string): number {
  const m = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(arg);
  if (!m) return 0;
  return Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600, d: 86400 } as Record<string, number>)[m[2]];
}

interface Statement {
  text: string;
  /** How the next statement is joined to this one. */
  then: ';' | '&&' | '||';
}

/** Splits on ; && || and newlines outside quotes. */
function splitStatements(script: string): Statement[] {
  const out: Statement[] = [];
  let current = '';
  let q: string | undefined;
  for (let i = 0; i < script.length; i++) {
    const ch = script[i];
    if (q) {
      current += ch;
      if (ch === '\\' && q === '"') current += script[++i] ?? '';
      else if (ch === q) q = undefined;
      continue;
    }
    if (ch === "'" || ch === '"') q = ch;
    const two = script.slice(i, i + 2);
    if (two === '&&' || two === '||') {
      out.push({ text: current, then: two });
      current = '';
      i++;
    } else if (ch === ';' || ch === '\n') {
      out.push({ text: current, then: ';' });
      current = '';
    } else current += ch;
  }
  out.push({ text: current, then: ';' });
  return out.filter((s) => s.text.trim());
}

/** Splits one command into words: quotes removed, $VAR and ${VAR} expanded (not inside single quotes). */
function splitWords(text: string, env: Record<string, string>): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let q: string | undefined;
  const expand = (s: string, i: number): [string, number] => {
    const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}/.exec(s.slice(i));
    const plain = /^\$([A-Za-z_][A-Za-z0-9_]*|\?|\$)/.exec(s.slice(i));
    const m = braced ?? plain;
    if (!m) return ['$', i + 1];
    return [env[m[1]] ?? '', i + m[0].length];
  };
  for (let i = 0; i < text.length;) {
    const ch = text[i];
    if (q === "'") {
      if (ch === "'") q = undefined;
      else word += ch;
      i++;
    } else if (q === '"') {
      if (ch === '"') q = undefined, i++;
      else if (ch === '\\' && i + 1 < text.length) word += text[i + 1], i += 2;
      else if (ch === '$') {
        const [v, next] = expand(text, i);
        word += v;
        i = next;
      } else word += ch, i++;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else {
      inWord = true;
      if (ch === "'" || ch === '"') q = ch, i++;
      else if (ch === '\\' && i + 1 < text.length) word += text[i + 1], i += 2;
      else if (ch === '$') {
        const [v, next] = expand(text, i);
        word += v;
        i = next;
      } else word += ch, i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
