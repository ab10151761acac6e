import { randomBytes } from "node:crypto";
import { InternalError } from "@proximity/errors";
import { gcmDecrypt, gcmEncrypt } from "./aes-gcm.js";
import type { KeyProvider } from "./key-provider.js";

/** One encrypted secret version, as stored. */
export interface SealedSecret {
  readonly kekId: string;
  readonly wrappedKey: Buffer;
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

/** A stored secret failed authentication: tampered, moved to another name/version, or wrong KEK. */
export class SecretIntegrityError extends InternalError {
  constructor(cause: unknown) {
    super("Secret could not be decrypted", cause);
  }
}

/**
 * Associated data of a secret version: the ciphertext only decrypts under the same name and
 * version, so copying it onto another secret (or an older version) fails authentication.
 */
export function secretAad(name: string, version: number): Buffer {
  return Buffer.from(`${name}\0${version}`, "utf8");
}

/** Envelope encryption: a fresh 256-bit data key per version, wrapped by the current KEK. */
export async function sealSecret(keys: KeyProvider, plaintext: Buffer, aad: Buffer): Promise<SealedSecret> {
  const dataKey = randomBytes(32);
  try {
    const box = gcmEncrypt(dataKey, plaintext, aad);
    const { keyId, wrapped } = await keys.wrap(dataKey);
    return { kekId: keyId, wrappedKey: wrapped, ...box };
  } finally {
    dataKey.fill(0);
  }
}

/** Decrypts a sealed secret; any failure is a SecretIntegrityError, never a raw value. */
export async function openSecret(keys: KeyProvider, sealed: SealedSecret, aad: Buffer): Promise<Buffer> {
  let dataKey: Buffer | undefined;
  try {
    dataKey = await keys.unwrap(sealed.kekId, sealed.wrappedKey);
    return gcmDecrypt(dataKey, sealed, aad);
  } catch (err) {
    throw new SecretIntegrityError(err);
  } finally {
    dataKey?.fill(0);
  }
}
