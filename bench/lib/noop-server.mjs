// The ceiling the API server is measured against: a Fastify server in its own process that
// parses each ConfigMap POST's JSON body and answers 201 with it, doing nothing else. What
// the bench's clients get from it is what HTTP and JSON alone cost on this machine.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/api/v1/namespaces/:namespace/configmaps', async (req, reply) => {
  reply.code(201);
  return req.body;
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`noop server at ${address}\n`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
