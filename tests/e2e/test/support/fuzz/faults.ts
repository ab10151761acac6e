/**
 * Faults the gateway must refuse whatever the state, each guaranteed by the schema it breaks, and
 * odd but well-formed values that it lets through to the services.
 */
import { pick, type Random, randomUuid } from "./random.js";
import {
  DELETE,
  type FuzzOperation,
  type JsonSchema,
  nonNull,
  type Slot,
  slotsOf,
  typesOf,
  withValueAt,
} from "./schema.js";

/** Strings that are well-formed but odd: wildcards, quotes, markup, control and non-Latin characters. */
export const ODD_STRINGS = [
  "%",
  "_",
  "\\",
  "%_\\%",
  "'; DROP TABLE apps; --",
  '" OR 1=1 --',
  "<script>alert(1)</script>",
  "\u0024{jndi:ldap://x}",
  "{{7*7}}",
  "../../etc/passwd",
  "\u0001\u0002\u001f",
  "\u202e\u200b\ufeff",
  "\ud83d\ude00 emoji",
  "\ud800",
  "日本語のテキスト",
  "a".repeat(200),
  " ",
];

/** Query parameters nobody asked for, added as noise. */
export const STRAY_QUERIES = [
  "fuzz=1",
  "__proto__=1",
  "constructor[prototype][admin]=1",
  "a[b][c]=d",
  "page[]=1",
  "=",
  "&&&",
  "x=%E2%82",
  "x=%00",
  `long=${"q".repeat(2000)}`,
];

/** Bodies that are not JSON. */
export const NOT_JSON = [
  "{",
  '{"a":}',
  "{'a':1}",
  '{"a":1,}',
  "NaN",
  "undefined",
  '{"a":1}{"b":2}',
  "[",
  "\u0000",
  "\x01\x02",
];

/** Media types no route accepts (with a non-empty body they are 415). */
export const OTHER_MEDIA_TYPES = [
  "text/plain",
  "application/xml",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=fuzz",
  "application/octet-stream",
  "application/json-patch+json",
];

/** Path ids that name nothing: not UUIDs, encoded oddities, over-long, or a UUID that is not there. */
export function badIds(random: Random): string[] {
  const uuid = randomUuid(random);
  return [
    "not-a-uuid",
    "0",
    "-1",
    "1e308",
    "%00",
    "abc%00def",
    "..%2F..%2Fetc%2Fpasswd",
    "%zz",
    "%E2%82",
    "a".repeat(101),
    "%C3%BC",
    "null",
    "undefined",
    uuid.toUpperCase().replace(/-/g, ""),
    `${uuid}x`,
    uuid,
    uuid,
    uuid,
  ];
}

/** A raw JSON token the serialiser cannot produce (1e400 parses to Infinity). */
export const RAW = (text: string) => `\u0001RAW:${text}\u0001`;
export const serialise = (value: unknown) =>
  JSON.stringify(value).replace(/"\\u0001RAW:([^"\\]*)\\u0001"/g, "$1");

/** A value of none of the types a schema admits (undefined when it admits anything). */
function wrongTypeFor(schema: JsonSchema, random: Random): unknown {
  const types = typesOf(schema);
  if (types.size === 0) return undefined;
  const candidates: unknown[] = [
    ["number", 42],
    ["number", -1],
    ["string", "fuzz"],
    ["boolean", true],
    ["array", []],
    ["array", [1, "a"]],
    ["object", {}],
    ["object", { nested: { deeper: [null] } }],
    ["null", null],
  ]
    .filter(([type]) => !types.has(type as string))
    .map(([, value]) => value);
  return candidates.length ? pick(random, candidates) : undefined;
}

