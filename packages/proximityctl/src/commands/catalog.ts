/** catalog reload: the applications service re-reads its catalog files and asks its other replicas to. */
import type { Command } from "./command.js";

export const reloadCatalog: Command = {
  noun: "catalog",
  verb: "reload",
  args: [],
  options: [],
  summary: "re-read the catalog files (a broken file keeps the current catalog and is listed)",
  async run(ctx) {
    const res = await ctx.clients.applications.reloadCatalog({});
    return {
      json: res,
      text: `Catalog reloaded: ${res.count} items on the applications replica that answered; the other replicas reload on its CatalogReloadRequested event.`,
    };
  },
};
