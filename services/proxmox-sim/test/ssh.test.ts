import type { Client } from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateSshKeyPair } from "../src/ssh/host-keys.js";
import { createCt, INSTALL_DOCKER, type SimHarness, SSH, startSim } from "./support/sim-fixture.js";
import { connect, run, shellQuote } from "./support/ssh-client.js";

const AUTHORIZED = generateSshKeyPair();

describe("ssh pct", () => {
  let h: SimHarness;
  let client: Client;
  beforeAll(async () => {
    h = await startSim({ ssh: { ...SSH, authorizedKeys: [AUTHORIZED.public] } });
    await createCt(h, "pve1", 500, { start: 1, hostname: "app" });
    await createCt(h, "pve1", 501);
    const node = h.running.nodes[0]!;
    client = await connect({ host: node.sshHost, port: node.sshPort, ...SSH });
  });
  afterAll(async () => {
    client.end();
    await h.sim.stop();
  });

  it("pct exec - a script with quotes, $HOME, backticks, newlines and a heredoc arrives byte-identical", async () => {
    const script = [
      "set -e",
      `echo "double \\"quoted\\" $HOME" 'single '"'"'quoted'"'"''`,
      "echo `hostname` $(hostname -I)",
      "cat > /etc/app.env <<'EOF'",
      "A='x y'",
      'B="$HOME/`id`"',
      "EOF",
      "cat /etc/app.env",
    ].join("\n");
    const r = await run(client, `timeout -s KILL 60 pct exec 500 -- sh -c ${shellQuote(script)}`);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      `double "quoted" /root single 'quoted'\napp 10.10.2.2\nA='x y'\nB="$HOME/\`id\`"\n`,
    );
    const logged = h.sim.commandLog("pve1").at(-1)!;
    expect(logged.command).toBe(script);
    expect(logged.exitCode).toBe(0);
  });

  it("docker flow - install, write compose file, up, ps --format json lists the services", async () => {
    const composeUpFirst = await run(
      client,
      `pct exec 500 -- sh -c ${shellQuote("docker compose -f /opt/x/compose.yaml up -d")}`,
    );
    expect(composeUpFirst.code).toBe(127);
    expect(composeUpFirst.stderr).toContain("docker: not found");
    const install = `set -e\n${INSTALL_DOCKER}\nsystemctl enable --now docker\ndocker --version`;
    const installed = await run(client, `pct exec 500 -- sh -c ${shellQuote(install)}`);
    expect(installed.code).toBe(0);
    expect(installed.stdout).toMatch(/Docker version \d+\.\d+\.\d+/);
    const compose = [
      "mkdir -p /opt/proximity/app-1",
      "cat > /opt/proximity/app-1/compose.yaml <<'EOF'",
      "services:",
      "  web:",
      "    image: nginx:1.27-alpine",
      "    ports:",
      '      - "8080:80"',
      "  cache:",
      "    image: redis:7",
      "volumes:",
      "  data: {}",
      "EOF",
      "cd /opt/proximity/app-1",
      "docker compose pull",
      "docker compose up -d",
    ].join("\n");
    expect((await run(client, `pct exec 500 -- sh -c ${shellQuote(compose)}`)).code).toBe(0);
    const ps = await run(
      client,
      `pct exec 500 -- sh -c ${shellQuote("docker compose -f /opt/proximity/app-1/compose.yaml ps --format json")}`,
    );
    const rows = ps.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, string>);
    expect(rows.map((r) => [r.Service, r.Image, r.State, r.Project])).toEqual([
      ["web", "nginx:1.27-alpine", "running", "app-1"],
      ["cache", "redis:7", "running", "app-1"],
    ]);
  });

  it("pct exec - errors: stopped CT and CT not on this node exit 255, unknown program 127, set -e stops", async () => {
    const stopped = await run(client, "pct exec 501 -- sh -c 'true'");
    expect(stopped).toMatchObject({ code: 255, stderr: "container '501' not running!\n" });
    const missing = await run(client, "pct exec 999 -- true");
    expect(missing).toMatchObject({
      code: 255,
      stderr: "Configuration file 'nodes/pve1/lxc/999.conf' does not exist\n",
    });
    const unknown = await run(client, "pct exec 500 -- sh -c 'nonexistentcmd --flag'");
    expect(unknown).toMatchObject({ code: 127, stderr: "sh: 1: nonexistentcmd: not found\n" });
    const errexit = await run(
      client,
      `pct exec 500 -- sh -c ${shellQuote("set -e\ntest -f /nope\necho unreachable")}`,
    );
    expect(errexit).toMatchObject({ code: 1, stdout: "" });
    expect(h.sim.commandLog("pve1").at(-1)).toMatchObject({
      command: "set -e\ntest -f /nope\necho unreachable",
      exitCode: 1,
    });
  });

  it("node commands - pct status, pct list, stdin is forwarded into the container", async () => {
    expect((await run(client, "pct status 500")).stdout).toBe("status: running\n");
    expect((await run(client, "pct list")).stdout).toMatch(
      /^VMID\s+Status\s+Lock\s+Name\n500\s+running\s+app\n501\s+stopped/,
    );
    await run(client, "pct exec 500 -- sh -c 'cat > /root/from-stdin'", "piped content\n");
    expect((await run(client, "pct exec 500 -- cat /root/from-stdin")).stdout).toBe("piped content\n");
  });

  it("auth - public key accepted, wrong password rejected", async () => {
    const node = h.running.nodes[0]!;
    const byKey = await connect({
      host: node.sshHost,
      port: node.sshPort,
      username: "root",
      privateKey: AUTHORIZED.private,
    });
    expect((await run(byKey, "true")).code).toBe(0);
    byKey.end();
    await expect(
      connect({ host: node.sshHost, port: node.sshPort, username: "root", password: "nope" }),
    ).rejects.toThrow(/authentication methods failed/);
  });
});
