import { AbandonedDeliveryError, PermanentFailure } from "@proximity/bus";
import { NotFoundError, PermissionDeniedError, UnavailableError, ValidationError } from "@proximity/errors";
import { HostKeyMismatchError, TaskFailedError } from "@proximity/proxmox";
import { ErrorCode, NatsError } from "nats";
import { describe, expect, it } from "vitest";
import { AppNotRunningError, ContainerCommandError, StepFailedError } from "./errors.js";
import { explainFailure, lastLine, MAX_QUOTED_OUTPUT } from "./failure-reason.js";
import { isPermanentFailure } from "./permanent-failure.js";
import { Step, type StepName } from "./step-names.js";

const at = (step: StepName, cause: unknown) => new StepFailedError(step, cause);

describe("explainFailure", () => {
  it("explainFailure - a request whose every delivery died with its process says so, with the attempts", () => {
    expect(explainFailure(new AbandonedDeliveryError(8), 8)).toBe(
      "The provisioner was stopped during every attempt before it could finish (8 attempts)",
    );
  });

  it("explainFailure - an unreachable host names the step and the attempts", () => {
    const err = at(Step.createContainer, new UnavailableError("The Proxmox host is unreachable"));
    expect(explainFailure(err, 5)).toBe("Proxmox host unreachable while creating the container (5 attempts)");
  });

  it("explainFailure - a bus without a leader for too long is named, not an unexpected error", () => {
    const noLeader = at(Step.allocateVmid, NatsError.errorForCode(ErrorCode.NoResponders));
    expect(explainFailure(noLeader, 5)).toBe(
      "Proximity's message bus did not answer while reserving a container ID (5 attempts)",
    );
    const unanswered = at(Step.allocateVmid, NatsError.errorForCode(ErrorCode.Timeout));
    expect(explainFailure(unanswered, 1)).toBe(
      "Proximity's message bus did not answer while reserving a container ID (1 attempt)",
    );
  });

  it("explainFailure - a failed Proxmox task never quotes the task's own error text", () => {
    const task = new TaskFailedError({
      upid: "UPID:pve1:1:2:3:vzcreate:104:root@pam:",
      type: "vzcreate",
      exitstatus: "unable to create CT 104 - storage 'local-lvm' secret=hunter2",
      logTail: ["TASK ERROR: boom"],
    });
    const reason = explainFailure(at(Step.createContainer, task), 3);
    expect(reason).toBe("Proxmox reported an error while creating the container (3 attempts)");
    expect(reason).not.toContain("hunter2");
  });

  it("explainFailure - compose failures quote the last stderr line, truncated", () => {
    const stderr = `pulling web\nError response from daemon: manifest for ${"x".repeat(300)} not found\n`;
    const reason = explainFailure(at(Step.startApp, new ContainerCommandError("compose", 1, stderr)), 3);
    expect(reason.startsWith("Docker compose failed inside the container: Error response from daemon")).toBe(
      true,
    );
    const quoted = reason.slice("Docker compose failed inside the container: ".length);
    expect(quoted.length).toBe(MAX_QUOTED_OUTPUT);
  });

  it("explainFailure - a host key mismatch and a missing host are explained without retries counted", () => {
    const mismatch = new HostKeyMismatchError("10.0.0.1", "SHA256:a", "SHA256:b");
    expect(explainFailure(new PermanentFailure("x", { cause: at(Step.installDocker, mismatch) }), 1)).toMatch(
      /^The SSH host key of the Proxmox node does not match/,
    );
    expect(explainFailure(at(Step.resolveConnection, new NotFoundError("Host h is not registered")), 1)).toBe(
      "The host, its node or its credentials are not registered in Proximity",
    );
  });

  it("explainFailure - services that did not come up are named", () => {
    expect(explainFailure(at(Step.verifyApp, new AppNotRunningError(["db"])), 2)).toBe(
      "The app did not start: db not running (2 attempts)",
    );
  });

  it("explainFailure - anything unexpected stays generic (no message, no stack)", () => {
    const reason = explainFailure(at(Step.writeAppFiles, new Error("ECONNRESET at /srv/x.js:1")), 1);
    expect(reason).toBe("Unexpected error while writing the app's files (1 attempt)");
  });

  it("lastLine - drops control characters and empty trailing lines", () => {
    expect(lastLine("first\n\u001b[31mred\u001b[0m\n\n")).toBe("[31mred[0m");
  });
});

describe("isPermanentFailure", () => {
  it("isPermanentFailure - bad input, refused credentials and unknown hosts are not retried", () => {
    expect(isPermanentFailure(at(Step.createContainer, new ValidationError("bad")))).toBe(true);
    expect(isPermanentFailure(at(Step.installDocker, new PermissionDeniedError()))).toBe(true);
    expect(isPermanentFailure(at(Step.resolveConnection, new NotFoundError()))).toBe(true);
  });

  it("isPermanentFailure - outages, task errors and a missing container are retried", () => {
    expect(isPermanentFailure(at(Step.createContainer, new UnavailableError()))).toBe(false);
    expect(isPermanentFailure(at(Step.startContainer, new NotFoundError()))).toBe(false);
    expect(isPermanentFailure(at(Step.startApp, new ContainerCommandError("x", 1, "")))).toBe(false);
  });
});
