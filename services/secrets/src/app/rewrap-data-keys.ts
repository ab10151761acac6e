import { ValidationError } from "@proximity/errors";
import { countVersionsNotWrappedBy } from "../db/key-usage.repository.js";
import type { AccessContext } from "../domain/access-context.js";
import { authorizeAdmin } from "./authorize-admin.js";
import type { SecretsDeps } from "./deps.js";
import { rewrapAll } from "./rewrap-all.js";

const MAX_BATCH_SIZE = 1000;

/**
 * RewrapDataKeys: re-wraps data keys to the provider's current KEK (the one the ring names now,
 * so introducing a key is just editing the key file). Operators call it until `remaining` is 0.
 */
export async function rewrapDataKeys(
  deps: SecretsDeps,
  access: AccessContext,
  input: { batchSize: number; maxBatches: number },
): Promise<{ currentKeyId: string; rewrapped: number; remaining: number }> {
  await authorizeAdmin(deps.db, { ...access, action: "rewrap" });
  if (input.batchSize < 0 || input.batchSize > MAX_BATCH_SIZE)
    throw new ValidationError("Invalid request", [
      { field: "batch_size", message: `must be between 0 (default 100) and ${MAX_BATCH_SIZE}` },
    ]);
  if (input.maxBatches < 0)
    throw new ValidationError("Invalid request", [
      { field: "max_batches", message: "must be 0 (no limit) or more" },
    ]);
  const currentKeyId = deps.keys.currentKeyId();
  const rewrapped = await rewrapAll(deps, currentKeyId, {
    batchSize: input.batchSize || 100,
    maxBatches: input.maxBatches || undefined,
  });
  return { currentKeyId, rewrapped, remaining: await countVersionsNotWrappedBy(deps.db, currentKeyId) };
}
