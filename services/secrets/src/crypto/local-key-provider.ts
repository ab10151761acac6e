import { ConfigError } from "@proximity/config";
import { gcmDecrypt, gcmEncrypt, packGcmBox, unpackGcmBox } from "./aes-gcm.js";
import type { KeyProvider, WrappedDataKey } from "./key-provider.js";
import { type KeyRing, readKeyRingFile, singleKeyRing } from "./key-ring.js";

export interface LocalKeyProviderOptions {
  /** Base64 of one 32-byte KEK (env SECRETS_KEK), used as key id "k1". */
  readonly kek?: string | undefined;
  /** Path of a JSON key ring (env SECRETS_KEK_FILE): `{"current": "k2", "keys": {"k1": "<b64>", …}}`. */
  readonly kekFile?: string | undefined;
}

/**
 * KEKs held in process memory, from SECRETS_KEK or SECRETS_KEK_FILE. Throws a ConfigError naming
 * the variable when neither is set or the key material is malformed: the service refuses to start.
 */
export function createLocalKeyProvider(options: LocalKeyProviderOptions): LocalKeyProvider {
  if (options.kek && options.kekFile)
    throw new ConfigError(["SECRETS_KEK_FILE: set either SECRETS_KEK or SECRETS_KEK_FILE, not both"]);
  if (options.kekFile) return new LocalKeyProvider(readKeyRingFile(options.kekFile));
  if (options.kek) return new LocalKeyProvider(singleKeyRing(options.kek));
  throw new ConfigError([
    "SECRETS_KEK: required: set SECRETS_KEK (base64 of 32 bytes) or SECRETS_KEK_FILE (JSON key ring)",
  ]);
}

/**
 * The ring can be swapped while the service runs (online rotation, see app/key-ring-reloader.ts).
 * Each wrap/unwrap reads the ring once, so a call in flight never mixes two rings.
 */
export class LocalKeyProvider implements KeyProvider {
  #ring: KeyRing;

  constructor(ring: KeyRing) {
    this.#ring = ring;
  }

  get ring(): KeyRing {
    return this.#ring;
  }

  /** Replaces the ring; callers check it first (key-ring-guard.ts), this only swaps. */
  useRing(ring: KeyRing): void {
    this.#ring = ring;
  }

  currentKeyId(): string {
    return this.#ring.current;
  }

  keyIds(): readonly string[] {
    return [...this.#ring.keys.keys()];
  }

  async wrap(dataKey: Buffer, keyId?: string): Promise<WrappedDataKey> {
    const ring = this.#ring;
    const id = keyId ?? ring.current;
    const box = gcmEncrypt(kekOf(ring, id), dataKey, kekAad(id));
    return { keyId: id, wrapped: packGcmBox(box) };
  }

  async unwrap(keyId: string, wrapped: Buffer): Promise<Buffer> {
    return gcmDecrypt(kekOf(this.#ring, keyId), unpackGcmBox(wrapped), kekAad(keyId));
  }
}

function kekOf(ring: KeyRing, keyId: string): Buffer {
  const kek = ring.keys.get(keyId);
  if (!kek) throw new Error(`unknown key-encryption key "${keyId}"`);
  return kek;
}

/** Binds a wrapped key to its KEK id, so a row cannot claim another key. */
function kekAad(keyId: string): Buffer {
  return Buffer.from(`kek:${keyId}`);
}
