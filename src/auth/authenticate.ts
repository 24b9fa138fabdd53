// Request authentication as kube-apiserver's union authenticator runs it: a client
// certificate verified against the client CA (CN = user, O = groups), then a bearer token
// (the static token file, ServiceAccount JWTs); a request with no credentials at all is
// `system:anonymous`. Credentials that are presented and fail get 401, not anonymity.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { allAuthenticated, anonymousUser, type UserInfo } from '../api/authorization.ts';

export interface TokenAuthenticator {
  /** The user behind `token`, or undefined when this authenticator does not recognise it. */
  authenticateToken(token: string): Promise<UserInfo | undefined>;
}

export interface AuthenticatorOptions {
  tokens: TokenAuthenticator[];
  /** --anonymous-auth (default true): requests without credentials pass as system:anonymous. */
  anonymous: boolean;
}

/** What kube's insecure port, and requests on it, were: a user with every right. */
export const unsecuredUser: UserInfo = { username: 'system:unsecured', groups: ['system:masters', allAuthenticated] };

export type AuthenticationResult = { user: UserInfo } | { error: 'Unauthorized' };

const unsecuredResult: AuthenticationResult = { user: unsecuredUser };

export class RequestAuthenticator {
  constructor(private readonly opts: AuthenticatorOptions) {}

  /** The answer when it needs no token lookup (the insecure port, a client certificate), else undefined. */
  authenticateNow(req: IncomingMessage): AuthenticationResult | undefined {
    const socket = req.socket as TLSSocket;
    if (!socket.encrypted) return unsecuredResult;
    const fromCert = certificateUser(socket);
    return fromCert ? { user: fromCert } : undefined;
  }

  async authenticate(req: IncomingMessage): Promise<AuthenticationResult> {
    const now = this.authenticateNow(req);
    if (now) return now;
    const socket = req.socket as TLSSocket;
    // As kube's bearertoken authenticator: another scheme (Basic …) or an empty token is not a bearer credential at all.
    const m = /^bearer (\S+)/i.exec((req.headers.authorization ?? '').trim());
    const token = m?.[1] ?? webSocketProtocolToken(req);
    if (token !== undefined) {
      for (const tokens of this.opts.tokens) {
        const user = await tokens.authenticateToken(token);
        if (user) return { user };
      }
      return { error: 'Unauthorized' };
    }
    // A certificate the client CA did not sign is a failed credential too.
    if (socket.getPeerCertificate?.()?.subject) return { error: 'Unauthorized' };
    return this.opts.anonymous ? { user: anonymousUser } : { error: 'Unauthorized' };
  }
}

const webSocketTokenPrefix = 'base64url.bearer.authorization.k8s.io.';

/**
 * kube's websocket protocol authenticator: browsers cannot set headers on a WebSocket, so a
 * bearer token may come as the subprotocol base64url.bearer.authorization.k8s.io.<base64url>
 * (only on an upgrade request).
 */
function webSocketProtocolToken(req: IncomingMessage): string | undefined {
  if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') return undefined;
  const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  const encoded = offered.find((p) => p.startsWith(webSocketTokenPrefix))?.slice(webSocketTokenPrefix.length);
  if (!encoded) return undefined;
  const token = Buffer.from(encoded, 'base64url').toString('utf8');
  return token === '' ? undefined : token;
}

/**
 * The user of each connection's verified client certificate. A TLS connection's peer
 * certificate is fixed at the handshake, and getPeerCertificate() builds a new object of the
 * whole certificate on every call (7% of the server's CPU under a keep-alive create load), so
 * it is read once per connection.
 */
const certificateUsers = new WeakMap<TLSSocket, UserInfo | null>();

/** The user of a client certificate that verified against the client CA. */
function certificateUser(socket: TLSSocket): UserInfo | undefined {
  let user = certificateUsers.get(socket);
  if (user === undefined) {
    user = readCertificateUser(socket) ?? null;
    certificateUsers.set(socket, user);
  }
  return user ?? undefined;
}

function readCertificateUser(socket: TLSSocket): UserInfo | undefined {
  if (!socket.authorized) return undefined;
  const cert = socket.getPeerCertificate();
  const cn = cert?.subject?.CN;
  if (!cn) return undefined;
  const username = Array.isArray(cn) ? cn[0] : cn;
  const o = cert.subject.O;
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { username, groups: [...groups, allAuthenticated] };
}
