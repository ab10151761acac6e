/**
 * UpdateHost under a concurrent re-point (review: credentials written before the locked check). A
 * credential rotation whose secret write is slow must not let another update re-point the host in
 * between: the rotated secret would then belong to the new address, which the rotation never saw.
 * The use-case is driven directly, with a credential store the test holds at the write.
 */
import { hostsV1 } from "@proximity/proto";
import { testLogger } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostsDeps } from "../src/app/deps.js";
import type { CredentialStore } from "../src/app/ports.js";
import { updateHost } from "../src/app/update-host.js";
import { findHostById } from "../src/db/host.repository.js";
import { ADMIN, hostRequest, type Stack, startStack } from "./fixture.js";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

/** Every secret write that completed, in order. */
const written: { name: string; value: string }[] = [];

const recording = (before?: () => Promise<void>): CredentialStore => ({
  put: async (name, value) => {
    await before?.();
    written.push({ name, value: value.toString("utf8") });
  },
  remove: async () => {},
});

const depsWith = (credentials: CredentialStore): HostsDeps => ({
  db: stack.db,
  credentials,
  appsOnHost: {
    count: async () => 0,
    retire: async () => {},
    reinstate: async () => {},
  },
  policy: { allowInsecureHttp: false },
});

const meta = (actor: string) => ({ traceparent: "", log: testLogger("hosts"), actor });

describe("hosts - update under a concurrent re-point", () => {
  it("update race - a re-point cannot commit between a rotation's check and its commit; the secret goes with the address it was checked for", async () => {
    const { host } = await stack.hostsAs("api-gateway").createHost(hostRequest(), ADMIN);
    const id = host!.id;
    const apiSecretName = (await findHostById(stack.db, id))!.api_secret_name;

    let reached!: () => void;
    const atWrite = new Promise<void>((resolve) => {
      reached = resolve;
    });
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    // The admin rotates the API secret; its write to the secrets service is held.
    const rotation = updateHost(
      depsWith(
        recording(async () => {
          reached();
          await held;
        }),
      ),
      hostsV1.UpdateHostRequest.fromPartial({ id, credentials: { apiSecret: "the-real-secret" } }),
      meta("admin-1"),
    );
    await atWrite;
    // Meanwhile someone re-points the host, with a secret of their own.
    const repoint = updateHost(
      depsWith(recording()),
      hostsV1.UpdateHostRequest.fromPartial({
        id,
        address: "evil.example",
        credentials: { apiSecret: "attacker-secret" },
      }),
      meta("admin-evil"),
    );
    const whileHeld = await Promise.race([
      repoint.then(() => "re-point committed"),
      new Promise((resolve) => setTimeout(() => resolve("re-point waiting"), 500)),
    ]);
    release();
    await rotation;
    await repoint;

    expect(whileHeld).toBe("re-point waiting");
    expect((await findHostById(stack.db, id))?.address).toBe("evil.example");
    // The secret stored last, which the provisioner now sends to evil.example, is the one given
    // with the re-point, never the rotated one.
    expect(written.filter((w) => w.name === apiSecretName).map((w) => w.value)).toEqual([
      "the-real-secret",
      "attacker-secret",
    ]);
  });
});
