import { readdir, readFile } from "node:fs/promises";
import { basename, extname, join } from "node:path";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import {
  type CatalogItem,
  catalogFileSchema,
  catalogRulesInputSchema,
  toCatalogItem,
} from "./catalog-item.js";
import { type CatalogProblem, catalogItemProblems } from "./catalog-rules.js";

const EXTENSIONS = new Set([".yaml", ".yml", ".json"]);

/** A problem of one catalog file, e.g. `catalog/wordpress.yaml` · `environment[1].name` · `is reserved`. */
export interface CatalogFileProblem extends CatalogProblem {
  readonly file: string;
}

/** The line an operator reads: `catalog/wordpress.yaml: environment[1].name: is reserved`. */
export function formatCatalogProblem(p: CatalogFileProblem): string {
  return p.path ? `${p.file}: ${p.path}: ${p.message}` : `${p.file}: ${p.message}`;
}

/** A catalog directory that cannot be loaded: every problem of every file, each naming its file and field. */
export class CatalogLoadError extends Error {
  readonly problems: readonly CatalogFileProblem[];

  constructor(problems: CatalogFileProblem[], options?: { cause?: unknown }) {
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    super(`catalog not loaded, ${count}:\n${problems.map(formatCatalogProblem).join("\n")}`, options);
    this.name = "CatalogLoadError";
    this.problems = problems;
  }
}

/**
 * Reads every `*.yaml`, `*.yml` and `*.json` file of `dir` (one catalog item per file) and
 * validates it (shape: catalog-item.ts, cross-field rules: catalog-rules.ts, ids unique across
 * files). All or nothing, and nothing silently dropped: any problem fails the whole load with
 * every problem of every file listed, so a typo is caught at start-up (or by ReloadCatalog)
 * instead of when a user deploys that app.
 */
export async function loadCatalogDir(dir: string): Promise<CatalogItem[]> {
  const shown = basename(dir);
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => EXTENSIONS.has(extname(f))).sort();
  } catch (err) {
    throw new CatalogLoadError([{ file: shown, path: "", message: "cannot be read as a directory" }], {
      cause: err,
    });
  }
  if (files.length === 0)
    throw new CatalogLoadError([{ file: shown, path: "", message: "has no .yaml/.yml/.json files" }]);

  const problems: CatalogFileProblem[] = [];
  const fileById = new Map<string, string>();
  const items: CatalogItem[] = [];
  for (const name of files) {
    const file = `${shown}/${name}`;
    const result = await loadCatalogFile(join(dir, name));
    if ("problems" in result) {
      problems.push(...result.problems.map((p) => ({ file, ...p })));
      continue;
    }
    const previous = fileById.get(result.item.id);
    if (previous)
      problems.push({ file, path: "id", message: `"${result.item.id}" is already used by ${previous}` });
    fileById.set(result.item.id, file);
    items.push(result.item);
  }
  if (problems.length > 0) throw new CatalogLoadError(problems);
  return items;
}

async function loadCatalogFile(
  path: string,
): Promise<{ item: CatalogItem } | { problems: CatalogProblem[] }> {
  let document: unknown;
  try {
    const text = await readFile(path, "utf8");
    document = extname(path) === ".json" ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    return {
      problems: [{ path: "", message: `cannot be parsed (${(err as Error).message.split("\n")[0]})` }],
    };
  }
  const shape = catalogFileSchema.safeParse(document);
  const rulesInput = shape.success ? shape.data : catalogRulesInputSchema.safeParse(document).data;
  const problems = [
    ...(shape.success ? [] : shape.error.issues.map(toProblem)),
    ...(rulesInput ? catalogItemProblems(rulesInput) : []),
  ];
  if (problems.length > 0 || !shape.success) return { problems };
  return { item: toCatalogItem(shape.data) };
}

function toProblem(issue: z.core.$ZodIssue): CatalogProblem {
  const path = issue.path
    .map((key, i) => (typeof key === "number" ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join("");
  return { path: path || "(file)", message: issue.message };
}
