/**
 * Dead letters for operators: GetDeadLetter explains one, ReplayDeadLetter republishes its request
 * when the journal says the operation may still run (here: the worker holding it died, so every
 * delivery found it busy and the request was given up with its operation unfinished), once, and
 * never a finished operation's or a forged one.
 */
import { randomUUID } from "node:crypto";
import { Events, envelopeHeaders, subjectOf } from "@proximity/bus";
import { ConflictError, NotFoundError, PermissionDeniedError, ValidationError } from "@proximity/errors";
import { eventually } from "@proximity/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";

let h: Harness;

beforeAll(async () => {
  // A delivery waits a held claim out for up to one TTL (and a second) before it counts as busy.
  h = await startHarness({
    PROVISIONER_MAX_DELIVER: "2",
    TASK_TIMEOUT_MS: "3000",
    OPERATION_CLAIM_TTL_MS: "2000",
  });
});

afterAll(async () => {
  await h?.close();
});

const deadLetterOf = (eventId: string) =>
  eventually(
    async () => (await h.sre.listDeadLetters({ limit: 50 })).items.find((d) => d.eventId === eventId),
    {
      timeoutMs: 20_000,
      what: `dead letter of ${eventId}`,
    },
  );

/** A deploy whose operation a crashed worker still holds: every delivery finds it busy. */
async function deadLetteredWhileClaimed() {
  const request = h.deployRequest();
  await h.db
    .insertInto("operations")
    .values({
      id: request.operationId,
      kind: "deploy",
      app_id: request.appId,
      host_id: HOST_ID,
      node: NODE,
      vmid: null,
      status: "running",
      last_error: null,
      claimed_by: "crashed-worker",
      claimed_until: new Date(Date.now() + 10 * 60_000),
    })
    .execute();
  const eventId = await h.publish(request);
  return { request, eventId, deadLetter: await deadLetterOf(eventId) };
}

