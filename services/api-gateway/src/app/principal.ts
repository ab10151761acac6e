import type { TokenScope } from "../domain/access.js";

/** The authenticated caller of a request. */
export interface Principal {
  readonly user: { readonly id: string; readonly username: string; readonly isAdmin: boolean };
  /** Cookie sessions need CSRF proof on unsafe methods; bearer tokens are limited by scopes. */
  readonly via: "session" | "token";
  /** Session auth only: hashes of the session id (for logout) and of its CSRF token. */
  readonly session?: { readonly idHash: string; readonly csrfHash: string };
  /** Token auth only. */
  readonly scopes?: readonly TokenScope[];
}
