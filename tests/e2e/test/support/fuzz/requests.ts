/**
 * Malformed requests for every operation of the gateway's OpenAPI document, from a seeded
 * generator (the same seed gives the same requests). Every request to an unsafe method, and to an
 * event stream, carries at least one fault the gateway must refuse whatever the state: a value of
 * the wrong type, a NUL character, an unknown field of a strict object, a number or a string out
 * of its bounds, a missing required field, a value outside its enum or pattern, a body that is
 * not JSON or not of a JSON type, or an id that names nothing. Safe methods also get odd but
 * well-formed input (search text with wildcards, boundary numbers, stray query parameters), which
 * the services see. Nothing here knows the routes: a new route or field is fuzzed as it appears.
 */

import {
  badIds,
  bodyFaults,
  oddQueryValue,
  queryFaults,
  STRAY_QUERIES,
  serialise,
  slotFaults,
  unknownFieldFaults,
  withOddValues,
} from "./faults.js";
import { pick, type Random, randomUuid, seededRandom } from "./random.js";
import { type FuzzOperation, type JsonSchema, nonNull, slotsOf, typesOf, withValueAt } from "./schema.js";

export { type FuzzOperation, operationsOf } from "./schema.js";

/** A caller of the fuzz: its bearer token and the real ids it may name. */
export interface FuzzCaller {
  readonly name: string;
  readonly token: string;
  readonly isAdmin: boolean;
  /** A real id per resource (the path segment before `{id}`: apps, backups, users, hosts, tokens, catalog). */
  readonly ids: Readonly<Record<string, string>>;
}

/** A request to send. `body` is the exact text; `fault` says what is wrong with it. */
export interface FuzzRequest {
  readonly caller: string;
  readonly route: string;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly fault: string;
}

/** Values a schema-less generator cannot invent, by field name (valid where it matters). */
const KNOWN_VALUES: Record<string, unknown> = {
  catalog_id: "whoami",
  hostname: "fuzz-app",
  new_hostname: "fuzz-copy",
  node: "pve1",
  name: "fuzz-name",
  address: "127.0.0.1",
  username: "fuzz-user",
  password: "a-long-enough-password-123",
  ssh_host: "127.0.0.1",
  ssh_username: "root",
  schedule: "0 4 * * *",
  time_zone: "UTC",
  storage: "local",
  backup_storage: "local",
  vmid: 150,
  action: "restart",
};

/** A plausible value for a schema: known values by name, else the schema's own hints. */
function exampleOf(schema: JsonSchema, name: string, caller: FuzzCaller, depth = 0): unknown {
  const s = nonNull(schema);
  if (name in KNOWN_VALUES) return KNOWN_VALUES[name];
  if (s.enum?.length) return s.enum[0];
  if ("const" in s) return s.const;
  if (s.default !== undefined) return s.default;
  const types = typesOf(s);
  if (s.format === "uuid") return name === "host_id" ? (caller.ids.hosts ?? "") : (caller.ids.users ?? "");
  if (types.has("string")) return "f".repeat(Math.max(s.minLength ?? 0, 4));
  if (types.has("number")) return s.minimum ?? 1;
  if (types.has("boolean")) return false;
  if (types.has("array")) {
    return s.items && depth < 4
      ? Array.from({ length: Math.max(s.minItems ?? 1, 1) }, () =>
          exampleOf(s.items!, name, caller, depth + 1),
        )
      : [];
  }
  if (types.has("object") && depth < 4) return objectExample(s, caller, depth + 1);
  return null;
}

function objectExample(schema: JsonSchema, caller: FuzzCaller, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, property] of Object.entries(schema.properties ?? {})) {
    if (schema.required?.includes(key) || key in KNOWN_VALUES)
      out[key] = exampleOf(property, key, caller, depth);
  }
  // A record (free keys): one entry, so its values can be faulted too.
  if (!schema.properties && typeof schema.additionalProperties === "object") {
    out.FUZZ_VAR = exampleOf(schema.additionalProperties, "FUZZ_VAR", caller, depth);
  }
  return out;
}

/** The resource a path parameter names: the segment before it (`/api/apps/{id}` → apps). */
function resourceOf(template: string, param: string): string {
  const segments = template.split("/");
  const index = segments.indexOf(`{${param}}`);
  return param === "backup_id" ? "backups" : (segments[index - 1] ?? param);
}

