import { sealSecret, secretAad } from "../crypto/envelope.js";
import { insertSecretVersion, reserveNextVersion } from "../db/secret.repository.js";
import type { AccessContext } from "../domain/access-context.js";
import { assertSecretName, assertSecretValue } from "../domain/secret-input.js";
import { authorizeAccess } from "./authorize-access.js";
import type { SecretsDeps } from "./deps.js";

/** Stores `value` as a new version of `name` (version 1 for a new name). */
export async function putSecret(
  deps: SecretsDeps,
  access: AccessContext,
  input: { name: string; value: Buffer },
): Promise<{ name: string; version: number }> {
  assertSecretName(input.name);
  assertSecretValue(input.value);
  await authorizeAccess(deps.db, { ...access, action: "put", name: input.name });
  return deps.db.transaction().execute(async (trx) => {
    const version = await reserveNextVersion(trx, input.name);
    // The version is part of the associated data, so it is known before encrypting.
    const sealed = await sealSecret(deps.keys, input.value, secretAad(input.name, version));
    await insertSecretVersion(trx, { name: input.name, version, ...sealed });
    return { name: input.name, version };
  });
}
