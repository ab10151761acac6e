import { lockVersionsNotWrappedBy, updateWrappedKey } from "../db/secret.repository.js";
import type { SecretsDeps } from "./deps.js";

/**
 * Key rotation: re-wraps every data key not yet wrapped by KEK `toKeyId` (payloads are not
 * re-encrypted: only the 60-byte wrapped keys change). Works in batches, one transaction each,
 * with SKIP LOCKED so it can run beside live traffic or a second rotator; resumable after a crash.
 * `maxBatches` bounds one call so an operator can rotate a large store in steps.
 * @returns how many versions were re-wrapped.
 */
export async function rewrapAll(
  deps: SecretsDeps,
  toKeyId: string,
  options: { batchSize?: number; maxBatches?: number } = {},
): Promise<number> {
  let total = 0;
  for (let batches = 0; batches < (options.maxBatches ?? Number.POSITIVE_INFINITY); batches++) {
    const done = await deps.db.transaction().execute(async (trx) => {
      const batch = await lockVersionsNotWrappedBy(trx, toKeyId, options.batchSize ?? 100);
      for (const v of batch) {
        const dataKey = await deps.keys.unwrap(v.kekId, v.wrappedKey);
        try {
          const { keyId, wrapped } = await deps.keys.wrap(dataKey, toKeyId);
          await updateWrappedKey(trx, {
            name: v.name,
            version: v.version,
            kekId: keyId,
            wrappedKey: wrapped,
          });
        } finally {
          dataKey.fill(0);
        }
      }
      return batch.length;
    });
    total += done;
    if (done === 0) break;
  }
  return total;
}
