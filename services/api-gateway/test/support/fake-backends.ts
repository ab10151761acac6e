import type { handleUnaryCall, ServiceDefinition } from "@grpc/grpc-js";
import type { ErrorCode } from "@proximity/errors";
import { ProximityError } from "@proximity/errors";
import {
  createGrpcServer,
  createHandlerFactory,
  type GrpcServer,
  MetadataKeys,
  type ServiceKeys,
} from "@proximity/grpc";
import { applicationsV1, backupsV1, hostsV1 } from "@proximity/proto";
import { testLogger } from "@proximity/testing";
import {
  applicationsBehaviours,
  type Behaviour,
  createFakeAppStore,
  type FakeAppStore,
} from "./fake-applications.js";
import { backupsBehaviours, createFakeBackupStore, type FakeBackupStore } from "./fake-backups.js";
import { createFakeHostStore, type FakeHostStore, hostsBehaviours } from "./fake-hosts.js";

/** One call a fake backend received, with what the gateway passed along. */
export interface RecordedCall {
  /** The fake that received it. */
  readonly service: "applications" | "hosts" | "backups";
  readonly rpc: string;
  readonly request: Record<string, unknown>;
  readonly user: { id: string; isAdmin: boolean } | undefined;
  readonly traceparent: string;
  readonly requestId: string | undefined;
}

/** Fake applications, hosts and backups services that record calls and answer from small stores. */
export interface FakeBackends {
  readonly calls: RecordedCall[];
  readonly addresses: { applications: string; hosts: string; backups: string };
  /** Apps, logs and quotas of the fake applications service (it enforces ownership like the real one). */
  readonly apps: FakeAppStore;
  /** Hosts of the fake hosts service. */
  readonly hosts: FakeHostStore;
  /** Backups and policies of the fake backups service (ownership from `apps`, like the real one). */
  readonly backups: FakeBackupStore;
  /** Replaces the answer of one RPC (by method name, e.g. "getApp") until reset(). */
  respond(method: string, behaviour: Behaviour): void;
  /** Makes one RPC fail with a typed error. */
  fail(method: string, code: ErrorCode, message: string): void;
  callsTo(method: string): RecordedCall[];
  /** Calls one fake received. */
  callsOf(service: RecordedCall["service"]): RecordedCall[];
  /** Forgets calls, overrides and the stores' contents. */
  reset(): void;
  setServing(serving: boolean): void;
  stop(): Promise<void>;
}

/** Starts the three fakes on free ports, each authenticating callers with its own key. */
export async function startFakeBackends(keys: Map<string, ServiceKeys>): Promise<FakeBackends> {
  const calls: RecordedCall[] = [];
  const overrides = new Map<string, Behaviour>();
  const apps = createFakeAppStore();
  const hosts = createFakeHostStore();
  const backups = createFakeBackupStore();
  const defaults: Record<string, Behaviour> = {
    ...applicationsBehaviours(apps),
    ...hostsBehaviours(hosts),
    ...backupsBehaviours(backups, apps),
  };
  const servers: GrpcServer[] = [];

  const serve = async (
    self: RecordedCall["service"],
    name: string,
    definition: ServiceDefinition,
  ): Promise<string> => {
    const h = createHandlerFactory({ keys: keys.get(self)!, logger: testLogger(self) });
    // The request id travels in metadata the call context does not expose: note it per request.
    const requestIds = new WeakMap<object, string>();
    const implementation: Record<string, handleUnaryCall<object, unknown>> = {};
    for (const [method, spec] of Object.entries(definition)) {
      const handler = h.unary(spec.path, { callers: ["api-gateway"] }, async (req: object, ctx) => {
        calls.push({
          service: self,
          rpc: method,
          request: req as Record<string, unknown>,
          user: ctx.user,
          traceparent: ctx.traceparent,
          requestId: requestIds.get(req),
        });
        const behaviour = overrides.get(method) ?? defaults[method];
        if (!behaviour) throw new ProximityError("INTERNAL", `the fake has no ${method}`);
        return behaviour(req as never, ctx);
      });
      implementation[method] = (call, callback) => {
        const requestId = call.metadata.get(MetadataKeys.requestId)[0]?.toString();
        if (requestId) requestIds.set(call.request, requestId);
        handler(call, callback);
      };
    }
    const server = createGrpcServer({
      logger: testLogger(self),
      keys: keys.get(self)!,
      host: "127.0.0.1",
      port: 0,
      services: [{ name, definition, implementation }],
    });
    servers.push(server);
    const port = await server.start();
    server.setServing(true);
    return `127.0.0.1:${port}`;
  };

  const addresses = {
    applications: await serve(
      "applications",
      "proximity.applications.v1.ApplicationsService",
      applicationsV1.ApplicationsServiceService,
    ),
    hosts: await serve("hosts", "proximity.hosts.v1.HostsService", hostsV1.HostsServiceService),
    backups: await serve("backups", "proximity.backups.v1.BackupsService", backupsV1.BackupsServiceService),
  };

  return {
    calls,
    addresses,
    apps,
    hosts,
    backups,
    respond: (method, behaviour) => overrides.set(method, behaviour),
    fail: (method, code, message) =>
      overrides.set(method, async () => {
        throw new ProximityError(code, message);
      }),
    callsTo: (method) => calls.filter((c) => c.rpc === method),
    callsOf: (service) => calls.filter((c) => c.service === service),
    reset: () => {
      calls.length = 0;
      overrides.clear();
      apps.clear();
      hosts.clear();
      backups.clear();
    },
    setServing: (serving) => {
      for (const s of servers) s.setServing(serving);
    },
    stop: async () => {
      await Promise.all(servers.map((s) => s.shutdown(1_000)));
    },
  };
}
