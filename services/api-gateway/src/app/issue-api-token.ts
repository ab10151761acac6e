import { randomUUID } from "node:crypto";
import {
  ConflictError,
  PermissionDeniedError,
  UnauthenticatedError,
  ValidationError,
} from "@proximity/errors";
import { countLiveApiTokens, insertApiToken, lockUsableApiToken } from "../db/api-token.repository.js";
import type { ApiTokenRow } from "../db/api-tokens.table.js";
import type { GatewayDb } from "../db/database.js";
import { lockLiveSession } from "../db/session.repository.js";
import { isStaleCredentialEpoch, lockUser } from "../db/user.repository.js";
import type { TokenScope } from "../domain/access.js";
import { formatApiToken, newApiTokenSecret } from "../domain/api-token-format.js";
import { sha256Hex } from "../domain/secret-token.js";
import { type TokenLifetimePolicy, tokenExpiry } from "../domain/token-lifetime.js";
import { type RequestOrigin, recordAuthEvents } from "./auth-events.js";
import type { Principal } from "./principal.js";

/** Lifetime rules plus the cap on live tokens per user (config: API_TOKEN_*). */
export interface TokenPolicy extends TokenLifetimePolicy {
  readonly maxLivePerUser: number;
}

export interface IssueApiTokenInput {
  readonly name: string;
  readonly scopes: readonly TokenScope[];
  /** Null: the default lifetime (cut to the creating token's expiry). */
  readonly expiresAt: Date | null;
}

/** The stored row plus the full token, which exists only in this result (shown once). */
export interface IssuedApiToken {
  readonly row: ApiTokenRow;
  readonly token: string;
}

/**
 * Issues an API token for the caller. Only admins may grant the admin scope; a token creating a
 * token grants no scope it lacks and no life beyond its own. The cap on live tokens is counted
 * under a lock on the user's row, so parallel requests cannot both take the last place.
 * Credentials ended while the request was on its way win: the session or token that
 * authenticated it must still be live (locked until commit, so an ending waits for this), and the
 * database refuses the token when a password change moved the user's credential epoch on.
 */
export async function issueApiToken(
  db: GatewayDb,
  principal: Principal,
  input: IssueApiTokenInput,
  policy: TokenPolicy,
  origin: RequestOrigin,
): Promise<IssuedApiToken> {
  if (input.scopes.includes("admin") && !principal.isAdmin) {
    throw new PermissionDeniedError("Only admins may create tokens with the admin scope");
  }
  if (principal.scopes && !input.scopes.every((s) => principal.scopes!.includes(s))) {
    throw new PermissionDeniedError("A token cannot grant scopes it does not hold");
  }
  const expiry = tokenExpiry(input.expiresAt, principal.token?.expiresAt ?? null, policy, new Date());
  if ("problem" in expiry) {
    throw new ValidationError("Invalid request", [{ field: "expires_at", message: expiry.problem }]);
  }
  const id = randomUUID();
  const secret = newApiTokenSecret();
  const row = await db.transaction().execute(async (trx) => {
    if (!(await lockUser(trx, principal.user.id))) throw new UnauthenticatedError();
    if (!(await authenticatingCredentialIsLive(trx, principal))) throw new UnauthenticatedError();
    const live = await countLiveApiTokens(trx, principal.user.id);
    if (live >= policy.maxLivePerUser) {
      throw new ConflictError(
        `You already have ${live} live API tokens, the most allowed (${policy.maxLivePerUser}); revoke one first`,
      );
    }
    const inserted = await insertApiToken(trx, {
      id,
      userId: principal.user.id,
      name: input.name,
      scopes: input.scopes,
      secretHash: sha256Hex(secret),
      credentialEpoch: principal.credentialEpoch,
      expiresAt: expiry.expiresAt,
      createdBySessionId: principal.session?.id ?? null,
      createdByTokenId: principal.token?.id ?? null,
    }).catch((err: unknown) => {
      if (isStaleCredentialEpoch(err)) throw new UnauthenticatedError();
      throw err;
    });
    await recordAuthEvents(trx, origin, [
      {
        type: "token_created",
        userId: principal.user.id,
        username: principal.user.username,
        actor: principal,
        subjectId: id,
        details: { scopes: input.scopes, expires_at: expiry.expiresAt.toISOString() },
      },
    ]);
    return inserted;
  });
  return { row, token: formatApiToken(id, secret) };
}

/** The session or token the request came with, locked against ending until the transaction ends. */
function authenticatingCredentialIsLive(trx: GatewayDb, principal: Principal): Promise<boolean> {
  if (principal.session) return lockLiveSession(trx, principal.session.id);
  if (principal.token) return lockUsableApiToken(trx, principal.token.id);
  return Promise.resolve(false);
}
