import { NotFoundError } from "@proximity/errors";
import { revokeApiToken as revokeRow } from "../db/api-token.repository.js";
import type { GatewayDb } from "../db/database.js";
import type { Principal } from "./principal.js";

/** Revokes one of the caller's own live tokens; another user's token is simply "not found". */
export async function revokeApiToken(db: GatewayDb, principal: Principal, tokenId: string): Promise<void> {
  if (!(await revokeRow(db, tokenId, principal.user.id))) throw new NotFoundError("API token not found");
}
