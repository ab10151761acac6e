import { NotFoundError } from "@proximity/errors";
import { openSecret, secretAad } from "../crypto/envelope.js";
import { findCurrentSecretVersion } from "../db/secret.repository.js";
import type { AccessContext } from "../domain/access-context.js";
import { assertSecretName } from "../domain/secret-input.js";
import { authorizeAccess } from "./authorize-access.js";
import type { SecretsDeps } from "./deps.js";

/** The current version of `name`, decrypted. A version that fails authentication is an error. */
export async function getSecret(
  deps: SecretsDeps,
  access: AccessContext,
  name: string,
): Promise<{ name: string; version: number; value: Buffer }> {
  assertSecretName(name);
  await authorizeAccess(deps.db, { ...access, action: "get", name });
  const stored = await findCurrentSecretVersion(deps.db, name);
  if (!stored) throw new NotFoundError("Secret not found");
  const value = await openSecret(deps.keys, stored, secretAad(stored.name, stored.version));
  return { name: stored.name, version: stored.version, value };
}