/** Faults of one slot that its schema guarantees are refused. */
export function slotFaults(slot: Slot, random: Random): { fault: string; value: unknown | typeof DELETE }[] {
  const s = slot.schema;
  const types = typesOf(s);
  const at = slot.path.join(".") || "body";
  const faults: { fault: string; value: unknown | typeof DELETE }[] = [];
  const wrong = wrongTypeFor(s, random);
  if (wrong !== undefined && slot.path.length > 0)
    faults.push({ fault: `wrong type at ${at}`, value: wrong });
  if (types.has("string") || types.size === 0) {
    faults.push({
      fault: `NUL at ${at}`,
      value: pick(random, ["\u0000", "a\u0000b", "fuzz\u0000", "\u0000".repeat(5)]),
    });
  }
  if (s.enum?.every((v) => typeof v === "string"))
    faults.push({ fault: `not in enum at ${at}`, value: "fuzz-not-a-member" });
  if (types.has("string") && s.maxLength !== undefined) {
    faults.push({
      fault: `over maxLength at ${at}`,
      value: "x".repeat(s.maxLength + 1 + Math.floor(random() * 50)),
    });
  }
  if (types.has("string") && (s.minLength ?? 0) >= 1 && !types.has("null"))
    faults.push({ fault: `empty at ${at}`, value: "" });
  if (types.has("string") && s.pattern && !s.enum) {
    const candidate = pick(random, ["!!", "no spaces allowed here", "ZZ:ZZ", "-"]);
    if (!new RegExp(s.pattern).test(candidate)) faults.push({ fault: `pattern at ${at}`, value: candidate });
  }
  if (types.has("string") && s.format === "uuid")
    faults.push({ fault: `not a UUID at ${at}`, value: "not-a-uuid" });
  if (types.has("number") && !types.has("string")) {
    const integer = s.type === "integer" || (Array.isArray(s.type) && s.type.includes("integer"));
    if (s.maximum !== undefined) {
      faults.push({
        fault: `over maximum at ${at}`,
        value: pick(random, [s.maximum + 1, 2 ** 31, 2 ** 32, 1e20]),
      });
      faults.push({ fault: `huge at ${at}`, value: RAW(pick(random, ["1e400", "9".repeat(40)])) });
    }
    if (s.minimum !== undefined) {
      faults.push({
        fault: `under minimum at ${at}`,
        value: pick(random, [s.minimum - 1, -1e12, -(2 ** 31) - 1]),
      });
    }
    if (integer)
      faults.push({ fault: `not an integer at ${at}`, value: pick(random, [1.5, 0.0001, 2 ** 53 + 2]) });
  }
  if (types.has("array") && s.maxItems !== undefined) {
    faults.push({
      fault: `over maxItems at ${at}`,
      value: Array.from({ length: s.maxItems + 1 }, () => ({})),
    });
  }
  if (types.has("array") && (s.minItems ?? 0) >= 1) faults.push({ fault: `empty array at ${at}`, value: [] });
  if (slot.required && slot.path.length > 0) faults.push({ fault: `missing ${at}`, value: DELETE });
  return faults;
}

/** The body with its free-text strings odd (within their lengths) and its numbers at their bounds. */
export function withOddValues(schema: JsonSchema, body: unknown, random: Random): unknown {
  let out = body;
  for (const slot of slotsOf(schema, body)) {
    if (slot.path.length === 0 || random() < 0.3) continue;
    const s = slot.schema;
    const types = typesOf(s);
    if (types.has("string") && !s.enum && !s.pattern && !s.format) {
      const text = pick(random, ODD_STRINGS).slice(0, s.maxLength ?? 200);
      if (text.length >= (s.minLength ?? 0)) out = withValueAt(out, slot.path, text);
    } else if (types.has("number") && !types.has("string")) {
      const bound = pick(random, [s.minimum, s.maximum]);
      if (bound !== undefined) out = withValueAt(out, slot.path, bound);
    }
  }
  return out;
}

