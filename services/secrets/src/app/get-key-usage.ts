import { countVersionsByKek } from "../db/key-usage.repository.js";
import type { AccessContext } from "../domain/access-context.js";
import { authorizeAdmin } from "./authorize-admin.js";
import type { SecretsDeps } from "./deps.js";

/**
 * GetKeyUsage: secret versions per KEK, listing every key of the ring (0 when unused, which is
 * the signal that a key can be retired) plus any id still in the database but not in the ring.
 */
export async function getKeyUsage(
  deps: SecretsDeps,
  access: AccessContext,
): Promise<{ currentKeyId: string; usage: { keyId: string; versions: number }[] }> {
  await authorizeAdmin(deps.db, { ...access, action: "key-usage" });
  const counts = await countVersionsByKek(deps.db);
  const ids = [...new Set([...deps.keys.keyIds(), ...counts.keys()])].sort();
  return {
    currentKeyId: deps.keys.currentKeyId(),
    usage: ids.map((keyId) => ({ keyId, versions: counts.get(keyId) ?? 0 })),
  };
}
