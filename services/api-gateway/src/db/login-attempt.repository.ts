import type { FailureWindow } from "../domain/login-throttle-policy.js";
import type { GatewayDb } from "./database.js";

export async function recordLoginFailure(
  db: GatewayDb,
  usernameKey: string,
  clientAddress: string,
): Promise<void> {
  await db
    .insertInto("login_attempts")
    .values({ username_key: usernameKey, client_address: clientAddress })
    .execute();
}

/** Failures since `since` for the account and for the client address. */
export async function loginFailuresSince(
  db: GatewayDb,
  usernameKey: string,
  clientAddress: string,
  since: Date,
): Promise<{ account: FailureWindow; address: FailureWindow }> {
  const windowOf = async (
    column: "username_key" | "client_address",
    value: string,
  ): Promise<FailureWindow> => {
    const row = await db
      .selectFrom("login_attempts")
      .select((eb) => [eb.fn.countAll<number>().as("count"), eb.fn.min("attempted_at").as("oldest")])
      .where(column, "=", value)
      .where("attempted_at", ">", since)
      .executeTakeFirstOrThrow();
    return { count: Number(row.count), oldest: row.oldest ? new Date(row.oldest) : null };
  };
  const [account, address] = await Promise.all([
    windowOf("username_key", usernameKey),
    windowOf("client_address", clientAddress),
  ]);
  return { account, address };
}

/** A successful login forgives the account's failures (not the address's). */
export async function clearAccountFailures(db: GatewayDb, usernameKey: string): Promise<void> {
  await db.deleteFrom("login_attempts").where("username_key", "=", usernameKey).execute();
}

/** Drops rows that left the throttle window. */
export async function pruneLoginAttempts(db: GatewayDb, before: Date): Promise<void> {
  await db.deleteFrom("login_attempts").where("attempted_at", "<=", before).execute();
}
