import { describe, expect, it } from "vitest";
import { failedMessage, succeededMessage } from "./operation-messages.js";

describe("operation-messages", () => {
  it("operation-messages - a success names the container, node and address it knows", () => {
    expect(succeededMessage("deploying", { vmid: 104, node: "pve1", ipAddress: "10.0.0.7" })).toBe(
      "Deployment succeeded: container 104 on pve1 at 10.0.0.7",
    );
    expect(succeededMessage("stopping", { vmid: null, node: "", ipAddress: null })).toBe("Stop succeeded");
  });

  it("operation-messages - a failure says how many attempts were made and why", () => {
    expect(failedMessage("deploying", 5, "storage full")).toBe(
      "Deployment failed after 5 attempts: storage full",
    );
    expect(failedMessage("removing", 1, "")).toBe("Removal failed after 1 attempt: no reason given");
    expect(failedMessage("updating", 0, "timeout")).toBe("Update failed: timeout");
  });
});
