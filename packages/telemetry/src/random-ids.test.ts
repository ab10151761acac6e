import { randomFillSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ensureIds, newTraceparent, traceparentOf } from "./propagation.js";
import { createRandomIdPool, randomHexId } from "./random-ids.js";
import { noopTracer } from "./telemetry.js";

describe("random ids - pooled random bytes", () => {
  it("random ids - trace and span ids are lowercase hex of the right length, all distinct", () => {
    const seen = new Set<string>();
    // 20 000 pairs use the 4 KiB pool up about a hundred times: every refill is fresh.
    for (let i = 0; i < 20_000; i++) {
      const traceId = randomHexId(16);
      const spanId = randomHexId(8);
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(spanId).toMatch(/^[0-9a-f]{16}$/);
      seen.add(traceId).add(spanId);
    }
    expect(seen.size).toBe(40_000);
  });

  it("random ids - slices are handed out once, the pool refilled when used up", () => {
    let fills = 0;
    const fill = (buffer: Buffer) => {
      fills++;
      // Consecutive byte values, so each id shows which bytes of which fill it came from.
      for (let i = 0; i < buffer.length; i++) buffer[i] = (fills * 16 + i) & 0xff;
    };
    const next = createRandomIdPool(20, fill);
    expect(fills).toBe(0);
    expect(next(8)).toBe("1011121314151617");
    expect(next(8)).toBe("18191a1b1c1d1e1f");
    // 4 bytes left: too few for 8, so the pool is refilled rather than a slice reused.
    expect(next(8)).toBe("2021222324252627");
    expect(fills).toBe(2);
    expect(() => next(21)).toThrow(RangeError);
  });

  it("random ids - an all-zero id (invalid in W3C trace context) is drawn again", () => {
    let fills = 0;
    const next = createRandomIdPool(16, (buffer) => {
      if (fills++ === 0) buffer.fill(0);
      else randomFillSync(buffer);
    });
    const id = next(16);
    expect(id).not.toBe("0".repeat(32));
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(fills).toBe(2);
  });

  it("random ids - a root span without tracing and a new traceparent get valid, distinct ids", () => {
    const a = traceparentOf(ensureIds(noopTracer.startSpan("a")));
    const b = traceparentOf(ensureIds(noopTracer.startSpan("b")));
    expect(a).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(b).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(a).not.toBe(b);
    expect(newTraceparent()).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });
});
