import { eventually } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.js";

const BATCH_MS = 1_000;
const SLOW_INSTALL_MS = 4_000;

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ PROGRESS_BATCH_MS: String(BATCH_MS) });
});

afterAll(async () => {
  await h?.close();
});

describe("progress", () => {
  it("progress - quick steps share events, a slow step is reported while it runs, every line arrives before the result", {
    timeout: 60_000,
  }, async () => {
    const slowInstall = h.sim.addFault({
      match: { sshCommand: "apt-get" },
      effect: { kind: "latency", delayMs: SLOW_INSTALL_MS },
    });
    try {
      const request = h.deployRequest();
      await h.publish(request);
      const ofOperation = async () =>
        (await h.events()).filter((e) => e.payload.operationId === request.operationId);

      // The install step outlasts the batch window: its line is published while it still runs.
      const whileInstalling = await eventually(
        async () => {
          const lines = await h.progressLines(request.operationId);
          return lines.some((line) => line.message === "Installing Docker") && (await ofOperation());
        },
        { timeoutMs: SLOW_INSTALL_MS + BATCH_MS, intervalMs: 50, what: "the install step reported" },
      );
      expect(whileInstalling.map((e) => e.type)).not.toContain("succeeded");

      const outcome = await h.outcome(request.operationId, 30_000);
      expect(outcome.type).toBe("succeeded");
      const events = await ofOperation();
      const progressed = events.filter((e) => e.type === "progressed");
      const lines = await h.progressLines(request.operationId);
      expect(lines.map((line) => line.message)).toEqual([
        "Reserving a container ID on sim",
        expect.stringMatching(/^Creating container \d+ on /),
        expect.stringMatching(/^Starting container \d+$/),
        "Installing Docker",
        "Writing the app's compose file",
        "Starting app with docker compose",
        "Checking the app is running",
      ]);
      // Seven lines, fewer events: the steps around the slow one were batched.
      expect(progressed.length).toBeLessThan(lines.length);
      // The result comes last: no line is left behind it.
      expect(events.at(-1)?.type).toBe("succeeded");
    } finally {
      h.sim.removeFault(slowInstall);
    }
  });
});
