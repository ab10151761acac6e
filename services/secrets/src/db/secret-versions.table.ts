import type { Generated } from "kysely";

/** One encrypted version of a secret (see crypto/envelope.ts). Never holds a plaintext. */
export interface SecretVersionsTable {
  name: string;
  version: number;
  /** Id of the key-encryption key that wrapped `wrapped_key`. */
  kek_id: string;
  wrapped_key: Buffer;
  iv: Buffer;
  ciphertext: Buffer;
  tag: Buffer;
  created_at: Generated<Date>;
}
