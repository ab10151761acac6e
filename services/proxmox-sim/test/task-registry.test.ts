import { describe, expect, it } from "vitest";
import { createTaskRegistry } from "../src/state/tasks.js";

const spec = (run: () => void) => ({ node: "pve1", type: "vzstart", id: "100", user: "root@pam", run });
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("task registry", () => {
  it("a task of no duration runs after its start returns, and is stopped by the loop's next turn", async () => {
    const tasks = createTaskRegistry(0);
    let ran = false;
    const upid = tasks.start(
      spec(() => {
        ran = true;
      }),
    );
    // Still asynchronous, as a forked worker is: the caller gets the UPID before the effect.
    expect(ran).toBe(false);
    expect(tasks.get(upid)?.status).toBe("running");
    // Not a timer's 1-ms minimum later: a status asked for at once would find it still running.
    await nextTurn();
    expect(ran).toBe(true);
    expect(tasks.get(upid)).toMatchObject({ status: "stopped", exitstatus: "OK" });
  });

  it("stop cancels the tasks still to finish, of no duration and timed", async () => {
    for (const durationMs of [0, 20]) {
      const tasks = createTaskRegistry(durationMs);
      let ran = false;
      const upid = tasks.start(
        spec(() => {
          ran = true;
        }),
      );
      tasks.stop();
      await new Promise((resolve) => setTimeout(resolve, durationMs + 30));
      expect(ran).toBe(false);
      expect(tasks.get(upid)?.status).toBe("running");
    }
  });

  it("a worker's check that fails ends the task as it begins, without its duration or its effect", async () => {
    const tasks = createTaskRegistry(60_000);
    let ran = false;
    const upid = tasks.start({
      ...spec(() => {
        ran = true;
      }),
      check: () => {
        throw new Error("CT is locked (backup)");
      },
    });
    expect(tasks.get(upid)?.status).toBe("running"); // the UPID is answered first
    await nextTurn();
    expect(tasks.get(upid)).toMatchObject({ status: "stopped", exitstatus: "CT is locked (backup)" });
    expect(tasks.get(upid)?.log.at(-1)).toBe("TASK ERROR: CT is locked (backup)");
    expect(ran).toBe(false);
    tasks.stop();
  });
});
