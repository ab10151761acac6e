import { z } from "zod";
import type { ApiTokenRow } from "../../db/api-tokens.table.js";
import { TOKEN_SCOPES, type TokenScope } from "../../domain/access.js";
import { isoOrNull } from "./common.schema.js";

export const createTokenBody = z.object({
  name: z.string().trim().min(1).max(100),
  scopes: z
    .array(z.enum(TOKEN_SCOPES))
    .min(1)
    .default(["read", "write"])
    .transform((scopes) => [...new Set(scopes)]),
  expires_at: z.iso
    .datetime({ offset: true })
    .optional()
    .transform((s) => (s ? new Date(s) : null)),
});

/** A token as listed: never its secret. */
export const tokenJson = z.object({
  id: z.string(),
  name: z.string(),
  scopes: z.array(z.enum(TOKEN_SCOPES)),
  created_at: z.string(),
  expires_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  last_used_at: z.string().nullable(),
});

/** Creation answer: the only time the full token is shown. */
export const createdTokenJson = tokenJson.extend({ token: z.string() });

export function toTokenJson(row: ApiTokenRow): z.infer<typeof tokenJson> {
  return {
    id: row.id,
    name: row.name,
    scopes: row.scopes as TokenScope[],
    created_at: row.created_at.toISOString(),
    expires_at: isoOrNull(row.expires_at),
    revoked_at: isoOrNull(row.revoked_at),
    last_used_at: isoOrNull(row.last_used_at),
  };
}