describe("dead letters", () => {
  it("dead letters - a request given up while its operation is held elsewhere: listed, explained, not yet replayable", async () => {
    const { request, eventId, deadLetter } = await deadLetteredWhileClaimed();
    expect(deadLetter).toMatchObject({
      consumer: "provisioner-deploy",
      advisory: false,
      eventType: Events.AppDeployRequested.type,
      deliveries: 2,
      subject: subjectOf(h.bus.ns, Events.AppDeployRequested.subject),
      replayedAt: undefined,
    });
    expect(deadLetter.seq).toBeGreaterThan(0);
    const shown = await h.sre.getDeadLetter({ seq: deadLetter.seq });
    expect(shown).toMatchObject({
      deadLetter: { seq: deadLetter.seq, eventId },
      reason: "The operation is being worked on by another worker",
      operationId: request.operationId,
      appId: request.appId,
      operationStatus: "running",
      replayable: false,
    });
    expect(shown.notReplayableReason).toMatch(/is being worked on \(claimed by crashed-worker until /);
    await expect(h.sre.replayDeadLetter({ seq: deadLetter.seq })).rejects.toBeInstanceOf(ConflictError);
    expect(await h.db.selectFrom("dead_letter_replays").selectAll().execute()).toEqual([]);
  });

  it("dead letters - once the claim has expired, a replay runs the operation once; a second replay is refused", async () => {
    const { request, eventId, deadLetter } = await deadLetteredWhileClaimed();
    await h.db
      .updateTable("operations")
      .set({ claimed_until: sql<Date>`now() - interval '1 second'` })
      .where("id", "=", request.operationId)
      .execute();
    expect(await h.sre.getDeadLetter({ seq: deadLetter.seq })).toMatchObject({
      replayable: true,
      notReplayableReason: "",
    });

    const replay = await h.sre.replayDeadLetter({ seq: deadLetter.seq });
    expect(replay).toMatchObject({
      seq: deadLetter.seq,
      eventId,
      operationId: request.operationId,
      subject: subjectOf(h.bus.ns, Events.AppDeployRequested.subject),
    });
    expect(replay.streamSeq).toBeGreaterThan(0);
    expect((await h.outcome(request.operationId)).type).toBe("succeeded");

    const second = await h.sre.replayDeadLetter({ seq: deadLetter.seq }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ConflictError);
    expect((second as Error).message).toMatch(
      new RegExp(`^Dead letter ${deadLetter.seq} was already replayed at `),
    );
    const listed = (await h.sre.listDeadLetters({ limit: 50 })).items.find((d) => d.seq === deadLetter.seq);
    expect(listed?.replayedAt).toEqual(replay.replayedAt);

    // Exactly one effect: one attempt ran, one success was reported, one replay recorded (by sre).
    const op = await h.db
      .selectFrom("operations")
      .selectAll()
      .where("id", "=", request.operationId)
      .executeTakeFirst();
    expect(op).toMatchObject({ status: "succeeded", attempts: 1 });
    const results = (await h.events()).filter(
      (e) => e.payload.operationId === request.operationId && e.type !== "progressed",
    );
    expect(results.map((e) => e.type)).toEqual(["succeeded"]);
    const replays = await h.db.selectFrom("dead_letter_replays").selectAll().execute();
    expect(replays.filter((r) => r.operation_id === request.operationId)).toEqual([
      expect.objectContaining({ dead_letter_seq: deadLetter.seq, event_id: eventId, replayed_by: "sre" }),
    ]);
  });

  it("dead letters - the request of a finished (failed) operation is never replayed", {
    timeout: 60_000,
  }, async () => {
    h.sim.addFault({
      match: { taskType: "vzcreate" },
      effect: { kind: "task-failure", message: "storage full" },
    });
    try {
      const request = h.deployRequest();
      const eventId = await h.publish(request);
      expect((await h.outcome(request.operationId, 45_000)).type).toBe("failed");
      const deadLetter = await deadLetterOf(eventId);
      const shown = await h.sre.getDeadLetter({ seq: deadLetter.seq });
      expect(shown).toMatchObject({ operationStatus: "failed", replayable: false });
      await expect(h.sre.replayDeadLetter({ seq: deadLetter.seq })).rejects.toThrow(
        `Operation ${request.operationId} already failed: a replay would be acknowledged as a duplicate and change nothing`,
      );
    } finally {
      h.sim.clearFaults();
    }
  });

  it("dead letters - a forged (unsigned) request is dead-lettered by its consumer and never replayed", async () => {
    const request = h.deployRequest();
    const eventId = randomUUID();
    const subject = subjectOf(h.bus.ns, Events.AppDeployRequested.subject);
    await h.bus.js.publish(subject, Events.AppDeployRequested.codec.encode(request).finish(), {
      headers: envelopeHeaders({
        id: eventId,
        type: Events.AppDeployRequested.type,
        source: "applications",
        time: new Date().toISOString(),
        traceparent: "",
      }),
    });
    const deadLetter = await deadLetterOf(eventId);
    const shown = await h.sre.getDeadLetter({ seq: deadLetter.seq });
    expect(shown).toMatchObject({
      reason: "refused: unsigned",
      operationId: "",
      replayable: false,
      notReplayableReason: "The message is not a valid request (unsigned): it is never replayed",
    });
    await expect(h.sre.replayDeadLetter({ seq: deadLetter.seq })).rejects.toBeInstanceOf(ConflictError);
    expect(
      await h.db.selectFrom("operations").select("id").where("id", "=", request.operationId).execute(),
    ).toEqual([]);
  });

  it("dead letters - unknown and malformed ids; replay is for operators only", async () => {
    await expect(h.sre.getDeadLetter({ seq: 999_999 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(h.sre.replayDeadLetter({ seq: 999_999 })).rejects.toBeInstanceOf(NotFoundError);
    await expect(h.sre.getDeadLetter({ seq: 0 })).rejects.toBeInstanceOf(ValidationError);
    await expect(h.clientAs("api-gateway").replayDeadLetter({ seq: 1 })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    await expect(h.clientAs("applications").getDeadLetter({ seq: 1 })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
  });
});
