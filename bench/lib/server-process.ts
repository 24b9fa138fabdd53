// kubelite as a child process (`node bin/kubelite.js`, the compiled bundle), so that RSS and CPU are the server's alone: spawn, wait for the
// URL it prints and for /readyz, read its RSS from /proc, stop it (SIGTERM, then SIGKILL).
// Two ways in: `user`, the HTTPS port with the admin kubeconfig's client certificate (what
// kubectl and every client library do: TLS, authentication, RBAC and admission on every
// request), and `insecure`, the plain-HTTP port with no authentication (what the server costs
// without TLS and authentication, for the rows that say so).
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { ensureBuilt } from '../../test/support/process.ts';
import { HttpClient, type ClientTls } from './http.ts';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const urlPattern = /serving the Kubernetes API at (https:\/\/[^\s)]+)(?: \(ready in (\d+) ms\))?/;
// The load goes to the plain-HTTP insecure port (no TLS handshakes or client-certificate checks in the figures).
const insecurePattern = /insecure port \(plain HTTP, no authentication\): (http:\/\/\S+)/;
const running = new Set<ChildProcess>();
/** USER_HZ, 100 on every Linux Node runs on. */
const clockTicksPerSecond = 100;

// Whatever happens to the bench, no server outlives it.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Flags every server gets (the storage backend: `npm run bench -- --storage=etcd`). */
let storageFlags: () => string[] = () => [];
export function setStorageFlags(flags: () => string[]): void {
  storageFlags = flags;
}

/** The API server alone: the workers main.ts starts by default would add their own load. */
export const apiServerOnly = ['--no-scheduler', '--no-kubelet'];

/** How the bench's clients reach the server: as a user does (HTTPS, client certificate), or the insecure port. */
export type Access = 'user' | 'insecure';

export interface StartOptions {
  dataDir: string;
  /** More kubelite flags (default: `apiServerOnly`). */
  flags?: string[];
  /** Default `insecure` (with `--insecure-port 0`); `user` starts no insecure port at all, as `npm start`. */
  access?: Access;
  /** Write a V8 CPU profile of the server into this directory when it stops. */
  cpuProfDir?: string;
  timeoutMs?: number;
  /** Storage flags for this server instead of the run's (`--compare-etcd` starts its etcd rows so). */
  storageFlags?: string[];
  /** Node flags (heap size and the like), before the script. */
  nodeArgs?: string[];
}

export interface StartTimings {
  /** Spawn → the "serving" line on stdout. */
  spawnToUrlMs: number;
  /** Spawn → the first `/readyz` answering 200. */
  spawnToReadyMs: number;
  /** The server's own account of startApiServer (the "ready in N ms" it prints, NaN if not); the rest is Node and loading modules. */
  startApiServerMs: number;
}

export class ServerProcess {
  /** CPU seconds used by every server stopped so far (read just before stopping). */
  static stoppedCpuSeconds = 0;

  private constructor(private readonly child: ChildProcess, readonly url: string, private readonly output: string[], readonly tls?: ClientTls) {}

