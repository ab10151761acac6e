import { Events } from "@proximity/bus";
import { PermissionDeniedError, ValidationError } from "@proximity/errors";
import type { hostsV1 } from "@proximity/proto";
import { eventually } from "@proximity/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  dumpSchema,
  hostEvents,
  hostRequest,
  NOT_ADMIN,
  publishHostChecked,
  type Stack,
  sshFingerprint,
  startStack,
} from "./fixture.js";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

const pve1Report = {
  name: "pve1",
  status: "online",
  cpu: 0.125,
  maxCpu: 8,
  memBytes: 2 * 1024 ** 3,
  maxMemBytes: 16 * 1024 ** 3,
  diskBytes: 10 * 1024 ** 3,
  maxDiskBytes: 100 * 1024 ** 3,
  uptimeSeconds: 3600,
  sshHostKeyFingerprint: "",
};

describe("hosts - update", () => {
  it("UpdateHost - changes settings, replaces the secrets the provisioner reads, stores none", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const { host } = await gateway.createHost(hostRequest(), ADMIN);
    const credentials = { apiSecret: "api-rotated-7f3a", sshPassword: "pw-rotated-9c1d", sshPrivateKey: "" };
    const { host: updated } = await gateway.updateHost(
      {
        id: host!.id,
        address: "10.1.2.3",
        port: 8443,
        username: "",
        tlsFingerprint: "",
        tlsCaPem: "",
        backupStorage: "",
        sshUsername: "",
        insecureHttp: false,
        nodes: [],
        credentials,
      },
      ADMIN,
    );
    expect(updated).toMatchObject({
      name: host!.name,
      address: "10.1.2.3",
      port: 8443,
      insecureHttp: false,
      username: host!.username,
      nodes: [expect.objectContaining({ name: "pve1", sshPort: 2222 })],
    });
    const provisioner = stack.secretsAs("provisioner");
    const api = await provisioner.getSecret({ name: `proxmox/hosts/${host!.id}/api` });
    expect(api.value.toString("utf8")).toBe("api-rotated-7f3a");
    const ssh = await provisioner.getSecret({ name: `proxmox/hosts/${host!.id}/ssh` });
    expect(JSON.parse(ssh.value.toString("utf8"))).toEqual({ password: "pw-rotated-9c1d" });
    await expect(
      stack.secretsAs("hosts").getSecret({ name: `proxmox/hosts/${host!.id}/api` }),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
    const dump = await dumpSchema(stack.db, "hosts");
    expect(dump).not.toContain("api-rotated-7f3a");
    expect(dump).not.toContain("pw-rotated-9c1d");
    // The provisioner's replicas are told to read the host's record again (once: creating it told none).
    const changed = async () =>
      (await hostEvents(stack.bus)).filter(
        (e) => e.type === "HostConnectionChanged" && e.hostId === host!.id,
      );
    await eventually(async () => (await changed()).length > 0);
    expect(await changed()).toHaveLength(1);
  });

  it("UpdateHost - credentials not given stay; nodes given (with the SSH credentials) replace the endpoints", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const req = hostRequest();
    const { host } = await gateway.createHost(req, ADMIN);
    const fingerprint = sshFingerprint();
    const { host: updated } = await gateway.updateHost(
      hostRequestUpdate(host!.id, {
        nodes: [
          {
            name: "pve2",
            sshHost: "10.0.0.9",
            sshPort: 22,
            sshHostKeyFingerprint: fingerprint,
            trustOnFirstUse: false,
          },
        ],
        credentials: { apiSecret: "", sshPassword: "ssh-again", sshPrivateKey: "" },
      }),
      ADMIN,
    );
    expect(updated!.nodes.map((n) => [n.name, n.sshHost, n.sshHostKeyFingerprint])).toEqual([
      ["pve2", "10.0.0.9", fingerprint],
    ]);
    const api = await stack.secretsAs("provisioner").getSecret({ name: `proxmox/hosts/${host!.id}/api` });
    expect(api.value.toString("utf8")).toBe(req.credentials!.apiSecret);
    const ssh = await stack.secretsAs("provisioner").getSecret({ name: `proxmox/hosts/${host!.id}/ssh` });
    expect(JSON.parse(ssh.value.toString("utf8"))).toEqual({ password: "ssh-again" });
  });

  it("UpdateHost - a change without credentials tells the provisioner too; a rejected one tells it nothing", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const { host } = await gateway.createHost(hostRequest(), ADMIN);
    const changed = async () =>
      (await hostEvents(stack.bus)).filter(
        (e) => e.type === "HostConnectionChanged" && e.hostId === host!.id,
      );
    await expect(
      gateway.updateHost(hostRequestUpdate(host!.id, { address: "not an address!" }), ADMIN),
    ).rejects.toBeInstanceOf(ValidationError);
    const { host: updated } = await gateway.updateHost(
      hostRequestUpdate(host!.id, { backupStorage: "nfs-backups" }),
      ADMIN,
    );
    expect(updated?.backupStorage).toBe("nfs-backups");
    await eventually(async () => (await changed()).length > 0);
    expect(await changed()).toHaveLength(1);
  });

  it("UpdateHost - validated like CreateHost, admin only, and a rejected update changes nothing", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const { host } = await gateway.createHost(hostRequest(), ADMIN);
    const err = await gateway
      .updateHost(
        hostRequestUpdate(host!.id, {
          address: "not an address!",
          username: "no-token-id",
          nodes: [
            {
              name: "Bad Name",
              sshHost: "x",
              sshPort: 0,
              sshHostKeyFingerprint: "md5",
              trustOnFirstUse: false,
            },
          ],
          credentials: { apiSecret: "api-never-written", sshPassword: "", sshPrivateKey: "" },
        }),
        ADMIN,
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fieldErrors.map((f) => f.field)).toEqual([
      "address",
      "username",
      "nodes[0].name",
      "nodes[0].ssh_host_key_fingerprint",
    ]);
    const api = await stack.secretsAs("provisioner").getSecret({ name: `proxmox/hosts/${host!.id}/api` });
    expect(api.value.toString("utf8")).not.toBe("api-never-written");
    expect((await gateway.getHost({ id: host!.id }, ADMIN)).host).toEqual(host);
    await expect(
      gateway.updateHost(hostRequestUpdate(host!.id, { address: "10.9.9.9" }), NOT_ADMIN),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
  });
});

