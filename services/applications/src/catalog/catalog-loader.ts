import { readdir, readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { parse as parseYaml } from "yaml";
import { type CatalogItem, catalogItemSchema } from "./catalog-item.js";

const EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/** A catalog directory that cannot be loaded; the message names the file at fault. */
export class CatalogLoadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "CatalogLoadError";
  }
}

/**
 * Reads every `*.yaml`, `*.yml` and `*.json` file of `dir` (one catalog item per file) and
 * validates it. All or nothing: one bad file fails the whole load, so a typo is caught at start-up
 * (or by ReloadCatalog) instead of when a user deploys that app.
 */
export async function loadCatalogDir(dir: string): Promise<CatalogItem[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => EXTENSIONS.has(extname(f))).sort();
  } catch (err) {
    throw new CatalogLoadError(`catalog directory ${dir} cannot be read`, { cause: err });
  }
  if (files.length === 0)
    throw new CatalogLoadError(`catalog directory ${dir} has no .yaml/.yml/.json files`);
  const fileById = new Map<string, string>();
  const items: CatalogItem[] = [];
  for (const file of files) {
    const item = await loadCatalogFile(join(dir, file), file);
    const previous = fileById.get(item.id);
    if (previous)
      throw new CatalogLoadError(`catalog file ${file}: id "${item.id}" is already used by ${previous}`);
    fileById.set(item.id, file);
    items.push(item);
  }
  return items;
}

async function loadCatalogFile(path: string, file: string): Promise<CatalogItem> {
  let document: unknown;
  try {
    const text = await readFile(path, "utf8");
    document = extname(file) === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new CatalogLoadError(`catalog file ${file}: cannot be parsed (${(err as Error).message})`, {
      cause: err,
    });
  }
  const result = catalogItemSchema.safeParse(document);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".") || "(file)"}: ${i.message}`);
    throw new CatalogLoadError(`catalog file ${file}: ${problems.join("; ")}`);
  }
  return result.data;
}
