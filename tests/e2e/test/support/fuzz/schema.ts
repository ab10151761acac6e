/**
 * The gateway's OpenAPI document as the fuzz reads it: operations, their parameters and body
 * schemas, and the places (slots) in a JSON body where a value can be put.
 */

/** The part of a JSON Schema (OpenAPI 3.1) the generator reads. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly format?: string;
  readonly pattern?: string;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly items?: JsonSchema;
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly default?: unknown;
}

export interface Parameter {
  readonly name: string;
  readonly in: "path" | "query" | "header";
  readonly required?: boolean;
  readonly schema: JsonSchema;
}

/** One operation of the document. */
export interface FuzzOperation {
  readonly method: string;
  readonly template: string;
  readonly access: "public" | "user" | "admin";
  readonly parameters: readonly Parameter[];
  readonly body?: { readonly schema: JsonSchema; readonly required: boolean };
  /** Answers with a long-lived event stream (`text/event-stream`). */
  readonly streams: boolean;
}

/** The operations of an OpenAPI document. */
export function operationsOf(document: {
  paths: Record<string, Record<string, Record<string, unknown>>>;
}): FuzzOperation[] {
  const ops: FuzzOperation[] = [];
  for (const [template, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const requestBody = op.requestBody as
        | { required?: boolean; content?: Record<string, { schema?: JsonSchema }> }
        | undefined;
      const bodySchema = requestBody?.content?.["application/json"]?.schema;
      const ok = (op.responses as Record<string, { content?: Record<string, unknown> }> | undefined)?.["200"];
      ops.push({
        method: method.toUpperCase(),
        template,
        access: (op["x-access"] as FuzzOperation["access"]) ?? "user",
        parameters: (op.parameters as Parameter[] | undefined) ?? [],
        ...(bodySchema ? { body: { schema: bodySchema, required: requestBody?.required !== false } } : {}),
        streams: Boolean(ok?.content?.["text/event-stream"]),
      });
    }
  }
  return ops;
}

/** The JSON types a schema admits (an empty set: anything). */
export function typesOf(schema: JsonSchema): Set<string> {
  const types = new Set<string>();
  const add = (t: string) => types.add(t === "integer" ? "number" : t);
  if (typeof schema.type === "string") add(schema.type);
  if (Array.isArray(schema.type)) for (const t of schema.type) add(t);
  for (const value of schema.enum ?? []) add(value === null ? "null" : typeof value);
  if ("const" in schema) add(schema.const === null ? "null" : typeof schema.const);
  for (const alternative of [...(schema.anyOf ?? []), ...(schema.oneOf ?? [])]) {
    const inner = typesOf(alternative);
    if (inner.size === 0) return new Set();
    for (const t of inner) types.add(t);
  }
  for (const part of schema.allOf ?? []) for (const t of typesOf(part)) types.add(t);
  if (schema.properties && types.size === 0) types.add("object");
  return types;
}

/** The schema without its null alternative (`nullable`), for generating a value. */
export function nonNull(schema: JsonSchema): JsonSchema {
  const alternatives = schema.anyOf ?? schema.oneOf;
  const found = alternatives?.find((a) => !typesOf(a).has("null") || typesOf(a).size > 1);
  return found ?? schema;
}

/** A place in the body a fault can go: its path and schema, and whether its parent requires it. */
export interface Slot {
  readonly path: readonly (string | number)[];
  readonly schema: JsonSchema;
  readonly required: boolean;
}

/** Every slot of an example body, as deep as the example goes. */
export function slotsOf(
  schema: JsonSchema,
  value: unknown,
  path: (string | number)[] = [],
  required = true,
): Slot[] {
  const s = nonNull(schema);
  const slots: Slot[] = [{ path, schema: s, required }];
  if (Array.isArray(value) && s.items) {
    for (const [index, item] of value.entries())
      slots.push(...slotsOf(s.items, item, [...path, index], true));
  } else if (value && typeof value === "object") {
    for (const [key, item] of Object.entries(value)) {
      const property =
        s.properties?.[key] ??
        (typeof s.additionalProperties === "object" ? s.additionalProperties : undefined);
      if (property)
        slots.push(...slotsOf(property, item, [...path, key], s.required?.includes(key) ?? false));
    }
  }
  return slots;
}

export const DELETE = Symbol("delete");

export function withValueAt(root: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let at = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (value === DELETE) {
    if (Array.isArray(at)) at.splice(Number(last), 1);
    else delete at[last];
  } else {
    at[last] = value;
  }
  return copy;
}