describe("hosts - checks", () => {
  it("CheckHost - records HostCheckRequested with the returned check id; admin only", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const { host } = await gateway.createHost(hostRequest(), ADMIN);
    const { checkId } = await gateway.checkHost({ id: host!.id }, ADMIN);
    const requested = await eventually(async () =>
      (await hostEvents(stack.bus)).find((e) => e.type === "HostCheckRequested" && e.hostId === host!.id),
    );
    expect(requested).toEqual({ type: "HostCheckRequested", hostId: host!.id, checkId });
    await expect(gateway.checkHost({ id: host!.id }, NOT_ADMIN)).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
  });

  it("CheckHost - operators (sre) request a check and read the host without an end user; nothing more", async () => {
    const { host } = await stack.hostsAs("api-gateway").createHost(hostRequest(), ADMIN);
    const sre = stack.hostsAs("sre");
    const { checkId } = await sre.checkHost({ id: host!.id });
    await eventually(async () =>
      (await hostEvents(stack.bus)).find((e) => e.type === "HostCheckRequested" && e.checkId === checkId),
    );
    expect((await sre.getHost({ id: host!.id })).host).toMatchObject({ id: host!.id, name: host!.name });
    // Least privilege: the rest of the API stays the gateway's (and the provisioner's).
    await expect(sre.listHosts({})).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(sre.getHostConnection({ hostId: host!.id })).rejects.toBeInstanceOf(PermissionDeniedError);
    await expect(stack.hostsAs("backups").checkHost({ id: host!.id })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
  });

  it("HostChecked - reachable: status, version and node stats are stored, status changes published", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const { host } = await gateway.createHost(hostRequest(), ADMIN);
    await publishHostChecked(stack, {
      hostId: host!.id,
      reachable: true,
      pveVersion: "9.1.3",
      nodes: [pve1Report, { ...pve1Report, name: "not-registered" }],
    });
    const checked = await eventually(async () => {
      const { host: h } = await gateway.getHost({ id: host!.id }, ADMIN);
      return h?.status === "reachable" && h;
    });
    expect(checked).toMatchObject({ pveVersion: "9.1.3", lastCheckedAt: expect.any(Date) });
    expect(checked.lastCheckError).toBeUndefined();
    expect(checked.nodes).toEqual([
      expect.objectContaining({ name: "pve1", status: "online", cpu: 0.125, memBytes: 2 * 1024 ** 3 }),
    ]);
    const stored = await stack.db
      .selectFrom("nodes")
      .select(["max_cpu", "disk_bytes", "max_disk_bytes", "uptime_seconds"])
      .where("host_id", "=", host!.id)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({
      max_cpu: 8,
      disk_bytes: 10 * 1024 ** 3,
      max_disk_bytes: 100 * 1024 ** 3,
      uptime_seconds: 3600,
    });
    const changes = await eventually(async () => {
      const mine = (await hostEvents(stack.bus)).filter(
        (e) => e.hostId === host!.id && e.type.endsWith("StatusChanged"),
      );
      return mine.length >= 2 && mine;
    });
    expect(changes).toEqual([
      expect.objectContaining({ type: "HostStatusChanged", previousStatus: "unknown", status: "reachable" }),
      expect.objectContaining({
        type: "NodeStatusChanged",
        node: "pve1",
        previousStatus: "unknown",
        status: "online",
      }),
    ]);
  });

  it("HostChecked - unreachable: marked with a safe error, nodes and apps untouched", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const { host } = await gateway.createHost(hostRequest(), ADMIN);
    stack.appCounts.set(host!.id, 3);
    await publishHostChecked(stack, {
      hostId: host!.id,
      reachable: true,
      pveVersion: "9.1.3",
      nodes: [pve1Report],
    });
    await eventually(
      async () => (await gateway.getHost({ id: host!.id }, ADMIN)).host?.status === "reachable",
    );
    stack.applicationsCalls.length = 0;
    // Its next periodic check an hour away.
    await sql`update hosts set next_check_at = now() + interval '1 hour' where id = ${host!.id}`.execute(
      stack.db,
    );
    await publishHostChecked(stack, {
      hostId: host!.id,
      reachable: false,
      error: "Proxmox host did not answer",
    });
    const down = await eventually(async () => {
      const { host: h } = await gateway.getHost({ id: host!.id }, ADMIN);
      return h?.status === "unreachable" && h;
    });
    expect(down.lastCheckError).toBe("Proxmox host did not answer");
    // Checked again within HOST_RECHECK_UNREACHABLE_MS (10 s), not a whole interval later.
    const next = await sql<{ due_in_s: number }>`
      select extract(epoch from next_check_at - now())::float8 as due_in_s from hosts where id = ${host!.id}`.execute(
      stack.db,
    );
    expect(next.rows[0]!.due_in_s).toBeLessThanOrEqual(10);
    expect(down.pveVersion).toBe("9.1.3");
    expect(down.nodes[0]).toMatchObject({ status: "online", memBytes: 2 * 1024 ** 3 });
    const change = await eventually(async () =>
      (await hostEvents(stack.bus)).find(
        (e) => e.hostId === host!.id && e.type === "HostStatusChanged" && e.status === "unreachable",
      ),
    );
    expect(change).toMatchObject({ previousStatus: "reachable", reason: "Proxmox host did not answer" });
    // Nothing about the host's apps was asked or decided: the applications service saw no call.
    expect(stack.applicationsCalls).toEqual([]);
    const nodeEvents = (await hostEvents(stack.bus)).filter(
      (e) => e.hostId === host!.id && e.type === "NodeStatusChanged",
    );
    expect(nodeEvents).toHaveLength(1);
  });
});

