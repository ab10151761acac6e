import { randomBytes, sign, verify } from "node:crypto";
import type { ServiceKeys } from "@proximity/identity";
import type { EndUser } from "./call-context.js";

/**
 * Per-call tokens between services: `v2.<claims, base64url JSON>.<Ed25519 signature>`, the
 * signature covering `v2.<claims>`. One token per call: it names the callee (`aud`), the full
 * method path (`mth`), a random id the callee remembers until expiry (`jti`), and the end user
 * the call is made for (`sub`, `adm`), so a copied token is good for nothing but the one call it
 * was made for. The channel underneath is mutual TLS; the callee also checks that `iss` is the
 * service its peer certificate names.
 */
export interface CallClaims {
  /** The calling service. */
  readonly iss: string;
  /** The callee. */
  readonly aud: string;
  /** Issued at, seconds since the epoch. */
  readonly iat: number;
  /** Expires at, seconds since the epoch. */
  readonly exp: number;
  /** Full method path, e.g. "/proximity.applications.v1.ApplicationsService/GetApp". */
  readonly mth: string;
  /** Random token id; a callee accepts each once. */
  readonly jti: string;
  /** End user id the call is made for. */
  readonly sub?: string;
  /** Whether that end user is an administrator. */
  readonly adm?: boolean;
}

export interface CallTokenRequest {
  readonly audience: string;
  /** Full method path. */
  readonly method: string;
  readonly user?: EndUser | undefined;
}

const VERSION = "v2";
/** Lifetime of the tokens we issue. */
export const CALL_TOKEN_TTL_S = 60;
/** Longest lifetime a callee accepts (a stolen key cannot mint long-lived tokens). */
const MAX_LIFETIME_S = 120;
/** Clock skew tolerated on `iat`. */
const MAX_FUTURE_IAT_S = 30;

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Signs a token for one call as `keys.self`.
 * @example
 * const token = createCallToken(keys, { audience: "hosts", method: "/proximity.hosts.v1.HostsService/GetHost" });
 */
export function createCallToken(keys: ServiceKeys, request: CallTokenRequest): string {
  const iat = nowSeconds();
  const claims: CallClaims = {
    iss: keys.self,
    aud: request.audience,
    iat,
    exp: iat + CALL_TOKEN_TTL_S,
    mth: request.method,
    jti: randomBytes(16).toString("base64url"),
    ...(request.user ? { sub: request.user.id, adm: request.user.isAdmin } : {}),
  };
  const signed = `${VERSION}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return `${signed}.${sign(null, Buffer.from(signed), keys.privateKey).toString("base64url")}`;
}

/** Verified claims, or why the token was refused (safe to tell the caller). */
export type CallTokenCheck = { readonly claims: CallClaims } | { readonly refused: string };

/**
 * Checks a token presented to `keys.self` for a call of `method`: shape, audience, method,
 * lifetime, then the issuer's signature. Replays (`jti`) are the caller's job (see
 * createReplayGuard): only a token that passed every check here may take a place in that cache.
 */
export function verifyCallToken(
  keys: ServiceKeys,
  token: string | undefined,
  method: string,
  now = nowSeconds(),
): CallTokenCheck {
  const parts = token?.split(".") ?? [];
  if (parts.length !== 3 || parts[0] !== VERSION) return { refused: "malformed call token" };
  const [, body, sig] = parts as [string, string, string];
  const claims = parseClaims(body);
  if (!claims) return { refused: "malformed call token" };
  if (claims.aud !== keys.self) return { refused: "call token is for another service" };
  if (claims.mth !== method) return { refused: "call token is for another method" };
  if (claims.exp <= now) return { refused: "call token expired" };
  if (claims.iat > now + MAX_FUTURE_IAT_S) return { refused: "call token issued in the future" };
  if (claims.exp <= claims.iat || claims.exp - claims.iat > MAX_LIFETIME_S)
    return { refused: "call token lifetime out of bounds" };
  const key = keys.publicKeys.get(claims.iss);
  if (!key) return { refused: "call token from an unknown service" };
  const valid = verify(null, Buffer.from(`${VERSION}.${body}`), key, Buffer.from(sig, "base64url"));
  return valid ? { claims } : { refused: "call token signature invalid" };
}

/** The claims if `body` decodes to a well-typed claims object, else null (never throws). */
function parseClaims(body: string): CallClaims | null {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(body, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const c = value as Record<string, unknown>;
  const name = (v: unknown) => typeof v === "string" && v.length > 0 && v.length <= 256;
  if (!name(c.iss) || !name(c.aud) || !name(c.mth)) return null;
  if (typeof c.jti !== "string" || !/^[A-Za-z0-9_-]{16,64}$/.test(c.jti)) return null;
  if (!Number.isSafeInteger(c.iat) || !Number.isSafeInteger(c.exp)) return null;
  if (c.sub !== undefined && !name(c.sub)) return null;
  if (c.adm !== undefined && typeof c.adm !== "boolean") return null;
  return c as unknown as CallClaims;
}
