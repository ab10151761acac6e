import { UnavailableError } from "@proximity/errors";
import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from "kysely";
import type pg from "pg";
import { isStalePlan, type StatementNames } from "./prepared-statements.js";
import { toUnavailable } from "./unavailable.js";

/** What clients are told when a prepared statement went stale under a schema change. */
export const SCHEMA_CHANGED = "The database schema changed under this call, try again";

/**
 * The pg pool as kysely sees it, with timeouts and lost connections turned into UnavailableError
 * (see unavailable.ts), so every service answers them as UNAVAILABLE / 503 instead of a bare
 * internal error. Each pg client keeps one wrapper: kysely keys its connection state by client.
 * Statements with parameters run prepared under the name `statements` gives them, if any
 * (prepared-statements.ts).
 */
export function unavailableMappingPool(pool: pg.Pool, statements?: StatementNames): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let wrapper = wrappers.get(client);
    if (!wrapper) {
      wrapper = {
        query: ((sqlOrCursor: string | PostgresCursor<unknown>, parameters?: ReadonlyArray<unknown>) => {
          // Cursors (streaming) pass through: their errors surface on read().
          if (typeof sqlOrCursor !== "string")
            return client.query(sqlOrCursor as unknown as pg.QueryConfig) as unknown;
          const values = parameters as unknown[] | undefined;
          const name = values && values.length > 0 ? statements?.nameOf(sqlOrCursor) : undefined;
          const running = name
            ? client.query({ name, text: sqlOrCursor, values })
            : client.query(sqlOrCursor, values);
          return (running as Promise<PostgresQueryResult<unknown>>).catch((err: unknown) => {
            if (name && isStalePlan(err)) {
              statements?.renameAll();
              throw new UnavailableError(SCHEMA_CHANGED, err);
            }
            throw toUnavailable(err);
          });
        }) as PostgresPoolClient["query"],
        release: (destroy?: boolean) => client.release(destroy),
      };
      wrappers.set(client, wrapper);
    }
    return wrapper;
  };
  return {
    connect: async () => {
      try {
        return wrap(await pool.connect());
      } catch (err) {
        throw toUnavailable(err);
      }
    },
    end: () => pool.end(),
  };
}
