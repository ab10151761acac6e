/**
 * Redaction as written: a secret key's value is replaced at nesting levels 0–2 of a line (array
 * indices count as a level), in a line's fields and a child's bindings alike, and nothing else
 * changes. Checked against a reference over random values, so patches/@pinojs__redact@0.4.0.patch
 * (which skips values holding no secret key) cannot change what is written; and the patch is
 * applied: such a value is serialized as it is, not a copy.
 */
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, SECRET_KEYS } from "./index.js";

const CENSOR = "[redacted]";
const SECRETS = new Set(SECRET_KEYS);
const PLAIN_KEYS = ["a", "id", "name", "list", "headers", "config", "0", "tokens", "values"];

describe("redaction", () => {
  it("redaction - random lines and bindings are written as the reference redacts them", () => {
    const random = seeded(20261206);
    for (let i = 0; i < 2_000; i++) {
      const fields = randomObject(random, 0);
      const bindings = randomObject(random, 0);
      const [fieldsLine, bindingsLine] = lines((log) => {
        log.info(fields, "fields");
        log.child(bindings).info("bindings");
      });
      expect(withoutPinoKeys(fieldsLine)).toEqual(redacted(fields, 0));
      expect(withoutPinoKeys(bindingsLine)).toEqual(redacted(bindings, 0));
    }
  });

  it("redaction - secrets are found past plain keys, in arrays and under a secret-looking prefix", () => {
    const value = {
      list: [{ password: "p-1" }, "x"],
      headers: { authorization: "Bearer t-1", accept: "*/*" },
      tokens: { value: "v-1", other: { inner: { token: "deep-enough-to-stay" } } },
    };
    const [line] = lines((log) => log.info(value, "x"));
    expect(withoutPinoKeys(line)).toEqual({
      list: [{ password: CENSOR }, "x"],
      headers: { authorization: CENSOR, accept: "*/*" },
      tokens: { value: CENSOR, other: { inner: { token: "deep-enough-to-stay" } } },
    });
  });

  it("redaction - a secret in a value interpolated into the message (%j) is redacted too", () => {
    const body = { a: { b: { password: "p-2" } }, c: { d: { e: { token: "t" } } } };
    const [line] = lines((log) => log.info("body %j", body));
    expect(line?.msg).toBe('body {"a":{"b":{"password":"[redacted]"}},"c":{"d":{"e":{"token":"t"}}}}');
  });

  it("redaction - objects whose copy would serialize differently are never written from the original", () => {
    class Credentials {
      readonly #password = "hunter2-private";
      toJSON() {
        return { password: this.#password };
      }
    }
    let reads = 0;
    const changing = {
      get inner() {
        reads += 1;
        return reads === 1 ? {} : { password: "hunter2-getter" };
      },
    };
    const text = JSON.stringify(
      lines((log) => {
        log.info({ credentials: { held: new Credentials() } }, "class");
        log.info({ changing }, "getter");
      }),
    );
    // What the redactor makes of these is upstream's (it serializes a copy of the value); the
    // patch's fast path must not hand the original to the serializer instead.
    expect(text).not.toContain("hunter2-private");
    expect(text).not.toContain("hunter2-getter");
  });

  it("redaction - a plain value holding no secret key is serialized as it is, not copied (the patch)", () => {
    const read: PropertyKey[] = [];
    const item = new Proxy(
      { id: 7, name: "web" },
      {
        get(target, key, receiver) {
          read.push(key);
          return Reflect.get(target, key, receiver);
        },
      },
    );
    const [line] = lines((log) => log.info({ item }, "x"));
    expect(withoutPinoKeys(line)).toEqual({ item: { id: 7, name: "web" } });
    // Serializing the value itself asks it for toJSON; unpatched, @pinojs/redact copies every
    // object value first (reading its keys only) and serializes the copy.
    expect(read).toContain("toJSON");
  });
});

/** The lines `write` logs, parsed. */
function lines(write: (log: ReturnType<typeof createLogger>) => void): Record<string, unknown>[] {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  write(createLogger({ service: "svc", level: "info" }, stream));
  return chunks
    .join("")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l));
}

function withoutPinoKeys(line: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!line) throw new Error("no line was written");
  const { level: _l, time: _t, pid: _p, hostname: _h, service: _s, version: _v, msg: _m, ...rest } = line;
  return rest;
}

/** The reference: each secret key's value at levels 0–2 replaced, everything else kept. */
function redacted(value: unknown, level: number): unknown {
  if (value === null || typeof value !== "object" || level > 2) return value;
  if (Array.isArray(value)) return value.map((v) => redacted(v, level + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRETS.has(k) ? CENSOR : redacted(v, level + 1)]),
  );
}

function randomObject(random: () => number, level: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const size = Math.floor(random() * 4);
  for (let i = 0; i < size; i++) out[randomKey(random)] = randomValue(random, level + 1);
  return out;
}

function randomValue(random: () => number, level: number): unknown {
  const r = random();
  if (level < 5 && r < 0.3) return randomObject(random, level);
  if (level < 5 && r < 0.4)
    return Array.from({ length: Math.floor(random() * 3) }, () => randomValue(random, level + 1));
  if (r < 0.6) return `s${Math.floor(random() * 1000)}`;
  if (r < 0.8) return Math.floor(random() * 1000);
  return r < 0.9 ? null : random() < 0.5;
}

function randomKey(random: () => number): string {
  const pool = random() < 0.35 ? SECRET_KEYS : PLAIN_KEYS;
  return pool[Math.floor(random() * pool.length)] as string;
}

/** mulberry32: a small seeded generator, so a failure repeats. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
