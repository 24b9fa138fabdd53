// The browser console at /ui/: the static files `npm run build` bundles into dist/ui/, and the
// one exchange a browser cannot do through the Kubernetes API itself (the start banner's
// one-time login token for a session bearer token). Everything the console shows or changes
// goes through the public API with that bearer token, as kubectl would.
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { errors } from '../api/errors.ts';
import type { ConsoleSessions } from '../auth/console-sessions.ts';
import { packageRoot } from '../package-root.ts';
import { sendStatus } from './respond.ts';

export interface UiOptions {
  sessions: ConsoleSessions;
  /** Where the built files are (default <package>/dist/ui). */
  dir?: string;
}

/** Paths the authentication filter lets through: the files and the login exchange carry no API credentials. */
export function isUiPath(path: string): boolean {
  return path === '/ui' || path.startsWith('/ui/');
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.map': 'application/json', '.ico': 'image/x-icon',
};

// Scripts and styles only from here; the API is the same origin. No framing (clickjacking of actions).
const securityHeaders = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

async function loadFiles(dir: string): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names) files.set(name, await readFile(join(dir, name)));
  return files;
}

function sendFile(reply: FastifyReply, name: string, body: Buffer): FastifyReply {
  return reply
    .headers(securityHeaders)
    .header('content-type', contentTypes[extname(name)] ?? 'application/octet-stream')
    // index.html names the bundle; it must be asked for again after an upgrade.
    .header('cache-control', name === 'index.html' ? 'no-cache' : 'public, max-age=300')
    .send(body);
}

function jsonBody(body: unknown): Record<string, unknown> | undefined {
  if (!Buffer.isBuffer(body)) return undefined;
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? parsed as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

export async function uiRoutes(app: FastifyInstance, opts: UiOptions): Promise<void> {
  const files = await loadFiles(opts.dir ?? join(packageRoot, 'dist', 'ui'));
  app.get('/ui', (req, reply) => reply.redirect(`/ui/${req.url.slice(3)}`));
  app.get('/ui/*', (req, reply) => {
    const name = (req.params as { '*': string })['*'].split('?')[0] || 'index.html';
    const body = files.get(name);
    if (body) return sendFile(reply, name, body);
    if (!files.has('index.html')) {
      return reply.code(503).type('text/plain; charset=utf-8').send('The console is not built: run `npm run build`.\n');
    }
    return sendStatus(reply, errors.notFoundPath());
  });
  app.post('/ui/api/login', (req, reply) => {
    const token = jsonBody(req.body)?.token;
    if (typeof token !== 'string' || token === '') return sendStatus(reply, errors.badRequest('body.token: Required value: the one-time login token'));
    const session = opts.sessions.login(token);
    if (!session) return sendStatus(reply, errors.unauthorized());
    return reply.headers(securityHeaders).header('cache-control', 'no-store')
      .send({ sessionToken: session.sessionToken, expiresAt: new Date(session.expiresAt).toISOString() });
  });
  app.post('/ui/api/logout', (req, reply) => {
    const m = /^bearer (\S+)/i.exec(String(req.headers.authorization ?? ''));
    if (m) opts.sessions.logout(m[1]);
    return reply.code(204).send();
  });
}
