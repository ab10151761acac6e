import {
  AlreadyExistsError,
  ConflictError,
  NotFoundError,
  PermissionDeniedError,
  ValidationError,
} from "@proximity/errors";
import { hostsV1 } from "@proximity/proto";
import { eventually } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ADMIN,
  dumpSchema,
  hostEvents,
  hostRequest,
  liveSecretNames,
  NOT_ADMIN,
  type Stack,
  startStack,
} from "./fixture.js";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

describe("hosts service", () => {
  it("CreateHost - stores the host, hands credentials to the secrets service, keeps none itself", async () => {
    const req = hostRequest();
    const { host } = await stack.hostsAs("api-gateway").createHost(req, ADMIN);
    expect(host).toMatchObject({
      name: req.name,
      address: "127.0.0.1",
      port: 8006,
      authMode: hostsV1.AuthMode.AUTH_MODE_API_TOKEN,
      username: "root@pam!proximity",
      status: "unknown",
      sshUsername: "root",
      backupStorage: "local",
      nodes: [expect.objectContaining({ name: "pve1", sshPort: 2222, status: "unknown" })],
    });

    const text = await dumpSchema(stack.db, "hosts");
    expect(text).toContain(req.name);
    for (const secret of [
      req.credentials!.apiSecret,
      req.credentials!.sshPassword,
      req.credentials!.sshPrivateKey,
    ])
      expect(text).not.toContain(secret);

    const provisioner = stack.secretsAs("provisioner");
    const api = await provisioner.getSecret({ name: `proxmox/hosts/${host!.id}/api` });
    expect(api.value.toString("utf8")).toBe(req.credentials!.apiSecret);
    const ssh = JSON.parse(
      (await provisioner.getSecret({ name: `proxmox/hosts/${host!.id}/ssh` })).value.toString("utf8"),
    );
    expect(ssh).toEqual({
      password: req.credentials!.sshPassword,
      privateKey: req.credentials!.sshPrivateKey,
    });
    await expect(
      stack.secretsAs("hosts").getSecret({ name: `proxmox/hosts/${host!.id}/api` }),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it("CreateHost - HostRegistered reaches the HOSTS stream through the outbox", async () => {
    const { host } = await stack.hostsAs("api-gateway").createHost(hostRequest(), ADMIN);
    const events = await eventually(async () => {
      const all = await hostEvents(stack.bus);
      return all.some((e) => e.hostId === host!.id) && all;
    });
    expect(events.filter((e) => e.hostId === host!.id)).toEqual([
      { type: "HostRegistered", hostId: host!.id, name: host!.name },
    ]);
  });

  it("CreateHost - only administrators, only through the gateway", async () => {
    await expect(stack.hostsAs("api-gateway").createHost(hostRequest(), NOT_ADMIN)).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    await expect(stack.hostsAs("api-gateway").createHost(hostRequest())).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    await expect(stack.hostsAs("applications").createHost(hostRequest(), ADMIN)).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    await expect(stack.hostsAs("api-gateway").listHosts({}, NOT_ADMIN)).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
  });

  it("CreateHost - a taken name is AlreadyExists and leaves no credentials behind", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const req = hostRequest();
    await gateway.createHost(req, ADMIN);
    const before = await liveSecretNames(stack.db);
    await expect(gateway.createHost(hostRequest({ name: req.name }), ADMIN)).rejects.toBeInstanceOf(
      AlreadyExistsError,
    );
    expect(await liveSecretNames(stack.db)).toEqual(before);
  });

  it("CreateHost - invalid input is a ValidationError naming the fields", async () => {
    const err = await stack
      .hostsAs("api-gateway")
      .createHost(
        hostRequest({
          name: "UPPER",
          port: 0,
          nodes: [],
          credentials: { apiSecret: "", sshPassword: "", sshPrivateKey: "" },
        }),
        ADMIN,
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fieldErrors.map((f) => f.field)).toEqual([
      "name",
      "nodes",
      "credentials.api_secret",
      "credentials",
    ]);
  });

  it("ListHosts/GetHost/ListNodes - admin views without credentials", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const { host } = await gateway.createHost(hostRequest(), ADMIN);
    expect((await gateway.getHost({ id: host!.id }, ADMIN)).host).toEqual(host);
    expect((await gateway.listHosts({}, ADMIN)).items.map((h) => h.id)).toContain(host!.id);
    expect(
      (await gateway.listNodes({ hostId: host!.id }, ADMIN)).items.map((n) => [n.hostId, n.name]),
    ).toEqual([[host!.id, "pve1"]]);
    expect((await gateway.listNodes({ hostId: "" }, ADMIN)).items.length).toBeGreaterThan(1);
    await expect(
      gateway.getHost({ id: "00000000-0000-4000-8000-000000000000" }, ADMIN),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(gateway.getHost({ id: "nope" }, ADMIN)).rejects.toBeInstanceOf(ValidationError);
  });

  it("DeleteHost - refused while the applications service refuses to retire the host", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const { host } = await gateway.createHost(hostRequest(), ADMIN);
    stack.appCounts.set(host!.id, 2);
    const err = await gateway.deleteHost({ id: host!.id }, ADMIN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toBe("2 apps are still live on this host");
    expect(stack.applicationsCalls).toContain(`RetireHost ${host!.id}`);
    expect((await gateway.getHost({ id: host!.id }, ADMIN)).host?.id).toBe(host!.id);
    expect(await liveSecretNames(stack.db)).toContain(`proxmox/hosts/${host!.id}/api`);
  });

  it("DeleteHost - without apps the host, its nodes and its secrets are gone, HostRemoved and HostConnectionChanged published", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const { host } = await gateway.createHost(hostRequest(), ADMIN);
    await gateway.deleteHost({ id: host!.id }, ADMIN);
    await expect(gateway.getHost({ id: host!.id }, ADMIN)).rejects.toBeInstanceOf(NotFoundError);
    // Retired at the applications service first (no placement can race the delete); not reinstated.
    expect(stack.applicationsCalls).toContain(`RetireHost ${host!.id}`);
    expect(stack.applicationsCalls).not.toContain(`ReinstateHost ${host!.id}`);
    expect((await gateway.listNodes({ hostId: host!.id }, ADMIN)).items).toEqual([]);
    await expect(
      stack.secretsAs("provisioner").getSecret({ name: `proxmox/hosts/${host!.id}/api` }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await liveSecretNames(stack.db)).filter((n) => n.includes(host!.id))).toEqual([]);
    await eventually(async () =>
      (await hostEvents(stack.bus)).some((e) => e.type === "HostRemoved" && e.hostId === host!.id),
    );
    // The provisioner's replicas drop the host's record (HostRemoved is the public fact).
    await eventually(async () =>
      (await hostEvents(stack.bus)).some((e) => e.type === "HostConnectionChanged" && e.hostId === host!.id),
    );
    await expect(gateway.deleteHost({ id: host!.id }, ADMIN)).rejects.toBeInstanceOf(NotFoundError);
  });

  it("GetHostConnection - the provisioner gets endpoints and secret names; nobody else", async () => {
    const { host } = await stack.hostsAs("api-gateway").createHost(hostRequest(), ADMIN);
    const conn = await stack.hostsAs("provisioner").getHostConnection({ hostId: host!.id });
    expect(conn).toEqual({
      host,
      apiSecretName: `proxmox/hosts/${host!.id}/api`,
      sshSecretName: `proxmox/hosts/${host!.id}/ssh`,
      tlsCaPem: "",
    });
    for (const caller of ["api-gateway", "applications", "backups"] as const)
      await expect(
        stack.hostsAs(caller).getHostConnection({ hostId: host!.id }, ADMIN),
      ).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it("backup_storage - set on create, kept by an empty update, changed by a valid one, returned to the provisioner", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const { host } = await gateway.createHost(hostRequest({ backupStorage: "nfs-backups" }), ADMIN);
    expect(host?.backupStorage).toBe("nfs-backups");
    const kept = await gateway.updateHost(
      {
        ...updateOf(host!.id),
        port: 8007,
        credentials: { apiSecret: "api", sshPassword: "", sshPrivateKey: "" },
      },
      ADMIN,
    );
    expect(kept.host).toMatchObject({ port: 8007, backupStorage: "nfs-backups" });
    const changed = await gateway.updateHost({ ...updateOf(host!.id), backupStorage: "pbs_1" }, ADMIN);
    expect(changed.host?.backupStorage).toBe("pbs_1");
    const conn = await stack.hostsAs("provisioner").getHostConnection({ hostId: host!.id });
    expect(conn.host?.backupStorage).toBe("pbs_1");
  });

  it("backup_storage - an invalid storage id is a ValidationError on create and update, nothing changes", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const created = await gateway
      .createHost(hostRequest({ backupStorage: "Bad Storage" }), ADMIN)
      .catch((e: unknown) => e);
    expect(created).toBeInstanceOf(ValidationError);
    expect((created as ValidationError).fieldErrors.map((f) => f.field)).toEqual(["backup_storage"]);
    const { host } = await gateway.createHost(hostRequest(), ADMIN);
    const updated = await gateway
      .updateHost({ ...updateOf(host!.id), backupStorage: `x${"y".repeat(64)}` }, ADMIN)
      .catch((e: unknown) => e);
    expect(updated).toBeInstanceOf(ValidationError);
    expect((updated as ValidationError).fieldErrors.map((f) => f.field)).toEqual(["backup_storage"]);
    expect((await gateway.getHost({ id: host!.id }, ADMIN)).host?.backupStorage).toBe("local");
  });
});

/** An UpdateHost request changing nothing. */
function updateOf(id: string): hostsV1.UpdateHostRequest {
  return hostsV1.UpdateHostRequest.fromPartial({ id });
}
