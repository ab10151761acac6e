import { UnavailableError } from "@proximity/errors";
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from "kysely";
import type pg from "pg";
import { isStalePlan, leavesStatementsUnknown, type StatementNames } from "./prepared-statements.js";
import { DATABASE_UNAVAILABLE, toUnavailable } from "./unavailable.js";

/** What clients are told when a prepared statement went stale under a schema change. */
export const SCHEMA_CHANGED = "The database schema changed under this call, try again";

/**
 * The pg pool as kysely sees it, with timeouts and lost connections turned into UnavailableError
 * (see unavailable.ts), so every service answers them as UNAVAILABLE / 503 instead of a bare
 * internal error. Each pg client keeps one wrapper: kysely keys its connection state by client.
 * Statements with parameters run prepared under the name `statements` gives them, if any
 * (prepared-statements.ts). A connection is closed rather than pooled again once its prepared
 * statements are stale (an older generation of names) or unknown (a failure that may have left
 * pg's record of them wrong), so a connection never holds more than one generation's statements
 * past its release and one broken statement does not fail every later call on it.
 */
export function unavailableMappingPool(pool: pg.Pool, statements?: StatementNames): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, { wrapper: PostgresPoolClient; stale: () => boolean }>();
  const wrap = (client: pg.PoolClient) => {
    const known = wrappers.get(client);
    if (known) return known;
    /** The generation of names this connection prepared statements under (the oldest). */
    let preparedIn: number | undefined;
    let discard = false;
    const stale = () =>
      preparedIn !== undefined && statements !== undefined && preparedIn < statements.generation;
    const named = (name: string, text: string, values: unknown[]) => {
      preparedIn ??= statements?.generation;
      return (client.query({ name, text, values }) as Promise<PostgresQueryResult<unknown>>).catch(
        (err: unknown) => {
          if (isStalePlan(err)) {
            discard = true;
            statements?.staled(name);
            throw new UnavailableError(SCHEMA_CHANGED, err);
          }
          if (leavesStatementsUnknown(err)) {
            discard = true;
            if ((err as { code?: unknown }).code === "26000")
              throw new UnavailableError(DATABASE_UNAVAILABLE, err);
          }
          throw toUnavailable(err);
        },
      );
    };
    const wrapper: PostgresPoolClient = {
      query: ((sqlOrCursor: string | PostgresCursor<unknown>, parameters?: ReadonlyArray<unknown>) => {
        // Cursors (streaming) pass through: their errors surface on read().
        if (typeof sqlOrCursor !== "string")
          return client.query(sqlOrCursor as unknown as pg.QueryConfig) as unknown;
        const values = parameters as unknown[] | undefined;
        // A connection to be discarded runs the rest of its checkout unnamed.
        const name = values && values.length > 0 && !discard ? statements?.nameOf(sqlOrCursor) : undefined;
        if (name && values) return named(name, sqlOrCursor, values);
        return (client.query(sqlOrCursor, values) as Promise<PostgresQueryResult<unknown>>).catch(
          (err: unknown) => {
            throw toUnavailable(err);
          },
        );
      }) as PostgresPoolClient["query"],
      release: (destroy?: boolean) => client.release(destroy || discard || stale()),
    };
    const state = { wrapper, stale };
    wrappers.set(client, state);
    return state;
  };
  return {
    connect: async () => {
      try {
        // An idle connection holding an older generation's statements is closed, not handed out
        // (each new connection holds none, so this ends).
        for (;;) {
          const client = await pool.connect();
          const { wrapper, stale } = wrap(client);
          if (!stale()) return wrapper;
          client.release(true);
        }
      } catch (err) {
        throw toUnavailable(err);
      }
    },
    end: () => pool.end(),
  };
}
