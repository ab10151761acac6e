import { UnauthenticatedError } from "@proximity/errors";
import { findUsableApiToken } from "../db/api-token.repository.js";
import type { GatewayDb } from "../db/database.js";
import { actsAsAdmin, TOKEN_SCOPES, type TokenScope } from "../domain/access.js";
import { parseApiToken } from "../domain/api-token-format.js";
import { matchesHash } from "../domain/secret-token.js";
import type { LastUseRecorder } from "./last-use-recorder.js";
import type { Principal } from "./principal.js";
import type { SessionStore } from "./session-store.js";
import type { TokenCache } from "./token-cache.js";

export interface Credentials {
  /** Value of `Authorization: Bearer …`, when sent. */
  readonly bearer?: string;
  /** Value of the session cookie, when sent. */
  readonly sessionId?: string;
}

export interface AuthenticateOptions {
  /**
   * Whether this counts as use: refreshes the session's idle clock and the token's last use
   * (default). A re-check of credentials already in use (event stream heartbeats) passes false,
   * so an open stream cannot keep an idle session alive.
   */
  readonly touch?: boolean;
  /**
   * Where a token's use is noted (written in batches, never on the request path); without it a
   * use is not recorded.
   */
  readonly tokenUses?: LastUseRecorder;
  /** Tokens verified before (see TokenCache); without it every use is looked up. */
  readonly tokenCache?: TokenCache;
}

/**
 * Resolves the caller from a bearer token or the session cookie; null for anonymous requests.
 * A bearer token, when present, is authoritative: a bad one is rejected (401) rather than
 * silently falling back to a cookie the automation did not mean to use.
 */
export async function authenticateRequest(
  db: GatewayDb,
  sessions: SessionStore,
  credentials: Credentials,
  options: AuthenticateOptions = {},
): Promise<Principal | null> {
  const touch = options.touch ?? true;
  if (credentials.bearer !== undefined)
    return authenticateApiToken(
      db,
      credentials.bearer,
      touch ? options.tokenUses : undefined,
      options.tokenCache,
    );
  if (!credentials.sessionId) return null;
  const session = await sessions.resolve(credentials.sessionId, { touch });
  if (!session) return null;
  return {
    user: { id: session.user.id, username: session.user.username },
    isAdmin: actsAsAdmin(session.user.is_admin, undefined),
    credentialEpoch: session.credentialEpoch,
    via: "session",
    session: { id: session.id, idHash: session.idHash, csrfHash: session.csrfHash },
  };
}

async function authenticateApiToken(
  db: GatewayDb,
  bearer: string,
  uses: LastUseRecorder | undefined,
  cache: TokenCache | undefined,
): Promise<Principal> {
  const cached = cache?.get(bearer);
  if (cached) {
    uses?.record(cached.token!.id);
    return cached;
  }
  const ticket = cache?.begin();
  const parsed = parseApiToken(bearer);
  const found = parsed ? await findUsableApiToken(db, parsed.id) : undefined;
  if (!parsed || !found || !matchesHash(parsed.secret, found.token.secret_hash)) {
    throw new UnauthenticatedError("Invalid or expired API token");
  }
  uses?.record(found.token.id);
  const scopes = found.token.scopes.filter((s): s is TokenScope =>
    (TOKEN_SCOPES as readonly string[]).includes(s),
  );
  const principal: Principal = {
    user: { id: found.user.id, username: found.user.username },
    isAdmin: actsAsAdmin(found.user.is_admin, scopes),
    credentialEpoch: found.token.credential_epoch,
    via: "token",
    token: { id: found.token.id, expiresAt: found.token.expires_at },
    scopes,
  };
  if (cache && ticket) cache.put(bearer, principal, ticket);
  return principal;
}
