// An image's HTTP server, from its `listen` entry: node's http server fed the pod network's
// in-memory connections. `static` serves the container's files (index, directory redirect,
// 403/404 pages, python's directory listing); `routes` answers per path from templates
// (agnhost netexec's /hostname, /echo, /shell; http-echo's text). One access-log line per
// request goes to the program's output, in the image's format.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { normalizePath, type FileSystem } from './filesystem.ts';
import type { ListenSpec, RouteSpec } from './images.ts';
import { renderTemplate, type TemplateValue } from './template.ts';

export interface ServerContext {
  fs: FileSystem;
  /** hostname, podIP, cwd, flag, arg, time: the program's template values. */
  values: Record<string, TemplateValue>;
  /** Runs a command line in the container's shell (agnhost's /shell). */
  shell(cmd: string): Promise<{ output: string; error: string }>;
  accessLog(line: string): void;
}

const contentTypes: Record<string, string> = {
  html: 'text/html', htm: 'text/html', txt: 'text/plain', css: 'text/css', js: 'application/javascript',
  json: 'application/json', png: 'image/png', jpg: 'image/jpeg', svg: 'image/svg+xml', ico: 'image/x-icon',
};

interface Reply {
  status: number;
  body: Buffer;
  headers: Record<string, string>;
}

export function createImageServer(spec: ListenSpec, ctx: ServerContext): Server {
  return createServer((req, res) => {
    void handle(spec, ctx, req).then((reply) => send(spec, ctx, req, res, reply), (err: Error) => send(spec, ctx, req, res, {
      status: 500, body: Buffer.from(`${err.message}\n`), headers: { 'Content-Type': 'text/plain' },
    }));
  });
}

function send(spec: ListenSpec, ctx: ServerContext, req: IncomingMessage, res: ServerResponse, reply: Reply): void {
  for (const [k, v] of Object.entries({ ...spec.headers, ...reply.headers })) if (v) res.setHeader(k, v);
  res.setHeader('Content-Length', reply.body.length);
  res.writeHead(reply.status);
  res.end(req.method === 'HEAD' ? undefined : reply.body);
  if (spec.accessLog) {
    const socket = req.socket as unknown as { remoteAddress?: string; remotePort?: number };
    ctx.accessLog(renderTemplate(spec.accessLog, {
      ...ctx.values, ...requestValues(req),
      remote: socket.remoteAddress ?? '127.0.0.1', remotePort: socket.remotePort ?? 0,
      status: reply.status, bytes: req.method === 'HEAD' ? 0 : reply.body.length,
    }));
  }
}

function requestValues(req: IncomingMessage): Record<string, TemplateValue> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  return {
    method: req.method ?? 'GET', url: req.url ?? '/', path: url.pathname, httpVersion: req.httpVersion,
    referer: req.headers.referer ?? '-', userAgent: req.headers['user-agent'] ?? '-', host: req.headers.host ?? '',
    query: ([name]) => url.searchParams.get(name ?? '') ?? '',
  };
}

async function handle(spec: ListenSpec, ctx: ServerContext, req: IncomingMessage): Promise<Reply> {
  if (spec.serve === 'routes') return route(spec.routes ?? [], ctx, req);
  return serveStatic(spec, ctx, req);
}

async function route(routes: RouteSpec[], ctx: ServerContext, req: IncomingMessage): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const r = routes.find((x) => x.path === url.pathname) ?? routes.find((x) => x.path === '*');
  if (!r) return { status: 404, body: Buffer.from('404 page not found\n'), headers: { 'Content-Type': 'text/plain; charset=utf-8' } };
  const socket = req.socket as unknown as { remoteAddress?: string; remotePort?: number };
  const values = { ...ctx.values, ...requestValues(req), remote: socket.remoteAddress ?? '127.0.0.1', remotePort: socket.remotePort ?? 0 };
  if (r.action === 'shell') {
    const result = await ctx.shell(url.searchParams.get('cmd') ?? '');
    const body = result.error ? { output: result.output, error: result.error } : { output: result.output };
    return { status: 200, body: Buffer.from(JSON.stringify(body)), headers: { 'Content-Type': 'application/json' } };
  }
  return {
    status: r.status ?? 200,
    body: Buffer.from(renderTemplate(r.body ?? '', values)),
    headers: { 'Content-Type': r.contentType ?? 'text/plain; charset=utf-8' },
  };
}

function serveStatic(spec: ListenSpec, ctx: ServerContext, req: IncomingMessage): Reply {
  const url = new URL(req.url ?? '/', 'http://localhost');
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return notFound(spec);
  }
  const root = renderTemplate(spec.root ?? '/', ctx.values) || '/';
  const target = normalizePath(`${root}/${path}`);
  if (!target.startsWith(normalizePath(root))) return notFound(spec);
  const node = ctx.fs.lookup(target);
  if (!node) return notFound(spec);
  if (node.type === 'dir') {
    if (!path.endsWith('/')) {
      return { status: 301, body: Buffer.from(''), headers: { Location: `${path}/`, 'Content-Type': 'text/html' } };
    }
    const index = spec.index && ctx.fs.lookup(`${target}/${spec.index}`);
    if (index && index.type === 'file') return file(`${target}/${spec.index}`, index.data);
    if (spec.listing) return listing(path, [...node.children.entries()].map(([n, c]) => (c.type === 'dir' ? `${n}/` : n)).sort());
    return { status: 403, body: Buffer.from('<html>\r\n<head><title>403 Forbidden</title></head>\r\n<body>\r\n<center><h1>403 Forbidden</h1></center>\r\n</body>\r\n</html>\r\n'), headers: { 'Content-Type': 'text/html' } };
  }
  return file(target, node.data);
}

function file(path: string, data: Buffer): Reply {
  const ext = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  return { status: 200, body: data, headers: { 'Content-Type': contentTypes[ext] ?? 'application/octet-stream' } };
}

function notFound(spec: ListenSpec): Reply {
  return { status: 404, body: Buffer.from(spec.notFound ?? 'File not found\n'), headers: { 'Content-Type': 'text/html' } };
}

/** python's http.server list_directory page. */
function listing(path: string, names: string[]): Reply {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const items = names.map((n) => `<li><a href="${encodeURI(n)}">${esc(n)}</a></li>`).join('\n');
  const html = `<!DOCTYPE HTML>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Directory listing for ${esc(path)}</title>\n</head>\n<body>\n<h1>Directory listing for ${esc(path)}</h1>\n<hr>\n<ul>\n${items}\n</ul>\n<hr>\n</body>\n</html>\n`;
  return { status: 200, body: Buffer.from(html), headers: { 'Content-Type': 'text/html; charset=utf-8' } };
}