/** Faults of the body as a whole (type, encoding, size, prototype keys), for routes with a body schema. */
export function bodyFaults(
  op: FuzzOperation,
  random: Random,
): { fault: string; body: string; contentType: string }[] {
  const json = "application/json";
  const faults = [
    { fault: "malformed JSON", body: pick(random, NOT_JSON), contentType: json },
    { fault: "media type", body: '{"a":1}', contentType: pick(random, OTHER_MEDIA_TYPES) },
    {
      fault: "prototype key",
      body: pick(random, ['{"__proto__":{"isAdmin":true}}', '{"constructor":{"prototype":{"x":1}}}']),
      contentType: json,
    },
  ];
  // Sparingly: 70 KB a time, and the limit answers the same way every time.
  if (random() < 0.25) {
    faults.push({
      fault: "over the body limit",
      body: JSON.stringify({ filler: "x".repeat(70_000) }),
      contentType: json,
    });
  }
  if (op.body) {
    const notObjects = [
      "[]",
      "1",
      '"text"',
      "true",
      "[[[[[[[[[[]]]]]]]]]]",
      `${"[".repeat(20_000)}${"]".repeat(20_000)}`,
    ];
    if (op.body.required) notObjects.push("null");
    faults.push({ fault: "body of another type", body: pick(random, notObjects), contentType: json });
  }
  return faults;
}

export function unknownFieldFaults(
  schema: JsonSchema,
  value: unknown,
  random: Random,
): { fault: string; value: unknown }[] {
  const faults: { fault: string; value: unknown }[] = [];
  for (const slot of slotsOf(schema, value)) {
    if (slot.schema.additionalProperties === false && slot.schema.properties) {
      const where = slot.path.join(".") || "body";
      faults.push({
        fault: `unknown field in ${where}`,
        value: withValueAt(
          value,
          [...slot.path, pick(random, ["tls_fingerprnt", "fuzz_extra", "isAdmin", "owner_id_"])],
          1,
        ),
      });
    }
  }
  return faults;
}

/** Query values of a parameter that its schema guarantees are refused. */
export function queryFaults(schema: JsonSchema, random: Random): string[] {
  const s = nonNull(schema);
  const types = typesOf(s);
  const values = ["%00", "x%00y", "%00%00"];
  if (types.has("number")) {
    values.push("abc", "1e309", "99999999999999999999", "NaN", "Infinity", "0x");
    if (s.type === "integer") values.push("1.5", "0.5");
    if (s.maximum !== undefined) {
      // Past the maximum, and the 32-bit edges where they are past it too (not for a wide range).
      const maximum = s.maximum;
      values.push(
        String(maximum + 1),
        ...["3000000000", "2147483648", "4294967296"].filter((v) => Number(v) > maximum),
      );
    }
    if (s.minimum !== undefined) values.push(String(s.minimum - 1), "-1", "-2147483649");
    if ((s.minimum ?? 0) >= 1) values.push("");
  }
  if (s.enum) values.push("fuzz-not-a-member", "", "TRUE", "yes");
  if (s.format === "uuid") values.push("not-a-uuid", "1", "%zz");
  if (s.maxLength !== undefined) values.push("y".repeat(s.maxLength + 1));
  return [pick(random, values)];
}

/** Well-formed odd query values, for safe methods only. */
export function oddQueryValue(schema: JsonSchema, random: Random): string {
  const s = nonNull(schema);
  const types = typesOf(s);
  if (types.has("number")) {
    const bounds = [s.minimum, s.maximum].filter((v): v is number => v !== undefined).map(String);
    return pick(random, [...bounds, "1", "01", " 2", "1e2", "+3"]);
  }
  if (s.enum?.length) return encodeURIComponent(String(pick(random, s.enum)));
  if (s.format === "uuid") return randomUuid(random);
  return encodeOdd(pick(random, ODD_STRINGS).slice(0, s.maxLength ?? 200));
}

/** Percent-encoded text; a lone surrogate becomes the bytes UTF-8 forbids for it (invalid input on purpose). */
export function encodeOdd(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return "%ED%A0%80";
  }
}
