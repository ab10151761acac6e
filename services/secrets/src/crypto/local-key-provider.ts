import { readFileSync } from "node:fs";
import { ConfigError } from "@proximity/config";
import { gcmDecrypt, gcmEncrypt, packGcmBox, unpackGcmBox } from "./aes-gcm.js";
import type { KeyProvider, WrappedDataKey } from "./key-provider.js";

export interface LocalKeyProviderOptions {
  /** Base64 of one 32-byte KEK (env SECRETS_KEK), used as key id "k1". */
  readonly kek?: string | undefined;
  /** Path of a JSON key ring (env SECRETS_KEK_FILE): `{"current": "k2", "keys": {"k1": "<b64>", …}}`. */
  readonly kekFile?: string | undefined;
}

interface KeyRing {
  readonly current: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

/**
 * KEKs held in process memory, from SECRETS_KEK or SECRETS_KEK_FILE. Throws a ConfigError naming
 * the variable when neither is set or the key material is malformed: the service refuses to start.
 */
export function createLocalKeyProvider(options: LocalKeyProviderOptions): KeyProvider {
  if (options.kek && options.kekFile)
    throw new ConfigError(["SECRETS_KEK_FILE: set either SECRETS_KEK or SECRETS_KEK_FILE, not both"]);
  if (options.kekFile) return new LocalKeyProvider(readKeyRingFile(options.kekFile));
  if (options.kek)
    return new LocalKeyProvider({
      current: "k1",
      keys: new Map([["k1", decodeKek(options.kek, "SECRETS_KEK")]]),
    });
  throw new ConfigError([
    "SECRETS_KEK: required: set SECRETS_KEK (base64 of 32 bytes) or SECRETS_KEK_FILE (JSON key ring)",
  ]);
}

class LocalKeyProvider implements KeyProvider {
  readonly #ring: KeyRing;

  constructor(ring: KeyRing) {
    this.#ring = ring;
  }

  currentKeyId(): string {
    return this.#ring.current;
  }

  async wrap(dataKey: Buffer, keyId = this.#ring.current): Promise<WrappedDataKey> {
    const box = gcmEncrypt(this.#kek(keyId), dataKey, kekAad(keyId));
    return { keyId, wrapped: packGcmBox(box) };
  }

  async unwrap(keyId: string, wrapped: Buffer): Promise<Buffer> {
    return gcmDecrypt(this.#kek(keyId), unpackGcmBox(wrapped), kekAad(keyId));
  }

  #kek(keyId: string): Buffer {
    const kek = this.#ring.keys.get(keyId);
    if (!kek) throw new Error(`unknown key-encryption key "${keyId}"`);
    return kek;
  }
}

/** Binds a wrapped key to its KEK id, so a row cannot claim another key. */
function kekAad(keyId: string): Buffer {
  return Buffer.from(`kek:${keyId}`);
}

function decodeKek(value: string, variable: string): Buffer {
  const key = /^[A-Za-z0-9+/]+={0,2}$/.test(value.trim())
    ? Buffer.from(value.trim(), "base64")
    : Buffer.alloc(0);
  if (key.length !== 32)
    throw new ConfigError([`${variable}: must be the base64 encoding of exactly 32 bytes`]);
  return key;
}

function readKeyRingFile(path: string): KeyRing {
  let parsed: { current?: unknown; keys?: unknown };
  try {
    parsed = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    const why = err instanceof SyntaxError ? "is not valid JSON" : "cannot be read";
    throw new ConfigError([`SECRETS_KEK_FILE: ${path} ${why}`]);
  }
  const entries = parsed.keys && typeof parsed.keys === "object" ? Object.entries(parsed.keys) : [];
  const keys = new Map<string, Buffer>();
  for (const [id, b64] of entries) {
    if (!/^[A-Za-z0-9_-]{1,32}$/.test(id))
      throw new ConfigError([`SECRETS_KEK_FILE: invalid key id "${id}"`]);
    keys.set(id, decodeKek(String(b64), `SECRETS_KEK_FILE (key "${id}")`));
  }
  if (typeof parsed.current !== "string" || !keys.has(parsed.current))
    throw new ConfigError([`SECRETS_KEK_FILE: "current" must name one of the keys in "keys"`]);
  return { current: parsed.current, keys };
}
