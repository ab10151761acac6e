import { addToOutbox, Events } from "@proximity/bus";
import { ValidationError } from "@proximity/errors";
import type { Logger } from "@proximity/logger";
import type { Catalog } from "../catalog/catalog.js";
import {
  type CatalogFileProblem,
  CatalogLoadError,
  formatCatalogProblem,
} from "../catalog/catalog-loader.js";
import type { ApplicationsDb } from "../db/database.js";

export interface ReloadCatalogContext {
  /** The administrator asking, or `sre` (operator tooling, no end user). */
  readonly userId: string;
  readonly traceparent: string;
  readonly log: Logger;
}

/**
 * Re-reads this replica's catalog directory and, when it loads, asks every replica to do the same
 * (CatalogReloadRequested through the outbox; each replica has its own broadcast consumer). A
 * broken file leaves the current catalog in effect everywhere and is answered to the (admin)
 * caller as a ValidationError listing every problem with its file and field, so it can be fixed
 * without reading logs. The event is not sent then: the other replicas read the same files.
 * @returns the number of items now served by this replica.
 */
export async function reloadCatalog(
  deps: { readonly catalog: Catalog; readonly db: ApplicationsDb },
  ctx: ReloadCatalogContext,
): Promise<number> {
  let count: number;
  try {
    count = await deps.catalog.reload();
  } catch (err) {
    if (!(err instanceof CatalogLoadError)) throw err;
    ctx.log.warn(
      { problems: err.problems.map(formatCatalogProblem) },
      "catalog reload refused; previous catalog kept",
    );
    throw new ValidationError(
      `Catalog not reloaded (${plural(err.problems.length)}); the previous catalog stays in effect`,
      err.problems.map(toFieldError),
      err,
    );
  }
  await deps.db.transaction().execute((trx) =>
    addToOutbox(
      trx,
      Events.CatalogReloadRequested,
      { requestedBy: ctx.userId },
      {
        source: "applications",
        traceparent: ctx.traceparent,
      },
    ),
  );
  ctx.log.info({ count }, "catalog reloaded; other replicas asked to reload");
  return count;
}

function toFieldError(p: CatalogFileProblem): { field: string; message: string } {
  return { field: p.path ? `${p.file}: ${p.path}` : p.file, message: p.message };
}

function plural(n: number): string {
  return n === 1 ? "1 problem" : `${n} problems`;
}
