import { z } from "zod";
import type { SessionView } from "../../db/session.repository.js";

/** A login session as its owner sees it: never its secret. */
export const sessionJson = z.object({
  id: z.string(),
  created_at: z.string(),
  last_seen_at: z.string(),
  expires_at: z.string(),
  client_address: z.string().nullable(),
  user_agent: z.string().nullable(),
  /** The session making this request. */
  current: z.boolean(),
});

export const endedSessionsJson = z.object({
  ended: z
    .number()
    .int()
    .describe(
      "How many of your live sessions ended (those already expired or idle are removed too, uncounted)",
    ),
});

export function toSessionJson(row: SessionView, currentId: string | undefined): z.infer<typeof sessionJson> {
  return {
    id: row.id,
    created_at: row.created_at.toISOString(),
    last_seen_at: row.last_seen_at.toISOString(),
    expires_at: row.expires_at.toISOString(),
    client_address: row.client_address,
    user_agent: row.user_agent,
    current: row.id === currentId,
  };
}
