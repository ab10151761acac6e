import type { KyselyPlugin } from "kysely";

/** Counts the statements sent through a Kysely instance, and can fail the next one before it is sent. */
export interface StatementCounter {
  /** For `db.withPlugin`. */
  readonly plugin: KyselyPlugin;
  /** Statements sent so far (set it to 0 to count from here). */
  sent: number;
  /** The next statement fails with "database unavailable" instead of being sent. */
  failNext: boolean;
}

export function statementCounter(): StatementCounter {
  const counter: StatementCounter = {
    sent: 0,
    failNext: false,
    plugin: {
      transformQuery(args) {
        if (counter.failNext) {
          counter.failNext = false;
          throw new Error("database unavailable");
        }
        counter.sent++;
        return args.node;
      },
      transformResult: async (args) => args.result,
    },
  };
  return counter;
}
