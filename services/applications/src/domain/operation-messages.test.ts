import { describe, expect, it } from "vitest";
import { failedMessage, succeededMessage, timedOutMessage } from "./operation-messages.js";

describe("operation-messages", () => {
  it("operation-messages - a success names the container, node and address it knows", () => {
    expect(succeededMessage("deploy", { vmid: 104, node: "pve1", ipAddress: "10.0.0.7" })).toBe(
      "Deployment succeeded: container 104 on pve1 at 10.0.0.7",
    );
    expect(succeededMessage("stop", { vmid: null, node: "", ipAddress: null })).toBe("Stop succeeded");
  });

  it("operation-messages - a failure says how many attempts were made and why", () => {
    expect(failedMessage("deploy", 5, "storage full")).toBe(
      "Deployment failed after 5 attempts: storage full",
    );
    expect(failedMessage("delete", 1, "")).toBe("Removal failed after 1 attempt: no reason given");
    expect(failedMessage("update", 0, "timeout")).toBe("Update failed: timeout");
  });

  it("operation-messages - a timeout says what to do next", () => {
    expect(timedOutMessage("restart", 10)).toMatch(
      /^Restart did not finish within 10 minutes.*retry or delete/,
    );
  });
});