  /** A keep-alive client for this server, authenticated as the admin when it is reached over HTTPS. */
  client(maxSockets = 128): HttpClient {
    return new HttpClient(this.url, maxSockets, this.tls);
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(opts: StartOptions): Promise<{ server: ServerProcess; timings: StartTimings }> {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const nodeArgs: string[] = [...(opts.nodeArgs ?? [])];
    if (opts.cpuProfDir) nodeArgs.push('--cpu-prof', '--cpu-prof-dir', opts.cpuProfDir);
    // As users start it: bin/kubelite.js runs the bundle in dist/, built here if src/ changed.
    ensureBuilt();
    const access = opts.access ?? 'insecure';
    const accessFlags = access === 'insecure' ? ['--insecure-port', '0'] : [];
    const t0 = performance.now();
    const child = spawn(process.execPath, [...nodeArgs, 'bin/kubelite.js', '--data-dir', opts.dataDir, '--port', '0', ...accessFlags, ...(opts.storageFlags ?? storageFlags()), ...(opts.flags ?? apiServerOnly)], {
      cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
    });
    running.add(child);
    child.once('exit', () => running.delete(child));
    const lines: string[] = [];
    let insecureUrl: string | undefined;
    const [url, startApiServerMs] = await new Promise<[string, number]>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kubelite printed no URL in ${timeoutMs} ms:\n${lines.join('\n')}`)), timeoutMs);
      const onLine = (line: string) => {
        lines.push(line);
        if (lines.length > 1000) lines.splice(0, lines.length - 1000);
        insecureUrl ??= insecurePattern.exec(line)?.[1];
        const match = urlPattern.exec(line);
        if (match && (insecureUrl || access === 'user')) {
          clearTimeout(timer);
          resolve([access === 'user' ? match[1]! : insecureUrl!, match[2] === undefined ? NaN : Number(match[2])]);
        }
      };
      forEachLine(child.stdout!, onLine);
      forEachLine(child.stderr!, onLine);
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`kubelite exited (${signal ?? code}) before serving:\n${lines.join('\n')}`));
      });
    });
    const spawnToUrlMs = performance.now() - t0;
    const tls = access === 'user' ? await adminTls(opts.dataDir) : undefined;
    await waitReady(new HttpClient(url, 1, tls), t0 + timeoutMs);
    return { server: new ServerProcess(child, url, lines, tls), timings: { spawnToUrlMs, spawnToReadyMs: performance.now() - t0, startApiServerMs } };
  }

  /** Resident set size of the server process (VmRSS), in bytes. */
  async rssBytes(): Promise<number> {
    const status = await readFile(`/proc/${this.pid}/status`, 'utf8');
    const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
    if (!kb) throw new Error(`no VmRSS in /proc/${this.pid}/status`);
    return Number(kb[1]) * 1024;
  }

  /** CPU time (user + system) the server has used so far, in seconds. */
  async cpuSeconds(): Promise<number> {
    const stat = await readFile(`/proc/${this.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond;
  }

  /** Whether the server logged a line containing `text` (its last 1,000 lines are kept). */
  logged(text: string): boolean {
    return this.output.some((line) => line.includes(text));
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    ServerProcess.stoppedCpuSeconds += await this.cpuSeconds().catch(() => 0);
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Runs `npm run build` unless dist/ is newer than every file in src/ (what bin/kubelite.js checks). */
/** Stops every server still running (for failure paths). */
export async function stopAllServers(): Promise<void> {
  await Promise.all([...running].map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  })));
}

function forEachLine(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    rest += chunk;
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      onLine(rest.slice(0, nl));
      rest = rest.slice(nl + 1);
    }
  });
}

async function waitReady(client: HttpClient, deadline: number): Promise<void> {
  try {
    while (performance.now() < deadline) {
      const status = await client.request('GET', '/readyz').then((res) => res.status, () => 0);
      if (status === 200) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    client.close();
  }
  throw new Error(`${client.host}:${client.port}/readyz did not answer 200 in time`);
}

/** The CA and the admin's client certificate from the kubeconfig kubelite writes beside its store. */
async function adminTls(dataDir: string): Promise<ClientTls> {
  const config = parseYaml(await readFile(join(dataDir, 'kubeconfig'), 'utf8')) as {
    clusters: { cluster: Record<string, string> }[];
    users: { user: Record<string, string> }[];
  };
  const pem = (b64: string | undefined, what: string) => {
    if (!b64) throw new Error(`${dataDir}/kubeconfig has no ${what}`);
    return Buffer.from(b64, 'base64').toString('utf8');
  };
  return {
    ca: pem(config.clusters[0]?.cluster['certificate-authority-data'], 'certificate-authority-data'),
    cert: pem(config.users[0]?.user['client-certificate-data'], 'client-certificate-data'),
    key: pem(config.users[0]?.user['client-key-data'], 'client-key-data'),
  };
}
