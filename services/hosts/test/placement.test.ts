import { ConflictError, NotFoundError, PermissionDeniedError, ValidationError } from "@proximity/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, hostRequest, type Stack, sshFingerprint, startStack } from "./fixture.js";

let stack: Stack;
const GiB = 1024 ** 3;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

const node = (name: string) => ({
  name,
  sshHost: "127.0.0.1",
  sshPort: 22,
  sshHostKeyFingerprint: sshFingerprint(),
  trustOnFirstUse: false,
});

async function setNode(hostId: string, name: string, status: string, usedGiB: number, maxGiB: number) {
  await stack.db
    .updateTable("nodes")
    .set({ status, mem_bytes: usedGiB * GiB, max_mem_bytes: maxGiB * GiB })
    .where("host_id", "=", hostId)
    .where("name", "=", name)
    .execute();
}

describe("ResolvePlacement", () => {
  it("ResolvePlacement - no host at all is a conflict", async () => {
    const err = await stack
      .hostsAs("applications")
      .resolvePlacement({ hostId: "", node: "" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConflictError);
    expect((err as Error).message).toBe("No Proxmox host is configured");
  });

  it("ResolvePlacement - automatic, explicit and invalid choices", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const apps = stack.hostsAs("applications");
    const { host: a } = await gateway.createHost(
      hostRequest({ name: "alpha", nodes: [node("a1"), node("a2")] }),
      ADMIN,
    );
    const { host: b } = await gateway.createHost(
      hostRequest({ name: "beta", nodes: [node("b1"), node("a2")] }),
      ADMIN,
    );
    await setNode(a!.id, "a1", "online", 2, 16); // 14 GiB free
    await setNode(a!.id, "a2", "offline", 0, 64); // offline: never chosen automatically
    await setNode(b!.id, "b1", "online", 1, 8); // 7 GiB free
    await setNode(b!.id, "a2", "online", 0, 4);

    expect(await apps.resolvePlacement({ hostId: "", node: "" })).toEqual({ hostId: a!.id, node: "a1" });
    await stack.db.updateTable("hosts").set({ status: "unreachable" }).where("id", "=", a!.id).execute();
    expect(await apps.resolvePlacement({ hostId: "", node: "" })).toEqual({ hostId: b!.id, node: "b1" });

    // Explicit choices are honoured as given when they exist.
    expect(await apps.resolvePlacement({ hostId: a!.id, node: "a2" })).toEqual({ hostId: a!.id, node: "a2" });
    expect(await apps.resolvePlacement({ hostId: b!.id, node: "" })).toEqual({ hostId: b!.id, node: "b1" });
    expect(await apps.resolvePlacement({ hostId: "", node: "b1" })).toEqual({ hostId: b!.id, node: "b1" });

    const fieldOf = async (req: { hostId: string; node: string }) => {
      const err = await apps.resolvePlacement(req).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ValidationError);
      return (err as ValidationError).fieldErrors[0]?.field;
    };
    expect(await fieldOf({ hostId: a!.id, node: "b1" })).toBe("node");
    expect(await fieldOf({ hostId: "", node: "zz" })).toBe("node");
    expect(await fieldOf({ hostId: "", node: "a2" })).toBe("node"); // on both hosts: ambiguous
    expect(await fieldOf({ hostId: "not-a-uuid", node: "" })).toBe("host_id");
    await expect(
      apps.resolvePlacement({ hostId: "00000000-0000-4000-8000-000000000000", node: "" }),
    ).rejects.toBeInstanceOf(NotFoundError);

    await stack.db.updateTable("nodes").set({ status: "offline" }).execute();
    await expect(apps.resolvePlacement({ hostId: "", node: "" })).rejects.toThrow(
      "No reachable Proxmox node is available",
    );
  });

  it("ResolvePlacement - only the applications service may ask", async () => {
    await expect(
      stack.hostsAs("api-gateway").resolvePlacement({ hostId: "", node: "" }, ADMIN),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
  });
});
