import { deleteSecretVersions } from "../db/secret.repository.js";
import type { AccessContext } from "../domain/access-context.js";
import { assertSecretName } from "../domain/secret-input.js";
import { authorizeAccess } from "./authorize-access.js";
import type { SecretsDeps } from "./deps.js";

/**
 * Removes every version of `name`. Idempotent (an unknown name is not an error) so callers can
 * use it to undo a partial write and retry a failed clean-up safely.
 */
export async function deleteSecret(
  deps: SecretsDeps,
  access: AccessContext,
  name: string,
): Promise<{ existed: boolean }> {
  assertSecretName(name);
  await authorizeAccess(deps.db, { ...access, action: "delete", name });
  const existed = await deps.db.transaction().execute((trx) => deleteSecretVersions(trx, name));
  return { existed };
}
