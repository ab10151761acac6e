/** Who may call a route: anyone, any signed-in user, or admins only. */
export type Access = "public" | "user" | "admin";

/** Scopes of API tokens; session logins implicitly hold them all. */
export const TOKEN_SCOPES = ["read", "write", "admin"] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Unsafe methods change state: they need CSRF proof with cookie auth and the write scope with tokens. */
export function isUnsafeMethod(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

/** Scopes a token needs for a request: read or write by method, plus admin on admin routes. */
export function requiredScopes(method: string, access: Access): TokenScope[] {
  const scopes: TokenScope[] = [isUnsafeMethod(method) ? "write" : "read"];
  if (access === "admin") scopes.push("admin");
  return scopes;
}

/**
 * Admin rights of a request: the user must be an admin, and a token caller must also hold the
 * `admin` scope (`scopes` undefined: a signed-in session, which holds every scope).
 */
export function actsAsAdmin(userIsAdmin: boolean, scopes: readonly TokenScope[] | undefined): boolean {
  return userIsAdmin && (scopes === undefined || scopes.includes("admin"));
}
