// The kubelite command line: `kubelite` starts the API server on ./data and writes an admin
// kubeconfig beside the store.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startApiServer } from './apiserver.ts';
import { createLogger } from './log.ts';

const usage = `Usage: kubelite [flags]

Starts a Kubernetes API server (v1.32) on an embedded LevelDB store.

Flags:
  --data-dir DIR     where the store and the kubeconfig live (default ./data)
  --host ADDR        address to listen on (default 127.0.0.1)
  --port N           port to listen on (default 6443)
  --log-level LEVEL  fatal|error|warn|info|debug|trace (default warn, or LOG_LEVEL)
  --v                verbose: same as --log-level info (--v --v for debug)
  -h, --help         this text
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string', default: './data' },
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '6443' },
      'log-level': { type: 'string' },
      v: { type: 'boolean', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(usage);
    return;
  }
  const verbosity = values.v?.length ?? 0;
  const level = values['log-level'] ?? (verbosity >= 2 ? 'debug' : verbosity === 1 ? 'info' : undefined);
  const logger = createLogger(level);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: invalid port ${values.port}`);
  const started = Date.now();
  const server = await startApiServer({ dataDir: resolve(values['data-dir']!), host: values.host, port, logger });
  logger.info({ url: server.url, ms: Date.now() - started }, 'kubelite ready');
  process.stdout.write(`kubelite is serving the Kubernetes API at ${server.url} (ready in ${Date.now() - started} ms)\n` +
    `  export KUBECONFIG=${server.kubeconfigPath}\n  kubectl get namespaces\n`);
  const stop = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  process.stderr.write(`kubelite: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
