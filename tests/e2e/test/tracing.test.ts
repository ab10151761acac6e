import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { eventually, testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type Platform, startPlatform } from "../src/index.js";

/** One span as OTLP/HTTP JSON carries it, with its service (the resource's service.name). */
interface ReceivedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly start: bigint;
  readonly attributes: Readonly<Record<string, unknown>>;
}

interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}
interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind: number;
        startTimeUnixNano: string;
        attributes?: OtlpAttribute[];
      }[];
    }[];
  }[];
}

const attributesOf = (list: OtlpAttribute[] | undefined): Record<string, unknown> =>
  Object.fromEntries((list ?? []).map((a) => [a.key, Object.values(a.value)[0]]));

/** A tiny OTLP/HTTP receiver (JSON encoding): every span the platform exports, in arrival order. */
async function startReceiver(): Promise<{ server: Server; endpoint: string; spans: ReceivedSpan[] }> {
  const spans: ReceivedSpan[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      if (req.url === "/v1/traces" && req.method === "POST") {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as OtlpRequest;
        for (const rs of body.resourceSpans ?? []) {
          const service = String(attributesOf(rs.resource?.attributes)["service.name"]);
          for (const ss of rs.scopeSpans ?? [])
            for (const s of ss.spans ?? [])
              spans.push({
                service,
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId ?? "",
                name: s.name,
                kind: s.kind,
                start: BigInt(s.startTimeUnixNano),
                attributes: attributesOf(s.attributes),
              });
        }
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans };
}

const logLines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    for (const line of String(chunk).split("\n")) if (line.trim()) logLines.push(JSON.parse(line));
    done();
  },
});

let platform: Platform;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let alice: GatewayClient;
const alicePassword = "correct-horse-battery-5-staple";

beforeAll(async () => {
  receiver = await startReceiver();
  platform = await startPlatform({
    ...testServers(),
    logLevel: "info",
    logSink: sink,
    telemetryEnv: {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_BSP_SCHEDULE_DELAY: "200",
    },
  });
  const admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  expect((await admin.post("/api/proxmox/hosts", platform.hostRegistration())).status).toBe(201);
  expect((await admin.post("/api/users", { username: "alice", password: alicePassword })).status).toBe(201);
  alice = new GatewayClient(platform.url);
  await alice.login("alice", alicePassword);
});

afterAll(async () => {
  await platform?.stop();
  receiver?.server.close();
});

describe("tracing, end to end", () => {
  it("tracing - one deploy is one trace: gateway, applications, provisioner and Proxmox spans in causal order", async () => {
    const res = await alice.post("/api/apps", { catalog_id: "whoami", hostname: "traced-whoami" });
    expect(res.status).toBe(202);
    const id: string = res.body.id;
    await eventually(
      async () => {
        const r = await alice.get(`/api/apps/${id}`);
        if (r.body.status === "error") throw new Error(`deploy failed: ${r.body.status_message}`);
        return r.body.status === "running" ? true : undefined;
      },
      { timeoutMs: 30_000, what: "app running" },
    );

    const root = await eventually(
      async () =>
        receiver.spans.find(
          (s) => s.name === "POST /api/apps" && s.attributes["http.response.status_code"] === 202,
        ),
      { timeoutMs: 10_000, what: "the gateway's span of POST /api/apps" },
    );
    expect(root).toMatchObject({ service: "api-gateway", parentSpanId: "" });
    // Spans from every service on the path, the Proxmox API calls and the commands over SSH. The
    // services export in batches of their own: wait until every expected span arrived and every
    // parent with it.
    const expected = [
      "api-gateway: proximity.applications.v1.ApplicationsService/DeployApp",
      "applications: proximity.applications.v1.ApplicationsService/DeployApp",
      "hosts: proximity.hosts.v1.HostsService/GetHostConnection",
      "secrets: proximity.secrets.v1.SecretsService/GetSecret",
      "provisioner: proximity.events.v1.AppDeployRequested process",
      "provisioner: deploy operation",
      "provisioner: step create-container",
      "provisioner: POST /nodes/{node}/lxc",
      "provisioner: ssh pct exec",
      "applications: proximity.events.v1.OperationSucceeded process",
    ];
    const trace = await eventually(
      async () => {
        const spans = receiver.spans.filter((s) => s.traceId === root.traceId);
        const names = new Set(spans.map((s) => `${s.service}: ${s.name}`));
        const ids = new Set(spans.map((s) => s.spanId));
        const complete =
          expected.every((n) => names.has(n)) &&
          spans.every((s) => s.parentSpanId === "" || ids.has(s.parentSpanId));
        return complete ? spans : undefined;
      },
      { timeoutMs: 15_000, what: "every span of the deploy's trace" },
    );

    // The deploy itself appears in no other trace.
    const operations = receiver.spans.filter((s) => s.name === "deploy operation");
    expect(new Set(operations.map((s) => s.traceId))).toEqual(new Set([root.traceId]));

    // Causal order: one root; every other span's parent is in the trace and started no later.
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    expect(trace.filter((s) => s.parentSpanId === "")).toEqual([root]);
    for (const span of trace) {
      if (span === root) continue;
      const parent = byId.get(span.parentSpanId);
      expect(parent, `parent of ${span.service}: ${span.name}`).toBeDefined();
      expect(span.start >= parent!.start, `${span.name} starts after ${parent!.name}`).toBe(true);
    }
    // The chain from the request to a Proxmox call, hop by hop.
    const chain = (span: ReceivedSpan): string[] => {
      const parent = byId.get(span.parentSpanId);
      return [...(parent ? chain(parent) : []), `${span.service}: ${span.name}`];
    };
    const create = trace.find((s) => s.name === "POST /nodes/{node}/lxc")!;
    expect(chain(create).slice(0, 6)).toEqual([
      "api-gateway: POST /api/apps",
      "api-gateway: proximity.applications.v1.ApplicationsService/DeployApp",
      "applications: proximity.applications.v1.ApplicationsService/DeployApp",
      expect.stringMatching(/^applications: .* publish$/),
      "provisioner: proximity.events.v1.AppDeployRequested process",
      "provisioner: deploy operation",
    ]);

    // Log lines carry the span's trace id: the gateway's request line (with its request id) and
    // every line the provisioner wrote about the operation.
    const requestLine = logLines.find(
      (l) => l.service === "api-gateway" && l.route === "/api/apps" && l.method === "POST",
    );
    expect(requestLine).toMatchObject({ traceId: root.traceId, requestId: expect.any(String) });
    const operationId = trace.find((s) => s.name === "deploy operation")!.attributes[
      "proximity.operation.id"
    ];
    const operationLines = logLines.filter(
      (l) => l.service === "provisioner" && l.operationId === operationId,
    );
    expect(operationLines.length).toBeGreaterThan(3);
    for (const line of operationLines) expect(line.traceId).toBe(root.traceId);

    // No span holds a secret, by name or by value.
    const secrets = [
      platform.simulatorCredentials.tokenSecret,
      platform.simulatorCredentials.sshPassword,
      platform.adminPassword,
      alicePassword,
    ];
    for (const span of receiver.spans) {
      for (const [key, value] of Object.entries(span.attributes)) {
        expect(key).not.toMatch(/token|password|secret|authorization|cookie/i);
        for (const secret of secrets) expect(String(value)).not.toContain(secret);
      }
    }
  });
});
