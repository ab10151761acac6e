import type { CatalogItem } from "./catalog-item.js";
import { loadCatalogDir } from "./catalog-loader.js";

export interface CatalogQuery {
  /** Case-insensitive substring of the name or description; empty matches all. */
  readonly search?: string;
  /** Exact category (case-insensitive); empty matches all. */
  readonly category?: string;
}

/** The catalog, held in memory: it is small, read on every deploy, and changes only on reload. */
export interface Catalog {
  list(query?: CatalogQuery): CatalogItem[];
  categories(): string[];
  get(id: string): CatalogItem | undefined;
  /** Re-reads the directory; on any error the current items stay in effect. Returns the new count. */
  reload(): Promise<number>;
}

/** Loads the catalog directory (throws CatalogLoadError naming the bad file) and serves it. */
export async function loadCatalog(dir: string): Promise<Catalog> {
  const catalog = new CatalogImpl(dir);
  await catalog.reload();
  return catalog;
}

class CatalogImpl implements Catalog {
  readonly #dir: string;
  #items: readonly CatalogItem[] = [];

  constructor(dir: string) {
    this.#dir = dir;
  }

  list(query: CatalogQuery = {}): CatalogItem[] {
    const search = query.search?.trim().toLowerCase() ?? "";
    const category = query.category?.trim().toLowerCase() ?? "";
    return this.#items.filter(
      (item) =>
        (!category || item.category.toLowerCase() === category) &&
        (!search ||
          item.name.toLowerCase().includes(search) ||
          item.description.toLowerCase().includes(search)),
    );
  }

  categories(): string[] {
    return [...new Set(this.#items.map((item) => item.category))].sort();
  }

  get(id: string): CatalogItem | undefined {
    return this.#items.find((item) => item.id === id);
  }

  async reload(): Promise<number> {
    const items = await loadCatalogDir(this.#dir);
    this.#items = items.sort((a, b) => a.name.localeCompare(b.name));
    return items.length;
  }
}
