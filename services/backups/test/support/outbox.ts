import { Events } from "@proximity/bus";
import type { Kysely } from "kysely";
import type { BackupsDatabase } from "../../src/db/database.js";

export interface OutboxEvent {
  /** Event name in the catalog, e.g. "BackupStarted". */
  readonly name: string;
  /** ce-subject: the app id. */
  readonly subject: string;
  // biome-ignore lint/suspicious/noExplicitAny: decoded payloads of any event type
  readonly payload: any;
}

const BY_TYPE = new Map(Object.entries(Events).map(([name, def]) => [def.type, { name, def }]));

/** Every event in the service's outbox (published or not), decoded, oldest first. */
export async function outboxEvents(db: Kysely<BackupsDatabase>, subject?: string): Promise<OutboxEvent[]> {
  const rows = await db.selectFrom("outbox").selectAll().orderBy("seq").execute();
  return rows
    .map((row) => {
      const known = BY_TYPE.get(row.type);
      return {
        name: known?.name ?? row.type,
        subject: row.headers["ce-subject"] ?? "",
        payload: known ? known.def.codec.decode(row.payload) : undefined,
      };
    })
    .filter((e) => subject === undefined || e.subject === subject);
}

/** The names of the events about `appId`, oldest first. */
export async function eventNames(db: Kysely<BackupsDatabase>, appId: string): Promise<string[]> {
  return (await outboxEvents(db, appId)).map((e) => e.name);
}
