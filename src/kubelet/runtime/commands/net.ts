// Network clients and nc, over the pod's network (see ../network.ts): wget and curl resolve a
// Service's DNS name (svc, svc.ns, svc.ns.svc.cluster.local) or a pod IP and speak HTTP through
// node's client on the dialed stream; `nc -l -p PORT` listens in the pod, `nc HOST PORT` dials.
import { request, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { normalizePath } from '../filesystem.ts';
import { readAll } from '../shell/io.ts';
import { Interrupted, type CommandContext, type CommandFn } from '../shell/types.ts';
import { parseFlags } from './files.ts';

interface HttpResult {
  status: number;
  statusText: string;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: Buffer;
  httpVersion: string;
}

async function httpGet(ctx: CommandContext, url: string, method = 'GET', body?: string, headers: Record<string, string> = {}): Promise<HttpResult> {
  const u = new URL(/^[a-z]+:\/\//i.test(url) ? url : `http://${url}`);
  if (u.protocol !== 'http:') throw new Error(`${u.protocol.replace(':', '')} is not supported`);
  const port = Number(u.port || 80);
  const network = ctx.host.network;
  if (!network) throw new Error('network is unreachable');
  const socket = await network.dial(u.hostname, port, ctx.signal);
  return new Promise((resolve, reject) => {
    const req = request({
      method, host: u.hostname, port, path: `${u.pathname}${u.search}`,
      headers: { 'User-Agent': ctx.argv[0].endsWith('curl') ? 'curl/8.5.0' : 'Wget', Accept: '*/*', ...headers },
      createConnection: () => socket as never,
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        socket.destroy();
        resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks), httpVersion: res.httpVersion });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    ctx.signal.addEventListener('abort', () => {
      req.destroy();
      reject(new Interrupted());
    }, { once: true });
    req.end(body);
  });
}

const wget: CommandFn = async (ctx) => {
  const { flags, operands } = parseFlags(ctx.argv.slice(1), 'OTU');
  const url = operands[0];
  if (!url) {
    await ctx.stderr.write('BusyBox v1.36.1 multi-call binary.\n\nUsage: wget [-cqS] [-O FILE] URL...\n');
    return 1;
  }
  const quiet = flags.has('q');
  const u = new URL(/^[a-z]+:\/\//i.test(url) ? url : `http://${url}`);
  if (!quiet) await ctx.stderr.write(`Connecting to ${u.host}\n`);
  let res: HttpResult;
  try {
    res = await httpGet(ctx, url);
  } catch (err) {
    if (err instanceof Interrupted) throw err;
    await ctx.stderr.write(`wget: ${(err as Error).message}\n`);
    return 1;
  }
  if (res.status >= 400) {
    await ctx.stderr.write(`wget: server returned error: HTTP/${res.httpVersion} ${res.status} ${res.statusText}\n`);
    return 1;
  }
  const out = flags.get('O') ?? (u.pathname.split('/').pop() || 'index.html');
  if (out === '-') await ctx.stdout.write(res.body);
  else if (normalizePath(out, ctx.cwd) !== '/dev/null') {
    ctx.host.fs.writeFile(normalizePath(out, ctx.cwd), res.body);
    if (!quiet) await ctx.stderr.write(`saving to '${out}'\n${out}              100% |********************************| ${res.body.length}  0:00:00 ETA\n'${out}' saved\n`);
  }
  return 0;
};

const curl: CommandFn = async (ctx) => {
  const { flags, operands } = parseFlags(ctx.argv.slice(1), 'oXdHwm');
  const url = operands[0];
  const silent = flags.has('s');
  const showErrors = flags.has('S') || !silent;
  if (!url) {
    await ctx.stderr.write("curl: no URL specified\ncurl: try 'curl --help' or 'curl --manual' for more information\n");
    return 2;
  }
  const headers: Record<string, string> = {};
  const h = flags.get('H');
  if (h?.includes(':')) headers[h.slice(0, h.indexOf(':')).trim()] = h.slice(h.indexOf(':') + 1).trim();
  const head = flags.has('I') || flags.has('head');
  const method = flags.get('X') ?? (head ? 'HEAD' : flags.has('d') ? 'POST' : 'GET');
  let res: HttpResult;
  try {
    res = await httpGet(ctx, url, method, flags.get('d'), headers);
  } catch (err) {
    if (err instanceof Interrupted) throw err;
    const u = new URL(/^[a-z]+:\/\//i.test(url) ? url : `http://${url}`);
    const resolve = (err as { code?: string }).code === 'ENOTFOUND';
    if (showErrors) await ctx.stderr.write(resolve ? `curl: (6) Could not resolve host: ${u.hostname}\n` : `curl: (7) Failed to connect to ${u.hostname} port ${u.port || 80}: Connection refused\n`);
    return resolve ? 6 : 7;
  }
  if (flags.has('f') && res.status >= 400) {
    if (showErrors) await ctx.stderr.write(`curl: (22) The requested URL returned error: ${res.status}\n`);
    return 22;
  }
  let out = res.body;
  if (head || flags.has('i')) {
    const lines = [`HTTP/${res.httpVersion} ${res.status} ${res.statusText}`];
    for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
    out = Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), head ? Buffer.alloc(0) : res.body]);
  }
  const file = flags.get('o');
  if (file && file !== '-') {
    if (normalizePath(file, ctx.cwd) !== '/dev/null') ctx.host.fs.writeFile(normalizePath(file, ctx.cwd), out);
  } else await ctx.stdout.write(out);
  const w = flags.get('w');
  if (w) await ctx.stdout.write(w.replace(/%\{http_code\}/g, String(res.status)).replace(/\\n/g, '\n'));
  return 0;
};

