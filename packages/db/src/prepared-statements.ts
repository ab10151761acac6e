/**
 * Names for the statements a service runs again and again, so that PostgreSQL parses, analyses
 * and plans each once per connection rather than at every execution (pg's protocol-level prepared
 * statements: a query with a `name`). Measured in the deploy benchmark: parsing, analysis and
 * planning were about a third of PostgreSQL's CPU, its executor a fifth (docs/benchmarks.md).
 *
 * Bounded: the first `max` distinct statements with parameters get a name; any other runs unnamed,
 * as before (a backend keeps every prepared statement and its plans until the connection closes,
 * and statements built from a variable number of values would otherwise name without end). Lists
 * of values go as one array parameter (list-parameter.ts), so their text, and their name, is the
 * same for any count; multi-row inserts still vary with their row count.
 *
 * A prepared statement whose result columns change fails with "cached plan must not change result
 * type": a migration of a newer version adding a column to a table a `select *` or `returning *`
 * reads, during a rolling upgrade. The failed call is answered as unavailable (clients and
 * consumers retry), and every statement takes a new name, so each is prepared again on its next
 * use, on every connection.
 */

/** A pool's statement names (PostgreSQL keeps prepared statements per connection). */
export interface StatementNames {
  /** Every rename starts a new generation; a connection holding an older one's is closed on release. */
  readonly generation: number;
  /** The name to prepare `text` under; undefined to run it unnamed. */
  nameOf(text: string): string | undefined;
  /**
   * `name`'s cached plan went stale: every statement takes a new name, to be prepared again on its
   * next use, unless a rename since then already gave it one (the calls in flight when a schema
   * changed all fail; one rename is enough).
   */
  staled(name: string): void;
}

/** Distinct statements a pool prepares at most (per connection). */
export const DEFAULT_PREPARED_STATEMENTS = 256;

/**
 * @param max distinct statements named at most; 0 names none (every statement runs unnamed, e.g.
 *   behind a connection pooler that cannot keep prepared statements).
 */
export function createStatementNames(max: number = DEFAULT_PREPARED_STATEMENTS): StatementNames {
  const names = new Map<string, string>();
  let generation = 0;
  const prefix = () => `proximity_${generation}_`;
  return {
    get generation() {
      return generation;
    },
    nameOf(text) {
      const known = names.get(text);
      if (known !== undefined || names.size >= max) return known;
      const name = `${prefix()}${names.size}`;
      names.set(text, name);
      return name;
    },
    staled(name) {
      if (!name.startsWith(prefix())) return;
      generation += 1;
      names.clear();
    },
  };
}

/** PostgreSQL's refusal to run a prepared statement whose result columns changed since it was prepared. */
export function isStalePlan(err: unknown): boolean {
  if (typeof err !== "object" || err === null) return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  return (
    code === "0A000" &&
    typeof message === "string" &&
    message.includes("cached plan must not change result type")
  );
}

/**
 * Whether a named statement's failure may have left the connection's prepared statements out of
 * step with pg's record of them: a failure on the client's side (pg could not serialise a value
 * after sending the statement, so it closed it on the server, yet still counts it as prepared; a
 * lost connection), or the server no longer knowing the statement (26000: dropped by `DISCARD` or
 * `DEALLOCATE`). Either way the connection is not used again.
 */
export function leavesStatementsUnknown(err: unknown): boolean {
  const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code !== "string" || !/^[0-9A-Z]{5}$/.test(code) || code === "26000";
}
