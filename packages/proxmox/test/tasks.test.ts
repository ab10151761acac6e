import { DeadlineExceededError, NotFoundError, ValidationError } from "@proximity/errors";
import { afterEach, describe, expect, it } from "vitest";
import {
  createBreakerRegistry,
  createProxmoxClient,
  isTaskSuccess,
  parseUpid,
  TaskFailedError,
} from "../src/index.js";
import { nextPollInterval } from "../src/tasks.js";
import { ok, pveError, type Route, startFakePve } from "./support/fake-pve.js";
import { memoryLogger } from "./support/logger.js";

const UPID = "UPID:pve1:000934AF:0D015579:68BF3A41:vzcreate:101:root@pam:";
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function client(route: Route) {
  const pve = await startFakePve(route);
  const breakers = createBreakerRegistry();
  const c = createProxmoxClient(
    { baseUrl: pve.url, auth: { kind: "token", tokenId: "u@pve!t", secret: "s" }, requestTimeoutMs: 300 },
    { logger: memoryLogger().logger, breakers },
  );
  cleanups.push(
    () => pve.close(),
    () => breakers.shutdown(),
    () => c.close(),
  );
  return { pve, c };
}

/** A task that runs for `polls` status polls, then stops with `exitstatus`. */
function task(polls: number, exitstatus: string, log: string[] = []): Route {
  let n = 0;
  return (req) => {
    if (req.path.endsWith("/status")) {
      n++;
      return ok(
        n <= polls
          ? { status: "running", type: "vzcreate", upid: UPID }
          : { status: "stopped", exitstatus, type: "vzcreate", upid: UPID },
      );
    }
    const start = Number(req.params.start ?? 0);
    const limit = Number(req.params.limit ?? 50);
    const lines = log.slice(start, start + limit).map((t, i) => ({ n: start + i + 1, t }));
    return ok(lines, { total: log.length });
  };
}

describe("parseUpid", () => {
  it("parseUpid - reads node, type, id and user", () => {
    expect(parseUpid("UPID:pve1:000934AF:0D015579:68BF3A41:vzdump:100:root@pam:")).toMatchObject({
      node: "pve1",
      pid: 0x934af,
      type: "vzdump",
      id: "100",
      user: "root@pam",
    });
    expect(parseUpid("UPID:n-2:00000001:000000001:68BF3A41:vzcreate::u@pve!tok:").node).toBe("n-2");
  });

  it("parseUpid - rejects anything else", () => {
    expect(() => parseUpid("UPID:pve1:nope")).toThrow(ValidationError);
    expect(() => parseUpid("")).toThrow(ValidationError);
  });

  it("isTaskSuccess - OK and WARNINGS count as success", () => {
    expect(isTaskSuccess("OK")).toBe(true);
    expect(isTaskSuccess("WARNINGS: 2")).toBe(true);
    expect(isTaskSuccess("unexpected status")).toBe(false);
  });
});

