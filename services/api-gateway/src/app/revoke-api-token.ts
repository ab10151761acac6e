import { NotFoundError } from "@proximity/errors";
import { revokeApiTokenTree } from "../db/api-token.repository.js";
import type { GatewayDb } from "../db/database.js";
import { lockUser } from "../db/user.repository.js";
import { type RequestOrigin, recordAuthEvents } from "./auth-events.js";
import type { Principal } from "./principal.js";

/**
 * Revokes one of the caller's own live tokens, and with it every token created from it (a token
 * made with a leaked token dies with it); another user's token is simply "not found".
 */
export async function revokeApiToken(
  db: GatewayDb,
  principal: Principal,
  tokenId: string,
  origin: RequestOrigin,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Token issues hold this lock too: one in flight commits first, and the tree below (a later
    // statement, so a later snapshot) then includes the token it made from this one.
    await lockUser(trx, principal.user.id);
    const revoked = await revokeApiTokenTree(trx, tokenId, principal.user.id);
    if (revoked.length === 0) throw new NotFoundError("API token not found");
    await recordAuthEvents(
      trx,
      origin,
      revoked.map((id) => ({
        type: "token_revoked" as const,
        userId: principal.user.id,
        username: principal.user.username,
        actor: principal,
        subjectId: id,
        details: id === tokenId ? {} : { with_parent: tokenId },
      })),
    );
  });
}
