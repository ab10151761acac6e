/**
 * The commit notifications of a database made by @proximity/db's createDatabase, as the outbox
 * relay finds them on the Kysely instance it is given (a registered symbol: the bus depends on
 * no database package; any other Kysely instance simply has none, and the relay only polls).
 * Mirrors `DatabaseNotifications` of @proximity/db.
 */
export const DATABASE_NOTIFICATIONS: unique symbol = Symbol.for("proximity.db.notifications") as never;

export interface DatabaseNotifications {
  readonly schema: string;
  listen(
    channel: string,
    onNotify: () => void,
    onListening?: (listening: boolean) => void,
  ): () => Promise<void>;
}