/** Copies the socket to stdout and stdin to the socket until the peer closes (or Ctrl-C). */
async function relay(ctx: CommandContext, socket: Duplex): Promise<number> {
  const closed = new Promise<void>((resolve) => {
    socket.on('end', resolve);
    socket.on('close', resolve);
    socket.on('error', () => resolve());
  });
  socket.on('data', (d: Buffer) => void ctx.stdout.write(d).catch(() => socket.destroy()));
  const pump = (async () => {
    for (let c = await ctx.stdin.read(); c !== null; c = await ctx.stdin.read()) socket.write(c);
    socket.end();
  })();
  const aborted = new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
  await Promise.race([closed, aborted]);
  socket.destroy();
  void pump.catch(() => undefined);
  if (ctx.signal.aborted) throw new Interrupted();
  return 0;
}

const nc: CommandFn = async (ctx) => {
  const { flags, operands } = parseFlags(ctx.argv.slice(1), 'pwes');
  const network = ctx.host.network;
  if (!network) return 1;
  if (flags.has('l')) {
    const port = Number(flags.get('p') ?? operands[operands.length - 1]);
    if (!Number.isInteger(port) || port <= 0) {
      await ctx.stderr.write('nc: bad port\n');
      return 1;
    }
    let close: () => void;
    const connection = new Promise<Duplex>((resolve, reject) => {
      try {
        close = network.listen(port, (socket) => resolve(socket));
      } catch (err) {
        reject(err);
      }
      ctx.signal.addEventListener('abort', () => reject(new Interrupted()), { once: true });
    });
    try {
      const socket = await connection;
      // -k keeps listening; without it, one connection and the port closes, as nc's.
      if (!flags.has('k')) close!();
      return await relay(ctx, socket);
    } catch (err) {
      if (err instanceof Interrupted) throw err;
      await ctx.stderr.write(`nc: bind: ${(err as Error).message}\n`);
      return 1;
    } finally {
      close!?.();
    }
  }
  const [hostname, portText] = operands;
  const port = Number(portText);
  try {
    const socket = await network.dial(hostname ?? '', port, ctx.signal);
    if (flags.has('z')) {
      socket.destroy();
      return 0;
    }
    return await relay(ctx, socket);
  } catch (err) {
    if (err instanceof Interrupted) throw err;
    await ctx.stderr.write(`nc: can't connect to remote host (${hostname}): Connection refused\n`);
    return 1;
  }
};

export const netCommands: Record<string, CommandFn> = { wget, curl, nc };

