import { ConflictError } from "@proximity/errors";
import type { Logger } from "@proximity/logger";
import type { Catalog } from "../catalog/catalog.js";
import { CatalogLoadError } from "../catalog/catalog-loader.js";

/**
 * Re-reads the catalog directory. A broken file leaves the current catalog in effect and is
 * reported to the (admin) caller with the file name, so it can be fixed without reading logs.
 */
export async function reloadCatalog(catalog: Catalog, log: Logger): Promise<number> {
  try {
    const count = await catalog.reload();
    log.info({ count }, "catalog reloaded");
    return count;
  } catch (err) {
    if (!(err instanceof CatalogLoadError)) throw err;
    log.warn({ err }, "catalog reload refused; previous catalog kept");
    throw new ConflictError(`Catalog not reloaded, the previous one stays in effect: ${err.message}`, err);
  }
}