/** The request for one operation and caller: a base that could be valid, then faults. */
export function fuzzRequest(op: FuzzOperation, caller: FuzzCaller, random: Random): FuzzRequest {
  const safe = (op.method === "GET" || op.method === "HEAD") && !op.streams;
  const faults: string[] = [];
  const headers: Record<string, string> = { authorization: `Bearer ${caller.token}` };
  const pathValues: Record<string, string> = {};
  const query: string[] = [];
  let body: string | undefined;
  let bodyValue: unknown = op.body ? exampleOf(op.body.schema, "body", caller) : undefined;

  for (const p of op.parameters.filter((p) => p.in === "path")) {
    pathValues[p.name] = encodeURIComponent(
      caller.ids[resourceOf(op.template, p.name)] ?? randomUuid(random),
    );
  }
  for (const p of op.parameters.filter((p) => p.in === "query")) {
    if (safe && random() < 0.5) query.push(`${p.name}=${oddQueryValue(p.schema, random)}`);
  }

  // The faults this operation can carry, each refused by construction.
  const choices: (() => void)[] = [];
  for (const p of op.parameters.filter((p) => p.in === "path")) {
    choices.push(() => {
      pathValues[p.name] = pick(random, badIds(random));
      faults.push(`bad ${p.name} ${pathValues[p.name]!.slice(0, 40)}`);
    });
  }
  for (const p of op.parameters.filter((p) => p.in === "query")) {
    choices.push(() => {
      const [value] = queryFaults(p.schema, random);
      query.push(`${p.name}=${value}`);
      faults.push(`query ${p.name}=${value!.slice(0, 40)}`);
    });
    choices.push(() => {
      query.push(
        `${p.name}=${oddQueryValue(p.schema, random)}`,
        `${p.name}=${oddQueryValue(p.schema, random)}`,
      );
      faults.push(`query ${p.name} repeated`);
    });
  }
  for (const p of op.parameters.filter((p) => p.in === "header" && p.schema.pattern)) {
    const refused = ["has spaces", "z".repeat(300), "é", "-1.5", "abc", ""].filter(
      (v) => !new RegExp(p.schema.pattern!).test(v),
    );
    choices.push(() => {
      headers[p.name] = pick(random, refused);
      faults.push(`header ${p.name}`);
    });
  }
  if (op.body) {
    const schema = op.body.schema;
    for (const slot of slotsOf(schema, bodyValue)) {
      for (const f of slotFaults(slot, random)) {
        choices.push(() => {
          bodyValue = withValueAt(bodyValue, slot.path, f.value);
          faults.push(f.fault);
        });
      }
    }
    for (const f of unknownFieldFaults(schema, bodyValue, random)) {
      choices.push(() => {
        bodyValue = f.value;
        faults.push(f.fault);
      });
    }
  }
  // A target that does not exist, with a body of odd but well-formed values: the services see
  // text the schemas let through, and must answer 400 or 404 for it, never 500 or a change.
  const pathParams = op.parameters.filter((p) => p.in === "path");
  if (op.body && pathParams.length > 0) {
    choices.push(() => {
      pathValues[pathParams[0]!.name] = randomUuid(random);
      bodyValue = withOddValues(op.body!.schema, bodyValue, random);
      faults.push(`missing ${pathParams[0]!.name} with odd values`);
    });
  }
  const whole = op.method === "GET" || op.method === "HEAD" ? [] : bodyFaults(op, random);
  for (const f of whole) {
    choices.push(() => {
      body = f.body;
      headers["content-type"] = f.contentType;
      faults.push(f.fault);
    });
  }

  // One fault: each is refused by construction, and a second could undo the first's place.
  const mustFault = !safe;
  if (choices.length > 0 && (mustFault || random() < 0.8)) {
    pick(random, choices)();
  } else if (mustFault) {
    throw new Error(`${op.method} ${op.template} offers no fault that is sure to be refused`);
  }
  if (random() < 0.3) {
    query.push(pick(random, STRAY_QUERIES));
    faults.push("stray query");
  }
  if (body === undefined && bodyValue !== undefined) {
    body = serialise(bodyValue);
    headers["content-type"] ??= "application/json";
  }
  const path = op.template.replace(/\{([a-z_]+)\}/g, (_, name: string) => pathValues[name] ?? "");
  return {
    caller: caller.name,
    route: `${op.method} ${op.template}`,
    method: op.method,
    path: query.length ? `${path}?${query.join("&")}` : path,
    headers,
    ...(body !== undefined ? { body } : {}),
    fault: faults.join("; ") || "odd input",
  };
}

/** For each path, one method it does not have (a 404 for the router), with the path's parameters. */
function unroutedMethods(ops: readonly FuzzOperation[]): FuzzOperation[] {
  const byPath = new Map<string, FuzzOperation[]>();
  for (const op of ops) byPath.set(op.template, [...(byPath.get(op.template) ?? []), op]);
  return [...byPath].flatMap(([template, routed]) => {
    const method = ["PATCH", "PUT", "POST", "DELETE"].find((m) => !routed.some((op) => op.method === m));
    if (!method) return [];
    const { access, parameters } = routed[0]!;
    return [
      { method, template, access, parameters: parameters.filter((p) => p.in === "path"), streams: false },
    ];
  });
}

/**
 * `total` requests spread round-robin over every operation each caller may call (admins: all;
 * others: all but admin routes, which answer them 403 before any validation), in a fixed order
 * for a fixed seed.
 */
export function fuzzRequests(
  ops: readonly FuzzOperation[],
  callers: readonly FuzzCaller[],
  total: number,
  seed: number,
): FuzzRequest[] {
  const random = seededRandom(seed);
  const pairs = callers.flatMap((caller) =>
    [...ops, ...unroutedMethods(ops)]
      .filter((op) => caller.isAdmin || op.access !== "admin")
      .map((op) => ({ op, caller })),
  );
  return Array.from({ length: total }, (_, i) => {
    const { op, caller } = pairs[i % pairs.length]!;
    return fuzzRequest(op, caller, random);
  });
}
