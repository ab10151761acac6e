import type { PostgresCursor, PostgresPool, PostgresPoolClient, PostgresQueryResult } from "kysely";
import type pg from "pg";
import { toUnavailable } from "./unavailable.js";

/**
 * The pg pool as kysely sees it, with timeouts and lost connections turned into UnavailableError
 * (see unavailable.ts), so every service answers them as UNAVAILABLE / 503 instead of a bare
 * internal error. Each pg client keeps one wrapper: kysely keys its connection state by client.
 */
export function unavailableMappingPool(pool: pg.Pool): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let wrapper = wrappers.get(client);
    if (!wrapper) {
      wrapper = {
        query: ((sqlOrCursor: string | PostgresCursor<unknown>, parameters?: ReadonlyArray<unknown>) => {
          // Cursors (streaming) pass through: their errors surface on read().
          if (typeof sqlOrCursor !== "string")
            return client.query(sqlOrCursor as unknown as pg.QueryConfig) as unknown;
          return (
            client.query(sqlOrCursor, parameters as unknown[]) as Promise<PostgresQueryResult<unknown>>
          ).catch((err: unknown) => {
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
