import { describe, expect, it } from "vitest";
import { PerKeyBatches } from "./per-key-batches.js";

/** A write that lands when told to, recording what it was given. */
function gatedWrites() {
  const writes: { key: string; items: readonly number[]; land: () => void; fail: (e: Error) => void }[] = [];
  const batches = new PerKeyBatches<number>(
    (key, items) =>
      new Promise<void>((land, fail) => {
        writes.push({ key, items: [...items], land, fail });
      }),
  );
  return { batches, writes };
}

describe("PerKeyBatches", () => {
  it("PerKeyBatches - additions made while a key is written go together in its next write, one write at a time", async () => {
    const { batches, writes } = gatedWrites();
    const first = batches.add("a", [1]);
    const later = [batches.add("a", [2]), batches.add("a", [3, 4])];
    expect(writes.map((w) => w.items)).toEqual([[1]]); // the others wait for it
    writes[0]!.land();
    await first;
    await Promise.resolve();
    expect(writes.map((w) => w.items)).toEqual([[1], [2, 3, 4]]);
    writes[1]!.land();
    await Promise.all(later);
    expect(writes).toHaveLength(2);
  });

  it("PerKeyBatches - keys are written independently; a failed write fails its own additions only", async () => {
    const { batches, writes } = gatedWrites();
    const a = batches.add("a", [1]);
    const b = batches.add("b", [2]);
    expect(writes.map((w) => w.key)).toEqual(["a", "b"]); // b does not wait for a
    const next = batches.add("a", [3]);
    writes[0]!.fail(new Error("nats away"));
    await expect(a).rejects.toThrow("nats away");
    await Promise.resolve();
    writes[2]!.land();
    writes[1]!.land();
    await expect(next).resolves.toBeUndefined();
    await expect(b).resolves.toBeUndefined();
    expect(writes.map((w) => [w.key, w.items])).toEqual([
      ["a", [1]],
      ["b", [2]],
      ["a", [3]],
    ]);
  });
});
