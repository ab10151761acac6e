/**
 * Docker inside a container comes only from its distribution's packages: the simulated apt knows
 * which Docker packages Debian 12, Debian 13 and Ubuntu 24.04 have, `docker compose` exists only
 * once a package put its CLI plugin there, and Docker's piped install script is out of reach.
 */
import type { Client } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createCt,
  DEBIAN,
  DEBIAN_12,
  type SimHarness,
  SSH,
  startSim,
  UBUNTU,
} from "./support/sim-fixture.js";
import { connect, run, shellQuote } from "./support/ssh-client.js";

describe("docker packages", () => {
  let h: SimHarness;
  let client: Client;
  const exec = (vmid: number, script: string) =>
    run(client, `pct exec ${vmid} -- sh -c ${shellQuote(script)}`);

  beforeAll(async () => {
    h = await startSim();
    await createCt(h, "pve1", 600, { start: 1, ostemplate: DEBIAN });
    await createCt(h, "pve1", 601, { start: 1, ostemplate: DEBIAN_12 });
    await createCt(h, "pve1", 602, { start: 1, ostemplate: UBUNTU });
    await createCt(h, "pve1", 603, { start: 1, ostemplate: DEBIAN });
    const node = h.running.nodes[0]!;
    client = await connect({ host: node.sshHost, port: node.sshPort, ...SSH });
  });
  afterAll(async () => {
    client.end();
    await h.sim.stop();
  });

  it("os-release - the guest is the template's distribution", async () => {
    expect((await exec(600, "cat /etc/os-release")).stdout).toContain("VERSION_CODENAME=trixie");
    expect((await exec(601, "cat /etc/os-release")).stdout).toContain("VERSION_CODENAME=bookworm");
    expect((await exec(602, "cat /etc/os-release")).stdout).toContain("VERSION_CODENAME=noble");
  });

  it("get.docker.com - cannot be reached: a piped install script installs nothing", async () => {
    const piped = await exec(603, "curl -fsSL https://get.docker.com | sh");
    expect(piped.stderr).toContain("curl: (6) Could not resolve host: get.docker.com");
    const docker = await exec(603, "docker --version");
    expect(docker).toMatchObject({ code: 127, stderr: "sh: 1: docker: not found\n" });
  });

  it("apt - without apt-get update, or for a package the archive lacks, installs nothing (exit 100)", async () => {
    const stale = await exec(603, "apt-get install -y docker.io");
    expect(stale).toMatchObject({ code: 100, stderr: "E: Unable to locate package docker.io\n" });
    await exec(603, "apt-get update");
    // Docker Inc.'s packages live in its own repository, not Debian's; one missing name stops all.
    const foreign = await exec(603, "apt-get install -y docker.io docker-ce docker-compose-plugin");
    expect(foreign.code).toBe(100);
    expect(foreign.stderr).toBe(
      "E: Unable to locate package docker-ce\nE: Unable to locate package docker-compose-plugin\n",
    );
    expect((await exec(603, "docker --version")).code).toBe(127);
  });

  it("Debian 13 - docker.io and docker-compose give docker compose v2", async () => {
    await exec(600, "apt-get update");
    expect((await exec(600, "apt-get install -y docker.io")).code).toBe(0);
    const noPlugin = await exec(600, "docker compose version");
    expect(noPlugin).toMatchObject({
      code: 1,
      stderr: "docker: 'compose' is not a docker command.\nSee 'docker --help'\n",
    });
    expect((await exec(600, "apt-get install -y docker-compose-v2")).code).toBe(100);
    expect((await exec(600, "apt-get install -y docker-compose")).code).toBe(0);
    expect((await exec(600, "docker compose version")).stdout).toMatch(/^Docker Compose version v2/);
  });

  it("Debian 12 - its docker-compose is v1: no docker compose", async () => {
    await exec(601, "apt-get update");
    expect((await exec(601, "apt-get install -y docker.io docker-compose")).code).toBe(0);
    expect((await exec(601, "docker compose version")).code).toBe(1);
    expect((await exec(601, "docker-compose version")).stdout).toMatch(/^docker-compose version 1\./);
  });

  it("Ubuntu 24.04 - docker compose comes from docker-compose-v2", async () => {
    await exec(602, "apt-get update");
    expect((await exec(602, "apt-get install -y docker.io docker-compose-v2")).code).toBe(0);
    expect((await exec(602, "docker compose version")).stdout).toMatch(/^Docker Compose version v2/);
  });
});
