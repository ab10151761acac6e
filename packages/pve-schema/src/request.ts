/**
 * Request contract: the method and path exist in the schema, every parameter (path ones included)
 * is declared, required ones are present, `requires` partners are present, and values fit.
 */
import { matchEndpoint } from "./endpoints.js";
import type { PropSchema, RecordedRequest } from "./types.js";
import { checkWireValue } from "./wire-value.js";

/** Problems of one request, each prefixed with `METHOD path:` (empty = fits the schema). */
export function checkRequest(req: RecordedRequest): string[] {
  const where = `${req.method} ${req.path}`;
  const match = matchEndpoint(req.path);
  if (!match) return [`${where}: path not in schema`];
  const info = match.node.info?.[req.method];
  if (!info) return [`${where}: method not declared for ${match.node.path}`];
  const props = info.parameters?.properties ?? {};
  const values: Record<string, string> = { ...match.pathParams, ...req.params };
  const problems: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    const schema = lookupProp(props, name);
    if (!schema) {
      problems.push(`${where}: parameter '${name}' is not declared`);
      continue;
    }
    for (const p of checkWireValue(schema, value)) problems.push(`${where}: '${name}' ${p}`);
    if (schema.requires && !(schema.requires in values))
      problems.push(`${where}: '${name}' requires '${schema.requires}'`);
  }
  for (const [name, schema] of Object.entries(props)) {
    if (!schema.optional && !name.includes("[n]") && !(name in values)) {
      problems.push(`${where}: required parameter '${name}' missing`);
    }
  }
  return problems;
}

/** Same as checkRequest, argument style. */
export function checkParams(
  method: string,
  path: string,
  params: Readonly<Record<string, string>>,
): string[] {
  return checkRequest({ method, path, params });
}

/** `net0` → `net[n]`: indexed keys are declared once with `[n]`. */
function lookupProp(props: Record<string, PropSchema>, name: string): PropSchema | undefined {
  if (props[name]) return props[name];
  const m = /^(.*?)(\d+)$/.exec(name);
  return m ? props[`${m[1]}[n]`] : undefined;
}
