// Passing an authorized request to an extension API server, as kube-aggregator's proxy
// handler: the client's own credentials and impersonation headers are dropped, the user this
// server authenticated goes in X-Remote-User / X-Remote-Group / X-Remote-Extra-<key>, and
// the response (watches included) streams back unchanged.
import { request as httpsRequest } from 'node:https';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { StatusError } from '../../api/errors.ts';
import { anonymousUser, type UserInfo } from '../../api/authorization.ts';
import { requestHeader } from '../../auth/cluster-authentication-info.ts';
import type { Aggregator, ProxyTarget } from './aggregator.ts';

const dropped = /^(authorization|host|connection|content-length|transfer-encoding|impersonate-.*|x-remote-.*)$/i;

function identityHeaders(user: UserInfo): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = { [requestHeader.usernameHeaders[0]]: user.username };
  if (user.groups.length) headers[requestHeader.groupHeaders[0]] = user.groups;
  for (const [key, values] of Object.entries(user.extra ?? {})) headers[`${requestHeader.extraHeadersPrefix[0]}${encodeURIComponent(key)}`] = values;
  return headers;
}

export function proxyToExtension(aggregator: Aggregator, target: ProxyTarget, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !dropped.test(k)) headers[k] = v;
  Object.assign(headers, identityHeaders(req.user ?? anonymousUser));
  const body = Buffer.isBuffer(req.body) ? req.body : undefined;
  if (body) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const upstream = httpsRequest(aggregator.requestOptions(target, req.method, req.url, headers), (res) => {
      reply.hijack();
      reply.raw.writeHead(res.statusCode ?? 502, res.headers);
      res.pipe(reply.raw);
      res.on('end', () => resolve());
      reply.raw.on('close', () => {
        res.destroy();
        resolve();
      });
    });
    upstream.on('error', (err) => {
      if (reply.sent || reply.raw.headersSent) return resolve();
      // kube's proxy error responder: 503 ServiceUnavailable.
      reject(new StatusError(503, 'ServiceUnavailable', `error trying to reach service: ${err.message}`));
    });
    upstream.end(body);
  });
}
