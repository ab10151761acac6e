import { describe, expect, it } from "vitest";
import { decodeListCursor, encodeListCursor } from "./list-cursor.js";

const position = { createdAt: "2026-01-02T03:04:05.123456Z", id: "7d1f2c1e-5b7a-4c1e-9a59-0f5f6b3c2d10" };

describe("list cursor", () => {
  it("list cursor - round-trips a position, microseconds included", () => {
    expect(decodeListCursor(encodeListCursor(position))).toEqual(position);
  });

  it("list cursor - refuses what it did not make", () => {
    const made = encodeListCursor(position);
    const b64 = (s: string) => Buffer.from(s).toString("base64url");
    for (const bad of [
      "",
      "not a cursor!",
      `${made}x`.repeat(5),
      b64(`2|${position.createdAt}|${position.id}`),
      b64(`1|2026-01-02T03:04:05Z|${position.id}`),
      b64(`1|${position.createdAt}|' or 1=1 --`),
      b64(`1|${position.createdAt}|${position.id}|extra`),
      b64(`1|2026-13-45T99:99:99.000000Z|${position.id}`),
      // Dates JavaScript accepts but PostgreSQL refuses.
      b64(`1|2024-02-31T00:00:00.000000Z|${position.id}`),
      b64(`1|2024-01-01T24:00:00.000000Z|${position.id}`),
      b64(`1|0000-01-01T00:00:00.000000Z|${position.id}`),
    ])
      expect(decodeListCursor(bad)).toBeNull();
  });
});
