// /healthz, /livez, /readyz and /version, as kube-apiserver answers them.
import type { FastifyInstance } from 'fastify';

export const kubernetesVersion = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-kubelite',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-23T00:00:00Z',
  goVersion: 'go1.23.4',
  compiler: 'gc',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

export interface HealthChecks {
  /** Named readiness checks; /readyz fails while any returns false. */
  ready: Record<string, () => boolean>;
  /** Lines shown after the checks on `/readyz?verbose` without failing it (stored objects that cannot be served). */
  readyNotes?: () => string[];
}

export async function healthRoutes(app: FastifyInstance, opts: { checks: HealthChecks }): Promise<void> {
  const probe = (name: string, checks: Record<string, () => boolean>, notes: () => string[] = () => []) => {
    app.get(`/${name}`, async (req, reply) => {
      const results = Object.entries({ ping: () => true, ...checks }).map(([check, fn]) => [check, fn()] as const);
      const ok = results.every(([, passed]) => passed);
      const verbose = (req.query as Record<string, unknown>).verbose !== undefined;
      reply.type('text/plain; charset=utf-8').header('X-Content-Type-Options', 'nosniff').code(ok ? 200 : 500);
      if (!verbose && ok) return 'ok';
      const lines = results.map(([check, passed]) => (passed ? `[+]${check} ok` : `[-]${check} failed: reason withheld`));
      lines.push(...notes());
      lines.push(ok ? `${name} check passed` : `${name} check failed`);
      return `${lines.join('\n')}\n`;
    });
    app.get(`/${name}/:check`, async (req, reply) => {
      const { check } = req.params as { check: string };
      const fn = check === 'ping' ? () => true : checks[check];
      if (!fn) return reply.code(404).type('text/plain').send('404 page not found\n');
      const ok = fn();
      return reply.code(ok ? 200 : 500).type('text/plain; charset=utf-8').send(ok ? 'ok' : `internal server error: ${check} failed`);
    });
  };
  probe('healthz', {});
  probe('livez', {});
  probe('readyz', opts.checks.ready, opts.checks.readyNotes);
  app.get('/version', async (_req, reply) => reply.type('application/json').send(JSON.stringify(kubernetesVersion, null, 2)));
}
