import { describe, expect, it } from "vitest";
import { decideReplay, type ReplayFacts } from "./replay-decision.js";

const now = new Date("2026-01-10T12:00:00Z");
const replayable: ReplayFacts = {
  seq: 7,
  replayedAt: undefined,
  originalAvailable: true,
  consumer: "provisioner-deploy",
  operationConsumers: new Set(["provisioner-deploy", "provisioner-lifecycle", "provisioner-archives"]),
  hostCheckConsumer: "provisioner-host-checks",
  refusedBecause: undefined,
  operationId: "op-1",
  operation: { status: "running", claimedBy: null, claimedUntil: null },
  notAfter: new Date("2026-01-10T12:30:00Z"),
  now,
};
const reasonOf = (changes: Partial<ReplayFacts>) => {
  const d = decideReplay({ ...replayable, ...changes });
  return d.replayable ? "replayable" : d.reason;
};

describe("decideReplay", () => {
  it("replay decision - an unfinished, unclaimed request of a provisioner consumer in time is replayable", () => {
    expect(decideReplay(replayable)).toEqual({ replayable: true });
    expect(reasonOf({ operation: undefined, notAfter: undefined })).toBe("replayable");
    expect(
      reasonOf({
        operation: { status: "running", claimedBy: "w", claimedUntil: new Date(now.getTime() - 1) },
      }),
    ).toBe("replayable");
  });

  it("replay decision - refuses a second replay", () => {
    expect(reasonOf({ replayedAt: new Date("2026-01-10T11:00:00Z") })).toBe(
      "Dead letter 7 was already replayed at 2026-01-10T11:00:00.000Z; it is replayed once",
    );
  });

  it("replay decision - refuses finished operations, live claims and passed deadlines", () => {
    expect(reasonOf({ operation: { status: "failed", claimedBy: null, claimedUntil: null } })).toMatch(
      /^Operation op-1 already failed: a replay would be acknowledged as a duplicate/,
    );
    expect(reasonOf({ operation: { status: "succeeded", claimedBy: null, claimedUntil: null } })).toMatch(
      /already succeeded/,
    );
    expect(
      reasonOf({
        operation: { status: "running", claimedBy: "w1", claimedUntil: new Date(now.getTime() + 1000) },
      }),
    ).toMatch(/is being worked on \(claimed by w1 until 2026-01-10T12:00:01.000Z\)/);
    expect(reasonOf({ notAfter: now })).toMatch(/deadline passed at 2026-01-10T12:00:00.000Z/);
  });

  it("replay decision - refuses other consumers, host checks, forged or missing originals and requests without operation", () => {
    expect(reasonOf({ consumer: "applications-provisioner-events" })).toMatch(
      /given up by applications-provisioner-events/,
    );
    expect(reasonOf({ consumer: "provisioner-host-checks" })).toMatch(/host check is not replayed/);
    expect(reasonOf({ originalAvailable: false })).toMatch(/no longer in its stream/);
    expect(reasonOf({ refusedBecause: "bad signature" })).toBe(
      "The message is not a valid request (bad signature): it is never replayed",
    );
    expect(reasonOf({ operationId: "" })).toMatch(/names no operation/);
  });
});
