import { z } from "zod";
import type { ApiTokenRow } from "../../db/api-tokens.table.js";
import { TOKEN_SCOPES, type TokenScope } from "../../domain/access.js";
import { isoOrNull, pageQuery } from "./common.schema.js";

export const createTokenBody = z
  .object({
    name: z.string().trim().min(1).max(100),
    scopes: z
      .array(z.enum(TOKEN_SCOPES))
      .min(1)
      .default(["read", "write"])
      .transform((scopes) => [...new Set(scopes)]),
    /** Left out: the default lifetime (API_TOKEN_DEFAULT_DAYS), never "no expiry". */
    expires_at: z.iso
      .datetime({ offset: true })
      .optional()
      .transform((s) => (s ? new Date(s) : null)),
  })
  .strict();

/** `?state=live` (default: neither revoked nor expired) or `all`, with the usual paging. */
export const tokensQuery = pageQuery.extend({
  state: z.enum(["live", "all"]).default("live"),
});

/** A token as listed: never its secret. */
export const tokenJson = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(TOKEN_SCOPES)),
  created_at: z.string(),
  expires_at: z.string(),
  revoked_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
  /** The session (its id in GET /api/auth/sessions) the token was created from, if any. */
  created_by_session_id: z.string().nullable(),
  /** The token that created this one, if any: revoking that one revokes this one too. */
  created_by_token_id: z.string().nullable(),
});

/** Creation answer: the only time the full token is shown. */
export const createdTokenJson = tokenJson.extend({ token: z.string() });

export function toTokenJson(row: ApiTokenRow): z.infer<typeof tokenJson> {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes as TokenScope[],
    created_at: row.created_at.toISOString(),
    expires_at: row.expires_at.toISOString(),
    revoked_at: isoOrNull(row.revoked_at),
    last_used_at: isoOrNull(row.last_used_at),
    created_by_session_id: row.created_by_session_id,
    created_by_token_id: row.created_by_token_id,
  };
}
