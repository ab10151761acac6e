import { describe, expect, it } from "vitest";
import { untilLeaderAnswers } from "./leader-wait.js";

const natsError = (code: string) => Object.assign(new Error(code), { code });

/** A request failing with `errors` in turn, then answering "ok"; counts its calls. */
function flaky(...errors: Error[]) {
  const request = async () => {
    request.calls++;
    const err = errors.shift();
    if (err) throw err;
    return "ok";
  };
  request.calls = 0;
  return request;
}

describe("untilLeaderAnswers", () => {
  it("retries while nobody answers, then returns the answer", async () => {
    const request = flaky(natsError("503"), natsError("503"));
    await expect(untilLeaderAnswers(request)).resolves.toBe("ok");
    expect(request.calls).toBe(3);
  });

  it("rethrows the last error once the budget is spent", async () => {
    const request = flaky(...Array.from({ length: 50 }, () => natsError("503")));
    const started = Date.now();
    await expect(untilLeaderAnswers(request, { budgetMs: 400 })).rejects.toMatchObject({ code: "503" });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(request.calls).toBeGreaterThan(1);
  });

  it("retries a timeout only when told the request is safe to repeat", async () => {
    const once = flaky(natsError("TIMEOUT"));
    await expect(untilLeaderAnswers(once)).rejects.toMatchObject({ code: "TIMEOUT" });
    expect(once.calls).toBe(1);
    const repeatable = flaky(natsError("TIMEOUT"));
    await expect(untilLeaderAnswers(repeatable, { retryTimeouts: true })).resolves.toBe("ok");
    expect(repeatable.calls).toBe(2);
  });

  it("rethrows any other error at once", async () => {
    const request = flaky(new Error("wrong last sequence"));
    await expect(untilLeaderAnswers(request)).rejects.toThrow("wrong last sequence");
    expect(request.calls).toBe(1);
  });

  it("stops waiting when its signal aborts: rejects with the reason, no request after it", async () => {
    const request = flaky(...Array.from({ length: 50 }, () => natsError("503")));
    const controller = new AbortController();
    const reason = new Error("the claim on the operation was lost");
    setTimeout(() => controller.abort(reason), 250);
    const started = Date.now();
    await expect(untilLeaderAnswers(request, { budgetMs: 15_000, signal: controller.signal })).rejects.toBe(
      reason,
    );
    // Well before the budget (backoff pauses reach 2 s), and nothing sent once aborted.
    expect(Date.now() - started).toBeLessThan(1_000);
    const calls = request.calls;
    expect(calls).toBeGreaterThan(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(request.calls).toBe(calls);
    // Aborted before the first try: not even one request.
    const never = flaky();
    await expect(untilLeaderAnswers(never, { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(never.calls).toBe(0);
  });
});