describe("waitForTask", () => {
  it("waitForTask - resolves on OK after polling the node from the UPID", async () => {
    const { pve, c } = await client(task(2, "OK"));
    const status = await c.waitForTask(UPID, { intervalMs: 10 });
    expect(status).toMatchObject({ status: "stopped", exitstatus: "OK", type: "vzcreate", node: "pve1" });
    expect(pve.requests.every((r) => r.path.startsWith("/nodes/pve1/tasks/"))).toBe(true);
    expect(pve.requests).toHaveLength(3);
  });

  it("waitForTask - resolves on WARNINGS", async () => {
    const { c } = await client(task(0, "WARNINGS: 1"));
    await expect(c.waitForTask(UPID, { intervalMs: 10 })).resolves.toMatchObject({
      exitstatus: "WARNINGS: 1",
    });
  });

  it("waitForTask - rejects with TaskFailedError carrying the log tail", async () => {
    const log = Array.from({ length: 30 }, (_, i) => `line ${i + 1}`);
    log.push("TASK ERROR: unable to create CT 101 - no space left on device");
    const { c } = await client(task(1, "unable to create CT 101 - no space left on device", log));
    const err = (await c.waitForTask(UPID, { intervalMs: 10 }).catch((e: unknown) => e)) as TaskFailedError;
    expect(err).toBeInstanceOf(TaskFailedError);
    expect(err.message).toBe("Proxmox task vzcreate failed");
    expect(err.code).toBe("INTERNAL");
    expect(err.exitstatus).toContain("no space left");
    expect(err.logTail).toHaveLength(20);
    expect(err.logTail.at(-1)).toContain("TASK ERROR");
  });

  it("waitForTask - a lock failure is a CONFLICT", async () => {
    const { c } = await client(task(0, "CT is locked (backup)", ["TASK ERROR: CT is locked (backup)"]));
    const err = (await c.waitForTask(UPID, { intervalMs: 10 }).catch((e: unknown) => e)) as TaskFailedError;
    expect(err.code).toBe("CONFLICT");
    expect(err.logTail).toEqual(["TASK ERROR: CT is locked (backup)"]);
  });

  it("waitForTask - fails with DeadlineExceededError when the task outlives the deadline", async () => {
    const { c } = await client(task(1_000, "OK"));
    const started = Date.now();
    await expect(
      c.waitForTask(UPID, { timeoutMs: 300, intervalMs: 20, maxIntervalMs: 40 }),
    ).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("waitForTask - polls through transient errors", async () => {
    let n = 0;
    const ok2 = task(0, "OK");
    const { c } = await client((req) => (++n <= 2 ? pveError(596, "proxy error") : ok2(req)));
    await expect(c.waitForTask(UPID, { intervalMs: 10 })).resolves.toMatchObject({ exitstatus: "OK" });
    expect(n).toBe(3);
  });

  it("waitForTask - stops at once on a non-transient error", async () => {
    const { pve, c } = await client(() => pveError(500, "no such task"));
    await expect(c.waitForTask(UPID, { intervalMs: 10 })).rejects.toBeInstanceOf(NotFoundError);
    expect(pve.requests).toHaveLength(1);
  });

  it("waitForTask - polls at waits growing by half again", async () => {
    const polls: number[] = [];
    const route = task(4, "OK");
    const { pve, c } = await client((req) => {
      if (req.path.endsWith("/status")) polls.push(performance.now());
      return route(req);
    });
    await c.waitForTask(UPID, { intervalMs: 100 });
    expect(pve.requests).toHaveLength(5);
    const gaps = polls.slice(1).map((t, i) => t - polls[i]!);
    // Sleeps of 100, 150, 225, 337 ms between the polls (timers never fire early; allow rounding).
    expect(gaps[0]).toBeGreaterThanOrEqual(95);
    expect(gaps[1]).toBeGreaterThanOrEqual(145);
    expect(gaps[2]).toBeGreaterThanOrEqual(220);
    expect(gaps[3]).toBeGreaterThanOrEqual(332);
    expect(gaps[3]).toBeLessThan(650); // not doubling (that would be 800 ms)
  });

  it("waitForTask - a poll's wait: half again the last, to 1 s while young, a tenth of the age once older, at most the maximum", () => {
    // Young: half again each time, then held at 1 s (a 2-s task is seen ~30 ms late, not 1.75 s).
    const waits: number[] = [250];
    let age = 0;
    for (let i = 0; i < 6; i++) {
      age += waits.at(-1)!;
      waits.push(nextPollInterval(waits.at(-1)!, age, 5_000));
    }
    expect(waits.map(Math.round)).toEqual([250, 375, 563, 844, 1_000, 1_000, 1_000]);
    // Older: a tenth of its age, up to the maximum (a backup's hours: one read every 5 s).
    expect(nextPollInterval(1_000, 20_000, 5_000)).toBe(1_500);
    expect(nextPollInterval(1_500, 30_000, 5_000)).toBe(2_250);
    expect(nextPollInterval(4_000, 45_000, 5_000)).toBe(4_500);
    expect(nextPollInterval(4_500, 3_600_000, 5_000)).toBe(5_000);
    // A smaller maximum wins over both.
    expect(nextPollInterval(100, 150, 110)).toBe(110);
  });
});
