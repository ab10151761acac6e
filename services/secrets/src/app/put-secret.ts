import { sealSecret, secretAad } from "../crypto/envelope.js";
import { recordAccess } from "../db/access-audit.repository.js";
import { insertSecretVersion, reserveNextVersion, storeFirstVersion } from "../db/secret.repository.js";
import type { AccessContext } from "../domain/access-context.js";
import { assertSecretName, assertSecretValue } from "../domain/secret-input.js";
import { authorizeAuditingLater } from "./authorize-access.js";
import type { SecretsDeps } from "./deps.js";

/**
 * Stores `value` as a new version of `name` (version 1 for a new name), audited like every access
 * (allowed or not, and still when the write fails). The audit row of a stored version commits
 * with it. A name never stored (each app's root password: one per deploy) takes one statement;
 * any other name a transaction that reserves the next version first.
 */
export async function putSecret(
  deps: SecretsDeps,
  access: AccessContext,
  input: { name: string; value: Buffer },
): Promise<{ name: string; version: number }> {
  assertSecretName(input.name);
  assertSecretValue(input.value);
  const audit = await authorizeAuditingLater(deps.db, { ...access, action: "put", name: input.name });
  try {
    // The version is part of the associated data, so it is known before encrypting.
    const first = await sealSecret(deps.keys, input.value, secretAad(input.name, 1));
    if (await storeFirstVersion(deps.db, { name: input.name, ...first }, audit))
      return { name: input.name, version: 1 };
    return await deps.db.transaction().execute(async (trx) => {
      const version = await reserveNextVersion(trx, input.name);
      const sealed = await sealSecret(deps.keys, input.value, secretAad(input.name, version));
      await insertSecretVersion(trx, { name: input.name, version, ...sealed });
      await recordAccess(trx, audit);
      return { name: input.name, version };
    });
  } catch (err) {
    // Not stored, so not audited either: the attempt is audited on its own (twice in the rare case
    // of a commit whose answer was lost). Failing too, the put's own error is what the caller gets.
    await recordAccess(deps.db, audit).catch(() => undefined);
    throw err;
  }
}
