// Pretty JSON, as kube-apiserver's negotiation picks its pretty serializer: `?pretty=true`
// (Go's ParseBool; a present but false value turns it off) or, without the parameter, a
// User-Agent that starts with `curl`, `Wget` or `Mozilla/5.0`. The pretty serializer is
// json.MarshalIndent(obj, "", "  "): two-space indent, no trailing newline. Watch streams
// are written raw and never pass through here, as kube's stream serializer is never pretty.
import type { FastifyInstance, FastifyRequest } from 'fastify';

const goTrue = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const humanAgents = ['curl', 'Wget', 'Mozilla/5.0'];

/** kube's isPrettyPrint. */
export function isPrettyPrint(req: FastifyRequest): boolean {
  const pretty = (req.query as Record<string, string | string[] | undefined> | undefined)?.pretty;
  const first = Array.isArray(pretty) ? pretty[0] : pretty;
  if (first) return goTrue.has(first);
  const agent = req.headers['user-agent'] ?? '';
  return humanAgents.some((prefix) => agent.startsWith(prefix));
}

/**
 * Indents compact JSON text as Go's json.Indent does: a newline and two spaces per level
 * after `{`, `[` and `,`, one space after `:`, empty objects and arrays kept as `{}` and
 * `[]`. Works on the text, so numbers keep their exact digits; iterative, so depth costs
 * nothing but the output.
 */
export function indentJson(text: string): string {
  let out = '';
  let depth = 0;
  let inString = false;
  let pendingOpen = false;
  const newline = () => '\n' + '  '.repeat(depth);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\n' || c === '\t' || c === '\r') continue;
    if (pendingOpen) {
      pendingOpen = false;
      if (c === '}' || c === ']') {
        // An empty object or array stays on one line.
        depth--;
        out += c;
        continue;
      }
      out += newline();
    }
    switch (c) {
      case '{':
      case '[':
        out += c;
        depth++;
        pendingOpen = true;
        break;
      case '}':
      case ']':
        depth--;
        out += newline() + c;
        break;
      case ',':
        out += c + newline();
        break;
      case ':':
        out += ': ';
        break;
      case '"':
        inString = true;
        out += c;
        break;
      default:
        out += c;
    }
  }
  return out;
}

/** Re-indents the JSON answers of the API paths for requests that ask for pretty output. */
export function installPrettyPrint(app: FastifyInstance): void {
  // A callback hook that returns at once for the usual request (a program asking no pretty
  // output): it runs on every answer.
  app.addHook('onSend', (req, reply, payload, done) => {
    if (!isPrettyPrint(req) || !(typeof payload === 'string' || Buffer.isBuffer(payload))) return done(null, payload);
    const type = String(reply.getHeader('content-type') ?? '');
    if (!(type === 'application/json' || type.startsWith('application/json;')) || type.includes('stream=watch')) return done(null, payload);
    const path = req.url.split('?')[0];
    if (!(path === '/api' || path === '/apis' || path.startsWith('/api/') || path.startsWith('/apis/'))) return done(null, payload);
    done(null, Buffer.from(indentJson(payload.toString())));
  });
}
