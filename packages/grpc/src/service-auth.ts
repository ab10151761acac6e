import { sign, verify } from "node:crypto";
import type { ServiceKeys } from "@proximity/identity";

/**
 * Service-to-service call tokens: a caller signs `{iss: itself, aud: callee, exp}` with its Ed25519
 * key; the callee checks the signature against the issuer's public key and that it is the audience.
 */
interface TokenClaims {
  iss: string;
  aud: string;
  iat: number;
  exp: number;
}

const TOKEN_TTL_S = 60;
const b64url = (b: Buffer) => b.toString("base64url");

/** Issues tokens for calls to `audience`, reusing one until 10 s before it expires. */
export function createTokenIssuer(keys: ServiceKeys): (audience: string) => string {
  const cache = new Map<string, { token: string; exp: number }>();
  return (audience) => {
    const now = Math.floor(Date.now() / 1000);
    const cached = cache.get(audience);
    if (cached && cached.exp - now > 10) return cached.token;
    const claims: TokenClaims = { iss: keys.self, aud: audience, iat: now, exp: now + TOKEN_TTL_S };
    const body = b64url(Buffer.from(JSON.stringify(claims)));
    const token = `v1.${body}.${b64url(sign(null, Buffer.from(body), keys.privateKey))}`;
    cache.set(audience, { token, exp: claims.exp });
    return token;
  };
}

/** Verifies a token addressed to `keys.self`; returns the calling service's name or null. */
export function verifyServiceToken(keys: ServiceKeys, token: string | undefined): string | null {
  const parts = token?.split(".") ?? [];
  if (parts.length !== 3 || parts[0] !== "v1") return null;
  const [, body, sig] = parts as [string, string, string];
  let claims: TokenClaims;
  try {
    claims = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as TokenClaims;
  } catch {
    return null;
  }
  const key = typeof claims.iss === "string" ? keys.publicKeys.get(claims.iss) : undefined;
  if (!key || claims.aud !== keys.self) return null;
  const now = Math.floor(Date.now() / 1000);
  if (typeof claims.exp !== "number" || claims.exp < now || claims.iat > now + 30) return null;
  return verify(null, Buffer.from(body), key, Buffer.from(sig, "base64url")) ? claims.iss : null;
}
