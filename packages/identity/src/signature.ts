import { sign, verify } from "node:crypto";
import type { ServiceKeys } from "./service-keys.js";

/** Ed25519 signature of `data` by this service. */
export function signAsSelf(keys: Pick<ServiceKeys, "privateKey">, data: Uint8Array): Buffer {
  return sign(null, data, keys.privateKey);
}

/** Whether `signature` over `data` was made by `signer` (false for an unknown signer or a bad signature). */
export function verifySignedBy(
  keys: Pick<ServiceKeys, "publicKeys">,
  signer: string,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const key = keys.publicKeys.get(signer);
  if (!key) return false;
  try {
    return verify(null, data, key, signature);
  } catch {
    return false;
  }
}
