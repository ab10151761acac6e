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
    default:
      return undefined;
  }
}

/**
 * fastify-type-provider-zod's validator with the friendly messages. Failures become fastify's
 * validation errors (`error.validation`), which the error handler turns into the field list.
 */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema }) =>
  (data) => {
    const result = z.safeParse(schema, data, { error: friendlyIssueMessage });
    if (result.success) return { value: result.data };
    const errors: FastifySchemaValidationError[] = result.error.issues
      .flatMap(perUnknownKey)
      .map(({ code, path, message }) => ({
        keyword: code,
        instancePath: `/${path.map(String).join("/")}`,
        schemaPath: `#/${path.map(String).join("/")}/${code}`,
        message,
        params: {},
      }));
    return { error: errors };
  };

/** Field names shown back as they are; anything else is not echoed. */
const SHOWABLE_KEY = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * A strict object's unknown keys, one error each at the key itself ("is not a known field"), so a
 * misspelt field reads like any other field error. Keys that do not look like field names are
 * reported on the object without being quoted.
 */
function perUnknownKey(issue: z.core.$ZodIssue): { code: string; path: PropertyKey[]; message: string }[] {
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
