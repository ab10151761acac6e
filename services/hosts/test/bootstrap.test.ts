import { ConfigError } from "@proximity/config";
import { hostsV1 } from "@proximity/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadHostsConfig } from "../src/index.js";
import { ADMIN, hostRequest, liveSecretNames, type Stack, startStack } from "./fixture.js";

let stack: Stack;
const bootstrap = hostRequest({ name: "simulator" });
// The documented format: proto3 JSON of a CreateHostRequest (snake_case names are accepted too).
const BOOTSTRAP_HOST_JSON = JSON.stringify(hostsV1.CreateHostRequest.toJSON(bootstrap));

beforeAll(async () => {
  stack = await startStack({ BOOTSTRAP_HOST_JSON });
});

afterAll(async () => {
  await stack?.stop();
});

describe("bootstrap host", () => {
  it("bootstrap - registers the host at start, credentials in the secrets service", async () => {
    const { items } = await stack.hostsAs("api-gateway").listHosts({}, ADMIN);
    expect(items.map((h) => h.name)).toEqual(["simulator"]);
    const api = await stack.secretsAs("provisioner").getSecret({ name: `proxmox/hosts/${items[0]!.id}/api` });
    expect(api.value.toString()).toBe(bootstrap.credentials!.apiSecret);
  });

  it("bootstrap - idempotent across restarts and racing replicas", async () => {
    const secretsBefore = await liveSecretNames(stack.db);
    const replicas = await Promise.all([stack.startHosts(), stack.startHosts()]);
    const again = await stack.startHosts();
    for (const r of [...replicas, again]) await r.service.stop();
    const { items } = await stack.hostsAs("api-gateway").listHosts({}, ADMIN);
    expect(items.map((h) => h.name)).toEqual(["simulator"]);
    // A replica that lost the race removed the credentials it had written.
    expect(await liveSecretNames(stack.db)).toEqual(secretsBefore);
  });

  it("bootstrap - a changed declaration brings the existing host up to date (no stale keys or secrets)", async () => {
    const node = bootstrap.nodes[0]!;
    const changed = {
      ...bootstrap,
      port: 8443,
      nodes: [{ ...node, sshHostKeyFingerprint: `SHA256:${"B".repeat(43)}` }],
      credentials: { ...bootstrap.credentials!, apiSecret: "rotated-api-secret-0000" },
    };
    const replica = await stack.startHosts({
      BOOTSTRAP_HOST_JSON: JSON.stringify(hostsV1.CreateHostRequest.toJSON(changed)),
    });
    await replica.service.stop();
    const { items } = await stack.hostsAs("api-gateway").listHosts({}, ADMIN);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ name: "simulator", port: 8443 });
    expect(items[0]!.nodes[0]!.sshHostKeyFingerprint).toBe(`SHA256:${"B".repeat(43)}`);
    const api = await stack.secretsAs("provisioner").getSecret({ name: `proxmox/hosts/${items[0]!.id}/api` });
    expect(api.value.toString()).toBe("rotated-api-secret-0000");
  });

  it("bootstrap - snake_case JSON works too; invalid content refuses to start, naming the variable", async () => {
    const snake = {
      name: "snake",
      address: "127.0.0.1",
      auth_mode: "AUTH_MODE_PASSWORD",
      username: "root@pam",
      insecure_http: false,
      nodes: [
        {
          name: "pve",
          ssh_host: "127.0.0.1",
          ssh_port: 22,
          ssh_host_key_fingerprint: bootstrap.nodes[0]!.sshHostKeyFingerprint,
        },
      ],
      credentials: { api_secret: "pw", ssh_password: "pw" },
    };
    const replica = await stack.startHosts({ BOOTSTRAP_HOST_JSON: JSON.stringify(snake) });
    await replica.service.stop();
    const { items } = await stack.hostsAs("api-gateway").listHosts({}, ADMIN);
    expect(items.find((h) => h.name === "snake")?.authMode).toBe(hostsV1.AuthMode.AUTH_MODE_PASSWORD);

    const invalid = stack.startHosts({
      BOOTSTRAP_HOST_JSON: JSON.stringify({ ...snake, name: "other", nodes: [] }),
    });
    await expect(invalid).rejects.toBeInstanceOf(ConfigError);
    await expect(invalid).rejects.toThrow(/BOOTSTRAP_HOST_JSON: nodes must list at least one node/);
    expect(() =>
      loadHostsConfig({ DATABASE_URL: "postgres://x", SERVICE_KEYS_DIR: "-", BOOTSTRAP_HOST_JSON: "{" }),
    ).toThrow(/BOOTSTRAP_HOST_JSON: must be a JSON object/);
  });
});
