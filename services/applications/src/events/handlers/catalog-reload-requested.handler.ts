import type { EventHandler } from "@proximity/bus";
import type { applicationsEventsV1 } from "@proximity/proto";
import type { Catalog } from "../../catalog/catalog.js";
import { CatalogLoadError, formatCatalogProblem } from "../../catalog/catalog-loader.js";

/**
 * Another replica (or this one) reloaded the catalog: re-read this replica's files. A broken file
 * keeps the catalog in effect and is logged with every problem; retrying would read the same files.
 */
export function handleCatalogReloadRequested(
  catalog: Catalog,
): EventHandler<applicationsEventsV1.CatalogReloadRequested> {
  return async ({ requestedBy }, ctx) => {
    try {
      const count = await catalog.reload();
      ctx.log.info({ count, requestedBy }, "catalog reloaded on request");
    } catch (err) {
      if (!(err instanceof CatalogLoadError)) throw err;
      ctx.log.warn(
        { requestedBy, problems: err.problems.map(formatCatalogProblem) },
        "requested catalog reload refused; previous catalog kept",
      );
    }
  };
}
