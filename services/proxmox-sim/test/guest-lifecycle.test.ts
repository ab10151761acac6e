/**
 * What the provisioner's life cycle does inside a container, end to end through SSH and the API:
 * `.env` written from stdin (never on a command line), compose update with pull failures and
 * crashing or unhealthy services (injected faults), snapshot rollback restoring the guest exactly,
 * and clones carrying the snapshot's guest state.
 */
import type { Client } from "ssh2";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createCt, INSTALL_DOCKER, type SimHarness, SSH, startSim } from "./support/sim-fixture.js";
import { connect, type ExecOutput, run, shellQuote } from "./support/ssh-client.js";

const DIR = "/opt/proximity/app-1";
const compose = (tag: string) =>
  `services:\n  web:\n    image: nginx:\${WEB_TAG:-${tag}}\n    restart: unless-stopped\n  worker:\n    image: busybox:1.36\n`;
const SECRET = "s3cr3t-'quoted' $HOME value";

describe("guest life cycle", () => {
  let h: SimHarness;
  let client: Client;
  const exec = (vmid: number, script: string, stdin = ""): Promise<ExecOutput> =>
    run(client, `timeout -s KILL 60 pct exec ${vmid} -- sh -c ${shellQuote(script)}`, stdin);
  const ps = async (vmid: number, all = false) =>
    (
      await exec(vmid, `docker compose -f ${DIR}/docker-compose.yml ps ${all ? "-a " : ""}--format json`)
    ).stdout
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .map((r) => [r.Service, r.Image, r.State, r.Health]);
  const task = async (method: string, path: string, params: Record<string, string | number> = {}) => {
    const r = await h.call(method, path, params);
    expect(r.status, r.body.message).toBe(200);
    return h.waitTask("pve1", r.body.data as string);
  };

  beforeAll(async () => {
    h = await startSim();
    await createCt(h, "pve1", 700, { start: 1, hostname: "app-one", rootfs: "local-lvm:8" });
    const node = h.running.nodes[0]!;
    client = await connect({ host: node.sshHost, port: node.sshPort, ...SSH });
    const setup = [
      "set -e",
      `command -v docker >/dev/null 2>&1 || { ${INSTALL_DOCKER}; }`,
      `mkdir -p ${DIR}`,
      `cat > ${DIR}/docker-compose.yml <<'EOF'\n${compose("1.27")}EOF`,
    ].join("\n");
    expect((await exec(700, setup)).code).toBe(0);
  });
  afterEach(() => h.sim.clearFaults());
  afterAll(async () => {
    client.end();
    await h.sim.stop();
  });

  it("stdin - .env written with `cat >` under umask 077 is 600; the secret is on no command line", async () => {
    const r = await exec(
      700,
      `set -e\numask 077\ncat > ${DIR}/.env\nstat -c %a ${DIR}/.env`,
      `API_KEY='${SECRET}'\n`,
    );
    expect(r).toMatchObject({ code: 0, stdout: "600\n", stderr: "" });
    expect(h.sim.guestFile(700, `${DIR}/.env`)).toEqual({ content: `API_KEY='${SECRET}'\n`, mode: 0o600 });
    const record = h.sim.commandLog("pve1").at(-1)!;
    expect(record).toMatchObject({ exitCode: 0, stdinBytes: Buffer.byteLength(`API_KEY='${SECRET}'\n`) });
    expect(record.line.startsWith("timeout -s KILL 60 pct exec 700 -- sh -c ")).toBe(true);
    // The whole record (as the node's process list would show it) holds no trace of the value.
    for (const c of h.sim.commandLog()) expect(JSON.stringify(c)).not.toContain("s3cr3t");
    const viaAdmin = await fetch(`${h.running.adminUrl}/_sim/commands?node=pve1`).then((x) => x.json());
    expect((viaAdmin as { data: { line: string }[] }).data.at(-1)?.line).toBe(record.line);
    const file = await fetch(
      `${h.running.adminUrl}/_sim/containers/700/file?path=${encodeURIComponent(`${DIR}/.env`)}`,
    );
    expect(((await file.json()) as { data: unknown }).data).toEqual({
      content: `API_KEY='${SECRET}'\n`,
      mode: 0o600,
    });
  });

  it("compose - up pulls the images; ps shows every service running with the .env-interpolated tag", async () => {
    await exec(700, `echo 'WEB_TAG=1.27.1' >> ${DIR}/.env`);
    const up = await exec(700, `docker compose -f ${DIR}/docker-compose.yml up -d`);
    expect(up.code).toBe(0);
    expect(up.stderr).toContain("web Pulled");
    expect(await ps(700)).toEqual([
      ["web", "nginx:1.27.1", "running", ""],
      ["worker", "busybox:1.36", "running", ""],
    ]);
  });

  it("update - a pull of an unknown tag fails with exit 1 and leaves the running services alone", async () => {
    await task("POST", "/nodes/pve1/lxc/700/snapshot", { snapname: "pre-update" });
    h.sim.addFault({ match: { vmid: 700, image: "^nginx:1\\.99$" }, effect: { kind: "image-pull-failure" } });
    const script = `set -e\ncat > ${DIR}/docker-compose.yml <<'EOF'\n${compose("1.99")}EOF\numask 077\ngrep -v WEB_TAG ${DIR}/.env > ${DIR}/.env.new\nmv ${DIR}/.env.new ${DIR}/.env\ncd ${DIR}\ndocker compose pull`;
    const pull = await exec(700, script);
    expect(pull.code).toBe(1);
    expect(pull.stderr).toContain("manifest for nginx:1.99 not found: manifest unknown");
    expect(await ps(700)).toEqual([
      ["web", "nginx:1.27.1", "running", ""],
      ["worker", "busybox:1.36", "running", ""],
    ]);
    expect(h.sim.guestFile(700, `${DIR}/.env`)?.mode).toBe(0o600); // mv kept the mode
  });

  it("update - a service that crashes after up: restarting with a restart policy, exited (only with -a) without", async () => {
    h.sim.addFault({ match: { image: "^nginx:1\\.99$" }, effect: { kind: "service-exit", exitCode: 137 } });
    h.sim.addFault({ match: { vmid: 700, image: "^busybox:1\\.37$" }, effect: { kind: "service-exit" } });
    const next = compose("1.99").replace("busybox:1.36", "busybox:1.37");
    const up = await exec(
      700,
      `cat > ${DIR}/docker-compose.yml <<'EOF'\n${next}EOF\ndocker compose -f ${DIR}/docker-compose.yml pull && docker compose -f ${DIR}/docker-compose.yml up -d`,
    );
    expect(up.code).toBe(0);
    expect(await ps(700)).toEqual([["web", "nginx:1.99", "restarting", ""]]);
    expect(await ps(700, true)).toEqual([
      ["web", "nginx:1.99", "restarting", ""],
      ["worker", "busybox:1.37", "exited", ""],
    ]);
  });

  it("rollback - restores files, compose state and images of the snapshot; later writes are gone", async () => {
    await exec(700, "echo later > /root/after-snapshot");
    await task("POST", "/nodes/pve1/lxc/700/snapshot/pre-update/rollback", { start: 1 });
    expect(h.sim.containers().find((c) => c.vmid === 700)?.status).toBe("running");
    expect(h.sim.guestFile(700, `${DIR}/docker-compose.yml`)?.content).toBe(compose("1.27"));
    expect(h.sim.guestFile(700, `${DIR}/.env`)?.content).toContain("WEB_TAG=1.27.1");
    expect(h.sim.guestFile(700, "/root/after-snapshot")).toBeUndefined();
    expect(await ps(700, true)).toEqual([
      ["web", "nginx:1.27.1", "running", ""],
      ["worker", "busybox:1.36", "running", ""],
    ]);
    expect((await exec(700, "docker images")).stdout).not.toContain("1.99");
  });

  it("unhealthy - set through /_sim/faults, shown as running with Health unhealthy; unknown kinds are refused", async () => {
    const add = await fetch(`${h.running.adminUrl}/_sim/faults`, {
      method: "POST",
      body: JSON.stringify({
        match: { vmid: 700, image: "^busybox" },
        effect: { kind: "service-unhealthy" },
        times: 1,
      }),
    });
    expect(add.status).toBe(200);
    await exec(
      700,
      `docker compose -f ${DIR}/docker-compose.yml down && docker compose -f ${DIR}/docker-compose.yml up -d`,
    );
    expect(await ps(700)).toEqual([
      ["web", "nginx:1.27.1", "running", ""],
      ["worker", "busybox:1.36", "running", "unhealthy"],
    ]);
    const bad = await fetch(`${h.running.adminUrl}/_sim/faults`, {
      method: "POST",
      body: JSON.stringify({ match: {}, effect: { kind: "gremlins" } }),
    });
    expect(bad.status).toBe(400);
  });

  it("clone - from a snapshot of the running CT: stopped copy of that state with the new hostname; source untouched", async () => {
    await exec(700, `docker compose -f ${DIR}/docker-compose.yml up -d`); // heal the worker again
    await task("POST", "/nodes/pve1/lxc/700/snapshot", { snapname: "clone-src" });
    await exec(700, "echo after > /root/after-clone-snapshot");
    const r = await h.call("POST", "/nodes/pve1/lxc/700/clone", {
      newid: 701,
      hostname: "app-two",
      full: 1,
      snapname: "clone-src",
    });
    const busy = await h.call("DELETE", "/nodes/pve1/lxc/700/snapshot/clone-src");
    expect(busy.body.message).toBe("CT is locked (disk)\n");
    expect((await h.waitTask("pve1", r.body.data as string)).exitstatus).toBe("OK");
    expect(h.sim.containers().find((c) => c.vmid === 701)).toMatchObject({
      status: "stopped",
      hostname: "app-two",
    });
    expect(h.sim.guestFile(701, `${DIR}/.env`)).toEqual(h.sim.guestFile(700, `${DIR}/.env`));
    expect(h.sim.guestFile(701, "/root/after-clone-snapshot")).toBeUndefined();
    await task("DELETE", "/nodes/pve1/lxc/700/snapshot/clone-src");
    await task("POST", "/nodes/pve1/lxc/701/status/start");
    expect((await exec(701, "hostname && hostname -I")).stdout).toBe("app-two\n10.10.2.203 \n");
    expect(await ps(701)).toEqual([
      ["web", "nginx:1.27.1", "running", ""],
      ["worker", "busybox:1.36", "running", ""],
    ]);
    await exec(701, "echo clone-only > /root/clone-only");
    expect(h.sim.guestFile(700, "/root/clone-only")).toBeUndefined();
    expect(h.sim.guestFile(700, "/root/after-clone-snapshot")?.content).toBe("after\n");
  });
});
