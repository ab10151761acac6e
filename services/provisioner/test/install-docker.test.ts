/**
 * Docker comes from the container distribution's own packages, never from a piped install script
 * (issue 9, review #19): the provisioner's install script against the simulator's Debian and Ubuntu
 * containers, whose apt knows which Docker packages each release has.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPOSE_UNAVAILABLE, INSTALL_DOCKER_SCRIPT } from "../src/domain/deploy-scripts.js";
import { type Harness, NODE, startHarness } from "./support/harness.js";

const TEMPLATES = {
  debian12: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
  debian13: "local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst",
  ubuntu2404: "local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst",
};

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ LXC_TEMPLATE: TEMPLATES.debian12, PROVISIONER_MAX_DELIVER: "1" });
});

afterAll(async () => {
  await h?.close();
});

async function runningContainer(template: string): Promise<number> {
  const vmid = (await h.pve.nextId())!;
  await h.pve.waitForTask(
    await h.pve.createContainer(NODE, { vmid, ostemplate: template, rootfs: "local-lvm:8" }),
  );
  await h.pve.waitForTask(await h.pve.startContainer(NODE, vmid));
  return vmid;
}

describe("install docker", () => {
  it("install docker - Debian 13 and Ubuntu 24.04: docker compose from the distribution's packages, once", async () => {
    for (const template of [TEMPLATES.debian13, TEMPLATES.ubuntu2404]) {
      const vmid = await runningContainer(template);
      const first = await h.runInGuest(vmid, INSTALL_DOCKER_SCRIPT);
      expect(first.code, template).toBe(0);
      expect(first.stdout).toContain("Setting up docker.io");
      expect((await h.runInGuest(vmid, "docker compose version")).stdout).toMatch(
        /Docker Compose version v2/,
      );
      // Idempotent: with docker compose working, a second run installs nothing.
      const again = await h.runInGuest(vmid, INSTALL_DOCKER_SCRIPT);
      expect(again).toMatchObject({ code: 0, stdout: "", stderr: "" });
    }
  });

  it("install docker - Debian 12 packages only compose v1: the deploy fails at the install, saying why", async () => {
    const vmid = await runningContainer(TEMPLATES.debian12);
    const result = await h.runInGuest(vmid, INSTALL_DOCKER_SCRIPT);
    expect(result.code).not.toBe(0);
    expect((await h.runInGuest(vmid, "docker compose version")).code).not.toBe(0);

    const request = h.deployRequest();
    await h.publish(request);
    const outcome = await h.outcome(request.operationId, 30_000);
    expect(outcome.type).toBe("failed");
    expect(String(outcome.payload.reason)).toContain(COMPOSE_UNAVAILABLE);
  });

  it("install docker - the script installs from apt only: no download piped into a shell", () => {
    expect(INSTALL_DOCKER_SCRIPT).not.toMatch(/curl|wget|\|\s*(ba)?sh/);
    expect(INSTALL_DOCKER_SCRIPT).toContain("apt-get install -y docker.io");
  });
});
