import { readFileSync } from "node:fs";
import { ConfigError } from "@proximity/config";

/** Key-encryption keys by id, and the one new data keys are wrapped with. */
export interface KeyRing {
  readonly current: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/** A ring of one key, "k1", from SECRETS_KEK. */
export function singleKeyRing(kekBase64: string): KeyRing {
  return { current: "k1", keys: new Map([["k1", decodeKek(kekBase64, "SECRETS_KEK")]]) };
}

/**
 * Reads a JSON key ring `{"current": "k2", "keys": {"k1": "<b64>", "k2": "<b64>"}}`. Any defect
 * is a ConfigError naming SECRETS_KEK_FILE (never key material), at start-up and on reload alike.
 */
export function readKeyRingFile(path: string): KeyRing {
  let parsed: { current?: unknown; keys?: unknown };
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    const why = err instanceof SyntaxError ? "is not valid JSON" : "cannot be read";
    throw new ConfigError([`SECRETS_KEK_FILE: ${path} ${why}`]);
  }
  const entries = parsed?.keys && typeof parsed.keys === "object" ? Object.entries(parsed.keys) : [];
  const keys = new Map<string, Buffer>();
  for (const [id, b64] of entries) {
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id))
      throw new ConfigError([`SECRETS_KEK_FILE: invalid key id "${id}"`]);
    keys.set(id, decodeKek(String(b64), `SECRETS_KEK_FILE (key "${id}")`));
  }
  if (typeof parsed?.current !== "string" || !keys.has(parsed.current))
    throw new ConfigError([`SECRETS_KEK_FILE: "current" must name one of the keys in "keys"`]);
  return { current: parsed.current, keys };
}

function decodeKek(value: string, variable: string): Buffer {
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(value.trim())
    ? Buffer.from(value.trim(), "base64")
    : Buffer.alloc(0);
  if (key.length !== 32)
    throw new ConfigError([`${variable}: must be the base64 encoding of exactly 32 bytes`]);
  return key;
}
