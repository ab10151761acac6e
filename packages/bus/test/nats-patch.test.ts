/**
 * patches/nats@2.29.3.patch is applied: an answered request builds no "Cancelled" NatsError (the
 * unpatched client built one per request, a stack capture each: every JetStream publish and KV
 * call). Fails if an upgrade or a changed lock file drops the patch.
 */
import { testServers, uniqueName } from "@proximity/testing";
import { connect, ErrorCode, type NatsConnection, NatsError } from "nats";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

let nc: NatsConnection;

beforeAll(async () => {
  // As the bus connects (packages/bus/src/connect.ts): no async stack traces.
  nc = await connect({ servers: testServers().natsUrl, noAsyncTraces: true });
});

afterAll(async () => {
  await nc?.close();
});

describe("nats patch", () => {
  it("nats patch - answered requests build no Cancelled error; a request nobody answers still fails", async () => {
    const subject = `patch.${uniqueName()}`;
    const sub = nc.subscribe(subject, { callback: (_err, msg) => msg.respond(msg.data) });
    await nc.flush();
    const errorForCode = vi.spyOn(NatsError, "errorForCode");
    try {
      for (let i = 0; i < 10; i++) {
        const reply = await nc.request(subject, new TextEncoder().encode(String(i)), { timeout: 5_000 });
        expect(new TextDecoder().decode(reply.data)).toBe(String(i));
      }
      const cancelled = () => errorForCode.mock.calls.filter(([code]) => code === ErrorCode.Cancelled);
      expect(cancelled()).toEqual([]);
      // Errors still reach callers: nobody subscribes to this one.
      await expect(nc.request(`${subject}.nobody`, undefined, { timeout: 5_000 })).rejects.toMatchObject({
        code: ErrorCode.NoResponders,
      });
      // The spy watches the client in use: a failed request still cancels itself that way.
      expect(cancelled().length).toBeGreaterThan(0);
    } finally {
      errorForCode.mockRestore();
      sub.unsubscribe();
    }
  });
});
