/**
 * Backups as the provisioner drives them, through the raw API (every request and answer
 * schema-checked by the fixture) and SSH: vzdump modes and compression, archives that capture the
 * guest, restore in place and into a new VMID, protected archives, pruning, and the faults and
 * hooks for failed, full and vanished backups.
 */
import type { Client } from "ssh2";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createCt, INSTALL_DOCKER, type SimHarness, SSH, startSim } from "./support/sim-fixture.js";
import { connect, type ExecOutput, run, shellQuote } from "./support/ssh-client.js";

type Row = Record<string, unknown>;
const DIR = "/opt/proximity/app-5";
const COMPOSE = "services:\n  web:\n    image: nginx:1.27\n";
const tick = () => new Promise((r) => setTimeout(r, 1100)); // archive names have 1 s resolution

describe("backups", () => {
  let h: SimHarness;
  let client: Client;
  const exec = (vmid: number, script: string): Promise<ExecOutput> =>
    run(client, `pct exec ${vmid} -- sh -c ${shellQuote(script)}`);
  const start = async (method: string, path: string, params: Record<string, string | number> = {}) => {
    const r = await h.call(method, path, params);
    expect(r.status, r.body.message).toBe(200);
    return r.body.data as string;
  };
  const task = async (method: string, path: string, params: Record<string, string | number> = {}) =>
    h.waitTask("pve1", await start(method, path, params));
  const log = async (upid: string) =>
    (
      (await h.call("GET", `/nodes/pve1/tasks/${encodeURIComponent(upid)}/log`, { limit: 500 })).body
        .data as Row[]
    )
      .map((l) => String(l.t))
      .join("\n");
  const backups = async (storage: string, vmid?: number) =>
    (
      await h.call("GET", `/nodes/pve1/storage/${storage}/content`, {
        content: "backup",
        ...(vmid ? { vmid } : {}),
      })
    ).body.data as Row[];
  const newest = async (storage: string, vmid: number) =>
    (await backups(storage, vmid)).sort((a, b) => Number(b.ctime) - Number(a.ctime))[0]!;
  const ct = (vmid: number) => h.sim.containers().find((c) => c.vmid === vmid);
  const config = async (vmid: number) =>
    (await h.call("GET", `/nodes/pve1/lxc/${vmid}/config`)).body.data as Row;
  const content = (volid: string) => `/nodes/pve1/storage/backup/content/${encodeURIComponent(volid)}`;

  beforeAll(async () => {
    h = await startSim();
    await createCt(h, "pve1", 500, {
      start: 1,
      hostname: "app-five",
      cores: 2,
      memory: 1024,
      rootfs: "local-lvm:8",
    });
    await createCt(h, "pve1", 501, { start: 1, hostname: "on-dir" }); // root disk on `local` (dir)
    const node = h.running.nodes[0]!;
    client = await connect({ host: node.sshHost, port: node.sshPort, ...SSH });
    const setup = [
      "set -e",
      INSTALL_DOCKER,
      `mkdir -p ${DIR}`,
      `cat > ${DIR}/docker-compose.yml <<'EOF'\n${COMPOSE}EOF`,
      `docker compose -f ${DIR}/docker-compose.yml up -d`,
      "echo before > /root/before",
    ].join("\n");
    expect((await exec(500, setup)).code).toBe(0);
  });
  afterEach(() => h.sim.clearFaults());
  afterAll(async () => {
    client.end();
    await h.sim.stop();
  });

  it("vzdump - compress picks the extension and format; size follows the guest's data; ctime is the dump time", async () => {
    const before = Math.floor(Date.now() / 1000);
    for (const compress of ["zstd", "gzip", "lzo", "0"]) {
      const done = await task("POST", "/nodes/pve1/vzdump", {
        vmid: 500,
        storage: "backup",
        compress,
        remove: 0,
      });
      expect(done.exitstatus).toBe("OK");
    }
    const after = Math.ceil(Date.now() / 1000);
    const list = await backups("backup", 500);
    const byExt = Object.fromEntries(list.map((b) => [String(b.volid).replace(/^.*?\.tar/, "tar"), b]));
    expect(Object.keys(byExt).sort()).toEqual(["tar", "tar.gz", "tar.lzo", "tar.zst"]);
    for (const b of list) {
      expect(b.volid).toMatch(
        /^backup:backup\/vzdump-lxc-500-\d{4}_\d{2}_\d{2}-\d{2}_\d{2}_\d{2}\.tar(\.\w+)?$/,
      );
      expect(b).toMatchObject({ content: "backup", vmid: 500, subtype: "lxc" });
      expect(b.format).toBe(String(b.volid).replace(/^.*?\.(tar.*)$/, "$1"));
      expect(Number(b.ctime)).toBeGreaterThanOrEqual(before);
      expect(Number(b.ctime)).toBeLessThanOrEqual(after);
      expect(b.protected).toBeUndefined();
    }
    const size = (ext: string) => Number(byExt[ext]!.size);
    expect(size("tar.zst")).toBeLessThan(size("tar.gz"));
    expect(size("tar.gz")).toBeLessThan(size("tar.lzo"));
    expect(size("tar.lzo")).toBeLessThan(size("tar"));
    expect(await backups("local", 500)).toEqual([]); // written where asked, nowhere else

    await run(client, "pct exec 500 -- sh -c 'cat > /root/big'", "x".repeat(3_000_000));
    expect(h.sim.guestFile(500, "/root/big")?.content.length).toBeGreaterThan(2_000_000);
    await tick();
    await task("POST", "/nodes/pve1/vzdump", { vmid: 500, storage: "backup", compress: "0", remove: 0 });
    expect(Number((await newest("backup", 500)).size) - size("tar")).toBeGreaterThan(2_000_000);
    await exec(500, "rm -f /root/big");
  });

  it("vzdump - a storage without backup content fails the job like PVE; the CT is neither locked nor stopped", async () => {
    const upid = await start("POST", "/nodes/pve1/vzdump", { vmid: 500, storage: "local-lvm", mode: "stop" });
    expect(ct(500)).toMatchObject({ status: "running" });
    expect(ct(500)?.lock).toBeUndefined();
    expect((await h.waitTask("pve1", upid)).exitstatus).toBe(
      "could not get storage information for 'local-lvm': can't use storage type 'lvmthin' for backup",
    );
    expect(await backups("local", 500)).toEqual([]);
    const listed = (await h.call("GET", "/nodes/pve1/storage", { content: "backup" })).body.data as Row[];
    expect(listed.map((s) => s.storage)).toEqual(["local", "backup"]);
  });

  it("vzdump - snapshot and suspend keep the CT running, stop stops it for the dump and starts it again; all hold lock backup", async () => {
    const snap = await start("POST", "/nodes/pve1/vzdump", {
      vmid: 500,
      storage: "backup",
      mode: "snapshot",
      compress: "zstd",
      remove: 0,
    });
    expect(ct(500)).toMatchObject({ status: "running", lock: "backup" });
    expect((await h.waitTask("pve1", snap)).exitstatus).toBe("OK");
    expect(await log(snap)).toMatch(/backup mode: snapshot[\s\S]*create storage snapshot 'vzdump'/);

    await tick();
    const suspend = await start("POST", "/nodes/pve1/vzdump", {
      vmid: 500,
      storage: "backup",
      mode: "suspend",
      remove: 0,
    });
    expect(ct(500)).toMatchObject({ status: "running", lock: "backup" });
    expect((await h.waitTask("pve1", suspend)).exitstatus).toBe("OK");
    expect(await log(suspend)).toMatch(/backup mode: suspend[\s\S]*suspending guest[\s\S]*resuming guest/);
    expect(ct(500)).toMatchObject({ status: "running" });

    await tick();
    const stop = await start("POST", "/nodes/pve1/vzdump", {
      vmid: 500,
      storage: "backup",
      mode: "stop",
      remove: 0,
    });
    expect(ct(500)).toMatchObject({ status: "stopped", lock: "backup" });
    expect((await h.waitTask("pve1", stop)).exitstatus).toBe("OK");
    expect(await log(stop)).toMatch(/backup mode: stop[\s\S]*stopping virtual guest[\s\S]*restarting vm/);
    expect(ct(500)).toMatchObject({ status: "running" });
    expect(ct(500)?.lock).toBeUndefined();

    // A root disk on a directory storage cannot be snapshotted: vzdump falls back to suspend.
    const dir = await task("POST", "/nodes/pve1/vzdump", { vmid: 501, storage: "backup", mode: "snapshot" });
    expect(dir.exitstatus).toBe("OK");
    expect(await log(String(dir.upid))).toMatch(
      /mode failure - some volumes do not support snapshots\nINFO: trying 'suspend' mode instead\nINFO: backup mode: suspend/,
    );
    // A stopped CT is always dumped in stop mode and stays stopped.
    await task("POST", "/nodes/pve1/lxc/501/status/stop");
    await tick();
    const stopped = await task("POST", "/nodes/pve1/vzdump", {
      vmid: 501,
      storage: "backup",
      mode: "snapshot",
    });
    expect(await log(String(stopped.upid))).toMatch(/status = stopped[\s\S]*backup mode: stop/);
    expect(await log(String(stopped.upid))).not.toMatch(/restarting vm/);
    expect(ct(501)).toMatchObject({ status: "stopped" });
  });

  it("vzdump - an injected task failure leaves no archive and brings a stop-mode CT back up; a full storage fails the guest with ENOSPC", async () => {
    await tick();
    const count = (await backups("backup", 500)).length;
    h.sim.addFault({
      match: { taskType: "vzdump" },
      effect: { kind: "task-failure", message: "got timeout" },
      times: 1,
    });
    const failed = await start("POST", "/nodes/pve1/vzdump", { vmid: 500, storage: "backup", mode: "stop" });
    expect(ct(500)).toMatchObject({ status: "stopped", lock: "backup" });
    expect((await h.waitTask("pve1", failed)).exitstatus).toBe("got timeout");
    expect(ct(500)).toMatchObject({ status: "running" });
    expect(ct(500)?.lock).toBeUndefined();
    expect((await backups("backup", 500)).length).toBe(count);

    h.sim.addFault({ match: { storage: "local" }, effect: { kind: "storage-full" } }); // another storage
    h.sim.addFault({ match: { storage: "backup", vmid: 500 }, effect: { kind: "storage-full" } });
    const full = await task("POST", "/nodes/pve1/vzdump", {
      vmid: 500,
      storage: "backup",
      compress: "zstd",
      mode: "stop",
    });
    expect(full.exitstatus).toBe("job errors");
    const text = await log(String(full.upid));
    expect(text).toContain("No space left on device");
    expect(text).toMatch(/ERROR: Backup of VM 500 failed - command '.*\.tar\.dat' failed: exit code 70/);
    expect((await backups("backup", 500)).length).toBe(count); // the partial .dat file was removed
    expect(ct(500)).toMatchObject({ status: "running" });
    expect(ct(500)?.lock).toBeUndefined();
  });

  it("restore - same VMID needs force and a stopped CT; the archive's files, compose project and config come back, later writes go", async () => {
    await tick();
    await task("POST", "/nodes/pve1/vzdump", {
      vmid: 500,
      storage: "backup",
      compress: "zstd",
      mode: "snapshot",
    });
    const archive = String((await newest("backup", 500)).volid);
    await exec(
      500,
      `echo after > /root/after && echo changed > /root/before && docker compose -f ${DIR}/docker-compose.yml down`,
    );
    await h.call("PUT", "/nodes/pve1/lxc/500/config", { cores: 4, hostname: "renamed" });
    await task("POST", "/nodes/pve1/lxc/500/snapshot", { snapname: "later" });
    const params = { vmid: 500, ostemplate: archive, restore: 1, storage: "local-lvm" };

    const noForce = await h.call("POST", "/nodes/pve1/lxc", params);
    expect([noForce.status, noForce.body.message]).toEqual([500, "CT 500 already exists on node 'pve1'\n"]);
    const running = await h.call("POST", "/nodes/pve1/lxc", { ...params, force: 1 });
    expect([running.status, running.body.message]).toEqual([500, "can't overwrite running container\n"]);

    await task("POST", "/nodes/pve1/lxc/500/status/stop");
    const upid = await start("POST", "/nodes/pve1/lxc", { ...params, force: 1 });
    expect(ct(500)?.lock).toBe("create");
    const done = await h.waitTask("pve1", upid);
    expect([done.exitstatus, done.type]).toEqual(["OK", "vzrestore"]);
    expect(ct(500)).toMatchObject({ status: "stopped", hostname: "app-five" });
    expect(await config(500)).toMatchObject({ cores: 2, memory: 1024, hostname: "app-five" });
    expect(String((await config(500)).rootfs)).toMatch(/^local-lvm:vm-500-disk-0,size=8G/);
    expect(h.sim.guestFile(500, "/root/before")?.content).toBe("before\n");
    expect(h.sim.guestFile(500, "/root/after")).toBeUndefined();
    const snaps = (await h.call("GET", "/nodes/pve1/lxc/500/snapshot")).body.data as Row[];
    expect(snaps.map((s) => s.name)).toEqual(["current"]); // snapshots are not part of a backup
    await task("POST", "/nodes/pve1/lxc/500/status/start");
    const ps = await exec(500, `docker compose -f ${DIR}/docker-compose.yml ps --format json`);
    expect(JSON.parse(ps.stdout.trim().split("\n")[0]!)).toMatchObject({ Service: "web", State: "running" });
  });

  it("restore - into a new VMID: a stopped copy with the given hostname; the source stays as it is", async () => {
    const archive = String((await newest("backup", 500)).volid);
    await exec(500, "echo source-only > /root/source-only");
    const done = await task("POST", "/nodes/pve1/lxc", {
      vmid: 600,
      ostemplate: archive,
      restore: 1,
      storage: "local-lvm",
      hostname: "app-six",
    });
    expect(done.exitstatus).toBe("OK");
    expect(ct(600)).toMatchObject({ status: "stopped", hostname: "app-six" });
    expect(await config(600)).toMatchObject({ cores: 2, memory: 1024 });
    expect(h.sim.guestFile(600, "/root/before")?.content).toBe("before\n");
    expect(h.sim.guestFile(600, `${DIR}/docker-compose.yml`)?.content).toBe(COMPOSE);
    expect(h.sim.guestFile(600, "/root/source-only")).toBeUndefined();
    expect(ct(500)).toMatchObject({ status: "running", hostname: "app-five" });
  });

  it("restore - a vanished archive fails before anything changed; a locked or protected CT is refused; a failure after the point of no return leaves no CT", async () => {
    const archive = String((await newest("backup", 500)).volid);
    expect(h.sim.removeVolume(archive)).toBe(true); // deleted behind Proximity's back
    expect((await backups("backup", 500)).map((b) => b.volid)).not.toContain(archive);
    expect(h.sim.removeVolume(archive)).toBe(false);

    const fresh = await task("POST", "/nodes/pve1/lxc", { vmid: 601, ostemplate: archive, restore: 1 });
    expect(fresh.exitstatus).toBe(`unable to restore CT 601 - can't find file '${archive}'`);
    expect(ct(601)).toBeUndefined();
    await task("POST", "/nodes/pve1/lxc/600/status/start");
    await task("POST", "/nodes/pve1/lxc/600/status/stop");
    const inPlace = await task("POST", "/nodes/pve1/lxc", {
      vmid: 600,
      ostemplate: archive,
      restore: 1,
      force: 1,
    });
    expect(inPlace.exitstatus).toBe(`unable to restore CT 600 - can't find file '${archive}'`);
    expect(ct(600)).toMatchObject({ hostname: "app-six" });
    expect(ct(600)?.lock).toBeUndefined();

    const other = String((await newest("backup", 500)).volid);
    const dumping = await start("POST", "/nodes/pve1/vzdump", { vmid: 600, storage: "backup" });
    const locked = await h.call("POST", "/nodes/pve1/lxc", {
      vmid: 600,
      ostemplate: other,
      restore: 1,
      force: 1,
    });
    expect(locked.body.message).toBe("unable to restore CT 600 - CT is locked (backup)\n");
    await h.waitTask("pve1", dumping);
    await h.call("PUT", "/nodes/pve1/lxc/600/config", { protection: 1 });
    const protectedCt = await h.call("POST", "/nodes/pve1/lxc", {
      vmid: 600,
      ostemplate: other,
      restore: 1,
      force: 1,
    });
    expect(protectedCt.body.message).toBe("unable to restore CT 600 - protection mode enabled\n");
    await h.call("PUT", "/nodes/pve1/lxc/600/config", { protection: 0 });

    h.sim.addFault({
      match: { taskType: "vzrestore" },
      effect: {
        kind: "task-failure",
        message: "unable to restore CT 600 - command 'tar xpf -' failed: exit code 2",
      },
    });
    const broken = await task("POST", "/nodes/pve1/lxc", {
      vmid: 600,
      ostemplate: other,
      restore: 1,
      force: 1,
    });
    expect(broken.exitstatus).toMatch(/^unable to restore CT 600 - /);
    expect(ct(600)).toBeUndefined(); // the old disks were already destroyed
  });

  it("content - protected archives cannot be deleted (the imgdel task fails); delete by URL-encoded volid; the /_sim hook removes one", async () => {
    await tick();
    await task("POST", "/nodes/pve1/vzdump", {
      vmid: 500,
      storage: "backup",
      protected: 1,
      "notes-template": "{{guestname}} ({{vmid}})",
    });
    const kept = await newest("backup", 500);
    expect(kept).toMatchObject({ protected: 1, notes: "app-five (500)" });
    const refused = await task("DELETE", content(String(kept.volid)));
    expect(refused.exitstatus).toBe(
      `cannot remove protected volume '${String(kept.volid).replace("backup:", "")}' on 'backup'`,
    );
    expect((await backups("backup", 500)).map((b) => b.volid)).toContain(kept.volid);
    expect((await h.call("PUT", content(String(kept.volid)), { protected: 0 })).status).toBe(200);
    expect((await task("DELETE", content(String(kept.volid)))).exitstatus).toBe("OK");
    expect((await backups("backup", 500)).map((b) => b.volid)).not.toContain(kept.volid);

    const victim = String((await newest("backup", 500)).volid);
    const viaHttp = await fetch(`${h.running.adminUrl}/_sim/volumes?volid=${encodeURIComponent(victim)}`, {
      method: "DELETE",
    });
    expect(viaHttp.status).toBe(200);
    expect((await backups("backup", 500)).map((b) => b.volid)).not.toContain(victim);
  });

  it("prune - keep-last keeps the newest per guest, protected ones always stay; the preview marks what the task removes", async () => {
    for (const b of await backups("backup")) h.sim.removeVolume(String(b.volid));
    for (let i = 0; i < 3; i++) {
      await tick();
      await task("POST", "/nodes/pve1/vzdump", {
        vmid: 500,
        storage: "backup",
        compress: "zstd",
        ...(i === 0 ? { protected: 1 } : {}),
      });
    }
    const [oldest, middle, latest] = (await backups("backup", 500)).sort(
      (a, b) => Number(a.ctime) - Number(b.ctime),
    );
    const preview = (
      await h.call("GET", "/nodes/pve1/storage/backup/prunebackups", {
        "prune-backups": "keep-last=1",
        vmid: 500,
      })
    ).body.data as Row[];
    expect(Object.fromEntries(preview.map((p) => [p.volid, p.mark]))).toEqual({
      [String(latest!.volid)]: "keep",
      [String(middle!.volid)]: "remove",
      [String(oldest!.volid)]: "protected",
    });
    const missing = await task("DELETE", "/nodes/pve1/storage/backup/prunebackups", { vmid: 500 });
    expect(missing.exitstatus).toBe("no prune-backups options configured for storage 'backup'");
    const pruned = await task("DELETE", "/nodes/pve1/storage/backup/prunebackups", {
      "prune-backups": "keep-last=1",
      vmid: 500,
      type: "lxc",
    });
    expect([pruned.exitstatus, pruned.id]).toEqual(["OK", "500@backup"]);
    expect((await backups("backup", 500)).map((b) => b.volid).sort()).toEqual(
      [oldest!.volid, latest!.volid].sort(),
    );

    // vzdump with remove=1 and prune-backups prunes after its own backup.
    await tick();
    const job = await task("POST", "/nodes/pve1/vzdump", {
      vmid: 500,
      storage: "backup",
      "prune-backups": "keep-last=1",
      remove: 1,
    });
    expect(await log(String(job.upid))).toContain(`removing backup '${latest!.volid}'`);
    expect((await backups("backup", 500)).length).toBe(2); // the protected one and the new one
  });
});
