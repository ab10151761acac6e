import { PermissionDeniedError } from "@proximity/errors";
import type { TokenScope } from "../domain/access.js";

/** The authenticated caller of a request. */
export interface Principal {
  readonly user: { readonly id: string; readonly username: string };
  /**
   * Whether this request acts with admin rights: the one admin flag the gateway checks and passes
   * on to the services as the end user's. A session of an admin is admin; a token is admin only
   * when its user is an admin and it holds the `admin` scope (see actsAsAdmin), so an admin's
   * read/write token is a plain user everywhere, not only on admin routes.
   */
  readonly isAdmin: boolean;
  /**
   * The user's credential epoch the session or token was made under (it is the user's current one,
   * or the credential would not have authenticated); a token this caller creates records it, and
   * the database refuses it once a password change has moved the user's epoch on.
   */
  readonly credentialEpoch: number;
  /** Cookie sessions need CSRF proof on unsafe methods; bearer tokens are limited by scopes. */
  readonly via: "session" | "token";
  /** Session auth only: its public id, and the hashes of its secret (for logout) and CSRF token. */
  readonly session?: { readonly id: string; readonly idHash: string; readonly csrfHash: string };
  /** Token auth only: the token used, and its expiry (tokens it creates may not outlive it). */
  readonly token?: { readonly id: string; readonly expiresAt: Date };
  /** Token auth only. */
  readonly scopes?: readonly TokenScope[];
}

/**
 * The caller's session, for what only an interactive login may do (change one's own password,
 * list or end one's sessions): a leaked API token must not be a way to guess the password or to
 * take over the account's logins. Token callers get 403.
 */
export function requireSession(principal: Principal): NonNullable<Principal["session"]> {
  if (!principal.session) {
    throw new PermissionDeniedError("This needs a signed-in session; API tokens cannot do it");
  }
  return principal.session;
}
