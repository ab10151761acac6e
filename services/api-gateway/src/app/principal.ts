import { PermissionDeniedError } from "@proximity/errors";
import type { TokenScope } from "../domain/access.js";

/** The authenticated caller of a request. */
export interface Principal {
  readonly user: { readonly id: string; readonly username: string; readonly isAdmin: boolean };
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
