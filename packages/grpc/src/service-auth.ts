import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/**
 * Service-to-service authentication with short-lived signed tokens.
 *
 * Each service holds its own Ed25519 private key and the public keys of its peers. A caller signs
 * `{iss: itself, aud: callee, exp}`; the callee checks the signature against the issuer's public
 * key and that it is the audience. Unlike a shared secret, no service can speak as another, and a
 * leaked token is only good for one callee for a minute. (mTLS would give the same guarantees
 * with more certificate plumbing; see docs/architecture.md.)
 */
/** Every service identity of the platform ("sre" is the identity of operator tooling). */
export const ServiceIdentities = [
  "api-gateway",
  "applications",
  "hosts",
  "backups",
  "secrets",
  "provisioner",
  "sre",
] as const;

export type ServiceIdentity = (typeof ServiceIdentities)[number];

export interface ServiceKeys {
  /** This service's name (the `iss` of its tokens, the `aud` it accepts). */
  readonly self: string;
  readonly privateKey: KeyObject;
  /** Public keys by service name, including this one. */
  readonly publicKeys: ReadonlyMap<string, KeyObject>;
}

/** Reads `<dir>/<self>.key` (PEM, PKCS#8) and every `<dir>/<name>.pub` (PEM, SPKI). */
export function loadServiceKeys(dir: string, self: string): ServiceKeys {
  const privateKey = createPrivateKey(readFileSync(join(dir, `${self}.key`)));
  const publicKeys = new Map<string, KeyObject>();
  for (const file of readdirSync(dir)) {
    if (file.endsWith(".pub"))
      publicKeys.set(file.slice(0, -4), createPublicKey(readFileSync(join(dir, file))));
  }
  return { self, privateKey, publicKeys };
}

/** Generates a key pair per service name, all sharing the public keys (tests, dev). */
export function generateServiceKeys(names: readonly string[]): Map<string, ServiceKeys> {
  const pairs = names.map((name) => [name, generateKeyPairSync("ed25519")] as const);
  const publicKeys = new Map(pairs.map(([name, kp]) => [name, kp.publicKey]));
  return new Map(pairs.map(([name, kp]) => [name, { self: name, privateKey: kp.privateKey, publicKeys }]));
}

/** PEM exports of a generated key pair, for writing key directories. */
export function exportServiceKeyPair(keys: ServiceKeys): { privatePem: string; publicPem: string } {
  return {
    privatePem: keys.privateKey.export({ format: "pem", type: "pkcs8" }).toString(),
    publicPem: createPublicKey(keys.privateKey).export({ format: "pem", type: "spki" }).toString(),
  };
}

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
