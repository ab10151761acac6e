import { describe, expect, it } from "vitest";
import { createOffPathWork } from "./off-path.js";

const later = <T>(ms: number, value: T, fail = false) =>
  new Promise<T>((resolve, reject) =>
    setTimeout(() => (fail ? reject(new Error(String(value))) : resolve(value)), ms),
  );

describe("off-path work", () => {
  it("settled waits for every work started, a failed one included, and for work started meanwhile", async () => {
    const work = createOffPathWork();
    const done: string[] = [];
    work.start(later(30, "slow").then((v) => done.push(v)));
    work.start(later(5, "failed", true)); // its rejection is dropped, never thrown nor unhandled
    const settled = work.settled().then(() => done.push("settled"));
    work.start(later(50, "started meanwhile").then((v) => done.push(v)));
    await settled;
    expect(done).toEqual(["slow", "started meanwhile", "settled"]);
  });

  it("settled resolves at once with nothing started", async () => {
    const work = createOffPathWork();
    let resolved = false;
    void work.settled().then(() => {
      resolved = true;
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(resolved).toBe(true);
  });
});
