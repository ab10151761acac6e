import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** Output of one AES-256-GCM encryption. */
export interface GcmBox {
  readonly iv: Buffer;
  readonly ciphertext: Buffer;
  readonly tag: Buffer;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** AES-256-GCM with a fresh random 96-bit IV; `aad` is authenticated but not encrypted. */
export function gcmEncrypt(key: Buffer, plaintext: Buffer, aad: Buffer): GcmBox {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, ciphertext, tag: cipher.getAuthTag() };
}

/** Reverse of gcmEncrypt; throws when the key, IV, ciphertext, tag or `aad` do not match. */
export function gcmDecrypt(key: Buffer, box: GcmBox, aad: Buffer): Buffer {
  const decipher = createDecipheriv("aes-256-gcm", key, box.iv, { authTagLength: TAG_BYTES });
  decipher.setAAD(aad);
  decipher.setAuthTag(box.tag);
  return Buffer.concat([decipher.update(box.ciphertext), decipher.final()]);
}

/** Packs a box into one buffer (iv ‖ tag ‖ ciphertext), for wrapped data keys. */
export function packGcmBox(box: GcmBox): Buffer {
  return Buffer.concat([box.iv, box.tag, box.ciphertext]);
}

/** Reverse of packGcmBox. */
export function unpackGcmBox(packed: Buffer): GcmBox {
  if (packed.length <= IV_BYTES + TAG_BYTES) throw new Error("packed AES-GCM box too short");
  return {
    iv: packed.subarray(0, IV_BYTES),
    tag: packed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES),
    ciphertext: packed.subarray(IV_BYTES + TAG_BYTES),
  };
}
