// Sessions of the browser console (/ui/). The admin's identity is a client certificate a
// browser does not hold, so the start banner prints a one-time login token, as Jupyter does;
// the console exchanges it once for a session bearer token that authenticates as the same
// user and groups as the admin kubeconfig's certificate. Everything else about the request
// (authorization, admission) is then exactly what kubectl with that kubeconfig gets.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { TokenAuthenticator } from './authenticate.ts';
import { allAuthenticated, type UserInfo } from '../api/authorization.ts';

export interface ConsoleSessionOptions {
  /** Who a session is: the admin certificate's CN and O. */
  user: UserInfo;
  /** How long the one-time login token may wait to be used (default 24 h). */
  loginTokenTtlMs?: number;
  /** How long a session lives from its login (default 12 h). */
  sessionTtlMs?: number;
  /** The clock, for tests. */
  now?: () => number;
}

/** Session tokens carry a prefix so that they never reach the ServiceAccount JWT parser's hot path by accident. */
const sessionPrefix = 'kubelite-console.';

export class ConsoleSessions {
  private loginToken: { value: Buffer; expires: number } | undefined;
  private readonly sessions = new Map<string, number>();
  private readonly now: () => number;

  constructor(private readonly opts: ConsoleSessionOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** A new one-time login token (any earlier one stops working), for the start banner. */
  issueLoginToken(): string {
    const value = randomBytes(24).toString('base64url');
    this.loginToken = { value: Buffer.from(value), expires: this.now() + (this.opts.loginTokenTtlMs ?? 24 * 3600_000) };
    return value;
  }

  /** Exchanges the one-time token for a session token; undefined when it is wrong, used or expired. */
  login(token: string): { sessionToken: string; expiresAt: number } | undefined {
    const expected = this.loginToken;
    const given = Buffer.from(token);
    if (!expected || expected.expires <= this.now()) return undefined;
    if (given.length !== expected.value.length || !timingSafeEqual(given, expected.value)) return undefined;
    this.loginToken = undefined; // single use
    const sessionToken = sessionPrefix + randomBytes(32).toString('base64url');
    const expiresAt = this.now() + (this.opts.sessionTtlMs ?? 12 * 3600_000);
    this.sessions.set(sessionToken, expiresAt);
    return { sessionToken, expiresAt };
  }

  /** Ends a session (the console's "log out"). */
  logout(sessionToken: string): void {
    this.sessions.delete(sessionToken);
  }

  /** The bearer-token authenticator the API server's union authenticator asks. */
  readonly authenticator: TokenAuthenticator = {
    authenticateToken: async (token) => {
      if (!token.startsWith(sessionPrefix)) return undefined;
      const expires = this.sessions.get(token);
      if (expires === undefined) return undefined;
      if (expires <= this.now()) {
        this.sessions.delete(token);
        return undefined;
      }
      const { user } = this.opts;
      return { username: user.username, groups: [...user.groups.filter((g) => g !== allAuthenticated), allAuthenticated] };
    },
  };
}