describe("hosts - periodic checks", () => {
  it("periodic checks - two replicas request each host once per interval", { timeout: 30_000 }, async () => {
    const interval = 800;
    const periodic = await startStack({ HOST_CHECK_INTERVAL_MS: String(interval) });
    try {
      const second = await periodic.startHosts();
      try {
        const gateway = periodic.hostsAs("api-gateway");
        const ids = [
          (await gateway.createHost(hostRequest(), ADMIN)).host!.id,
          (await gateway.createHost(hostRequest(), ADMIN)).host!.id,
        ];
        await new Promise((r) => setTimeout(r, interval * 4));
        const { rows } = await sql<{ created_at: Date; payload: Buffer }>`
          select created_at, payload from hosts.outbox
          where type = ${Events.HostCheckRequested.type} order by seq`.execute(periodic.db);
        for (const id of ids) {
          const times = rows.filter((r) => decodeHostId(r.payload) === id).map((r) => r.created_at.getTime());
          // ~4 intervals observed: at least 3 rounds, never two requests within one interval.
          expect(times.length, `requests for ${id}`).toBeGreaterThanOrEqual(3);
          expect(times.length, `requests for ${id}`).toBeLessThanOrEqual(5);
          for (let i = 1; i < times.length; i++)
            expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(interval - 1);
        }
      } finally {
        await second.service.stop();
      }
    } finally {
      await periodic.stop();
    }
  });
});

