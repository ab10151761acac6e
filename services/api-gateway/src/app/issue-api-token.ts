import { randomUUID } from "node:crypto";
import { PermissionDeniedError, ValidationError } from "@proximity/errors";
import { insertApiToken } from "../db/api-token.repository.js";
import type { ApiTokenRow } from "../db/api-tokens.table.js";
import type { GatewayDb } from "../db/database.js";
import type { TokenScope } from "../domain/access.js";
import { formatApiToken, newApiTokenSecret } from "../domain/api-token-format.js";
import { sha256Hex } from "../domain/secret-token.js";
import type { Principal } from "./principal.js";

export interface IssueApiTokenInput {
  readonly name: string;
  readonly scopes: readonly TokenScope[];
  readonly expiresAt: Date | null;
}

/** The stored row plus the full token, which exists only in this result (shown once). */
export interface IssuedApiToken {
  readonly row: ApiTokenRow;
  readonly token: string;
}

/** Issues an API token for the caller; only admins may grant the admin scope. */
export async function issueApiToken(
  db: GatewayDb,
  principal: Principal,
  input: IssueApiTokenInput,
): Promise<IssuedApiToken> {
  if (input.scopes.includes("admin") && !principal.user.isAdmin) {
    throw new PermissionDeniedError("Only admins may create tokens with the admin scope");
  }
  if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
    throw new ValidationError("Invalid request", [{ field: "expires_at", message: "must be in the future" }]);
  }
  // A token never grants more than the token that created it.
  if (principal.scopes && !input.scopes.every((s) => principal.scopes!.includes(s))) {
    throw new PermissionDeniedError("A token cannot grant scopes it does not hold");
  }
  const id = randomUUID();
  const secret = newApiTokenSecret();
  const row = await insertApiToken(db, {
    id,
    userId: principal.user.id,
    name: input.name,
    scopes: input.scopes,
    secretHash: sha256Hex(secret),
    expiresAt: input.expiresAt,
  });
  return { row, token: formatApiToken(id, secret) };
}
