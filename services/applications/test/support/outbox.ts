import { Events } from "@proximity/bus";
import type { Kysely } from "kysely";
import type { ApplicationsDatabase } from "../../src/db/database.js";

export interface OutboxEvent {
  /** Event name in the catalog, e.g. "AppActionRequested". */
  readonly name: string;
  /** ce-subject: the app id. */
  readonly subject: string;
  // biome-ignore lint/suspicious/noExplicitAny: decoded payloads of any event type
  readonly payload: any;
  /** The raw protobuf bytes. */
  readonly raw: Buffer;
}

const BY_TYPE = new Map(Object.entries(Events).map(([name, def]) => [def.type, { name, def }]));

/** Every event in the service's outbox, decoded, oldest first. */
export async function outboxEvents(
  db: Kysely<ApplicationsDatabase>,
  subject?: string,
): Promise<OutboxEvent[]> {
  const rows = await db.selectFrom("outbox").selectAll().orderBy("created_at").orderBy("id").execute();
  return rows
    .map((row) => {
      const known = BY_TYPE.get(row.type);
      return {
        name: known?.name ?? row.type,
        subject: row.headers["ce-subject"] ?? "",
        payload: known ? known.def.codec.decode(row.payload) : undefined,
        raw: row.payload,
      };
    })
    .filter((e) => subject === undefined || e.subject === subject);
}