describe("hosts - periodic checks at scale", () => {
  it("periodic checks - hosts registered together are requested a share per round, each once per interval", {
    timeout: 30_000,
  }, async () => {
    const interval = 2_000; // rounds every 500 ms: at most ceil(20 × 1.5 × 0.25) + 1 = 9 per round
    const periodic = await startStack({ HOST_CHECK_INTERVAL_MS: String(interval) });
    try {
      // Registered while due checks wait (created with next_check_at in the future: none due yet).
      const gateway = periodic.hostsAs("api-gateway");
      const ids = [];
      for (let i = 0; i < 20; i++) ids.push((await gateway.createHost(hostRequest(), ADMIN)).host!.id);
      await sql`update hosts.hosts set next_check_at = now() - interval '1 second'`.execute(periodic.db);
      const since = Date.now();
      await new Promise((r) => setTimeout(r, interval * 2.5));
      const { rows } = await sql<{ created_at: Date; payload: Buffer }>`
        select created_at, payload from hosts.outbox
        where type = ${Events.HostCheckRequested.type} and created_at >= ${new Date(since)} order by seq`.execute(
        periodic.db,
      );
      const rounds = new Map<number, number>();
      for (const r of rows) {
        const round = Math.floor(r.created_at.getTime() / 100); // one round's inserts share a transaction time
        rounds.set(round, (rounds.get(round) ?? 0) + 1);
      }
      expect(Math.max(...rounds.values())).toBeLessThanOrEqual(9);
      for (const id of ids) {
        const times = rows.filter((r) => decodeHostId(r.payload) === id).map((r) => r.created_at.getTime());
        expect(times.length, `requests for ${id}`).toBeGreaterThanOrEqual(2);
        for (let i = 1; i < times.length; i++)
          expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(interval - 1);
      }
    } finally {
      await periodic.stop();
    }
  });
});

function hostRequestUpdate(id: string, over: Partial<hostsV1.UpdateHostRequest>): hostsV1.UpdateHostRequest {
  return {
    id,
    address: "",
    port: 0,
    username: "",
    tlsFingerprint: "",
    tlsCaPem: "",
    sshUsername: "",
    nodes: [],
    credentials: undefined,
    backupStorage: "",
    ...over,
  };
}

function decodeHostId(payload: Buffer): string {
  return Events.HostCheckRequested.codec.decode(payload).hostId;
}
