import type { FastifySchemaCompiler, FastifySchemaValidationError } from "fastify";
import { z } from "zod";

type RawIssue = z.core.$ZodRawIssue;

const NOUN: Record<string, string> = {
  int: "an integer",
  integer: "an integer",
  object: "an object",
  array: "an array",
  record: "an object",
};

function plural(count: number | bigint, word: string): string {
  return `${count} ${word}${Number(count) === 1 ? "" : "s"}`;
}

/** "must be at most N" and the like, by what was measured (strings in characters, lists in items). */
function boundMessage(issue: RawIssue & { code: "too_big" | "too_small" }): string | undefined {
  const big = issue.code === "too_big";
  const limit = big ? issue.maximum : issue.minimum;
  if (typeof limit !== "number" && typeof limit !== "bigint") return undefined;
  const inclusive = issue.inclusive !== false;
  const word = big ? "most" : "least";
  switch (issue.origin) {
    case "number":
    case "int":
    case "bigint":
      return inclusive ? `must be at ${word} ${limit}` : `must be ${big ? "less" : "greater"} than ${limit}`;
    case "string":
      // "at least 1 character" is a roundabout "empty": say that (an empty password, a name).
      if (!big && Number(limit) === 1 && inclusive) return "must not be empty";
      return `must be at ${word} ${plural(limit, "character")}`;
    case "array":
    case "set":
      return `must have at ${word} ${plural(limit, "item")}`;
    default:
      return undefined;
  }
}

/**
 * Friendly texts for zod's generic issues ("is required", "must be a string", "must be at most
 * 100"). It is a per-parse error map, so messages a schema sets itself still win; anything not
 * handled here keeps zod's default. Messages never quote the input.
 */
export function friendlyIssueMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "is required";
      return `must be ${NOUN[issue.expected] ?? `a ${issue.expected}`}`;
    case "too_big":
    case "too_small":
      return boundMessage(issue);
    case "invalid_value":
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of: ${issue.values.map((v) => String(v)).join(", ")}`;
    case "invalid_format":
      // zod's own words ("Invalid UUID", "Invalid string: must match pattern /…/") are jargon.
      return FORMAT_MESSAGE[issue.format] ?? "is not in the expected format";
    default:
      return undefined;
  }
}

/** What a value of each string format looks like, said with an example. */
const FORMAT_MESSAGE: Record<string, string> = {
  uuid: "must be a UUID such as 123e4567-e89b-42d3-a456-426614174000",
  guid: "must be a UUID such as 123e4567-e89b-42d3-a456-426614174000",
  datetime: "must be a date and time with its time zone, such as 2030-01-31T12:00:00Z",
};

/** A problem as fastify's validation errors carry it, before the JSON-pointer conversion. */
interface Problem {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

export const NUL_MESSAGE = "must not contain NUL characters";

/** A path kept as a link to its parent, so walking a deep document never copies paths. */
interface PathLink {
  readonly key: PropertyKey;
  readonly parent: PathLink | null;
}

function pathOf(link: PathLink | null): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let at = link; at; at = at.parent) path.push(at.key);
  return path.reverse();
}

/**
 * Every string (and object key) of a request part that holds U+0000. PostgreSQL refuses NUL in
 * `text` and `jsonb`, so such input could only fail later, deep in a service, as a 500; refused
 * here it is a 400 naming the field, for every route and part whatever its schema says. Walked
 * with an explicit stack: a 64 KiB body can nest thousands of levels deep.
 */
export function nulProblems(data: unknown): Problem[] {
  const problems: Problem[] = [];
  const stack: { value: unknown; at: PathLink | null }[] = [{ value: data, at: null }];
  while (stack.length > 0) {
    const { value, at } = stack.pop()!;
    if (typeof value === "string") {
      if (value.includes("\u0000"))
        problems.push({ code: "nul_character", path: pathOf(at), message: NUL_MESSAGE });
    } else if (value !== null && typeof value === "object") {
      // Pushed last to first, so problems come out in document order.
      const entries = Object.entries(value).reverse();
      for (const [key, item] of entries) {
        const segment = Array.isArray(value) ? Number(key) : key;
        if (key.includes("\u0000")) {
          problems.push({
            code: "nul_character",
            path: pathOf(at),
            message: "has a field name with a NUL character",
          });
        } else {
          stack.push({ value: item, at: { key: segment, parent: at } });
        }
      }
    }
  }
  return problems;
}

/**
 * fastify-type-provider-zod's validator with the friendly messages, after the NUL check above.
 * Failures become fastify's validation errors (`error.validation`), which the error handler turns
 * into the field list.
 */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema }) =>
  (data) => {
    const nul = nulProblems(data);
    if (nul.length > 0) return { error: nul.map(toFastifyError) };
    const result = z.safeParse(schema, data, { error: friendlyIssueMessage });
    if (result.success) return { value: result.data };
    return { error: oneComplaintEach(result.error.issues).flatMap(perUnknownKey).map(toFastifyError) };
  };

type Issue = z.core.$ZodIssue;

/** The bound an out-of-range issue states, and whether a smaller one is tighter. */
function boundOf(issue: Issue): { limit: number; tighter: (a: number, b: number) => boolean } | undefined {
  if (issue.code === "too_big") return { limit: Number(issue.maximum), tighter: (a, b) => a < b };
  if (issue.code === "too_small") return { limit: Number(issue.minimum), tighter: (a, b) => a > b };
  return undefined;
}

/**
 * Each problem said once. zod reports one out-of-range number twice when its `.int()` (which
 * carries a bound of its own, the largest safe integer) and the schema's `.max()` both fail:
 * "must be at most 9007199254740991" and "must be at most 1000000" for `?page=1e300`. Of the
 * bounds a value breaks on one side only the tightest is kept, and a text repeated at one field
 * (two refinements saying the same) is said once. Order is kept.
 */
export function oneComplaintEach(issues: readonly Issue[]): Issue[] {
  const tightest = new Map<string, Issue>();
  for (const issue of issues) {
    const bound = boundOf(issue);
    if (!bound) continue;
    const key = `${issue.code} ${JSON.stringify(issue.path.map(String))}`;
    const kept = tightest.get(key);
    if (!kept || bound.tighter(bound.limit, boundOf(kept)!.limit)) tightest.set(key, issue);
  }
  const said = new Set<string>();
  return issues.filter((issue) => {
    const path = JSON.stringify(issue.path.map(String));
    if (boundOf(issue) && tightest.get(`${issue.code} ${path}`) !== issue) return false;
    const text = `${path} ${issue.message}`;
    if (said.has(text)) return false;
    said.add(text);
    return true;
  });
}

function toFastifyError({ code, path, message }: Problem): FastifySchemaValidationError {
  const shown = path.map(String).join("/");
  return {
    keyword: code,
    instancePath: `/${shown}`,
    schemaPath: `#/${shown}/${code}`,
    message,
    params: {},
  };
}

/** Field names shown back as they are; anything else is not echoed. */
const SHOWABLE_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * A strict object's unknown keys, one error each at the key itself ("is not a known field"), so a
 * misspelt field reads like any other field error. Keys that do not look like field names are
 * reported on the object without being quoted.
 */
function perUnknownKey(issue: z.core.$ZodIssue): Problem[] {
  if (issue.code !== "unrecognized_keys") return [issue];
  if (!issue.keys.every((key) => SHOWABLE_KEY.test(key))) {
    return [{ code: issue.code, path: issue.path, message: "has fields that are not known" }];
  }
  return issue.keys.map((key) => ({
    code: issue.code,
    path: [...issue.path, key],
    message: "is not a known field",
  }));
}
