import { readFileSync } from "node:fs";
import { Server, type ServiceDefinition, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import type { ServiceKeys } from "@proximity/identity";
import type { Logger } from "@proximity/logger";
import { descriptorSetPath } from "@proximity/proto";
import { HealthImplementation } from "grpc-health-check";
import { splitFileDescriptorSet } from "./descriptor-set.js";
import { serverCredentials } from "./tls.js";

/** One gRPC service to serve: its ts-proto definition, implementation and full name. */
export interface ServiceRegistration {
  /** Fully-qualified name, e.g. "proximity.applications.v1.ApplicationsService". */
  readonly name: string;
  readonly definition: ServiceDefinition;
  // biome-ignore lint/suspicious/noExplicitAny: ts-proto server interfaces are checked where they are built
  readonly implementation: UntypedServiceImplementation | any;
}

export interface GrpcServerOptions {
  readonly logger: Logger;
  /** The service's identity: its certificate is served, its CA's certificates are required of clients. */
  readonly keys: ServiceKeys;
  /** Address to bind (services pass GRPC_HOST); default 127.0.0.1, never every interface unless asked. */
  readonly host?: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly services: readonly ServiceRegistration[];
}

/** A gRPC server over mutual TLS with health (grpc.health.v1) and server reflection (v1 and v1alpha). */
export interface GrpcServer {
  /** Binds and serves; resolves with the bound port. Starts NOT_SERVING until setServing(true). */
  start(): Promise<number>;
  /** Readiness as seen by health checks (overall "" and each service). */
  setServing(serving: boolean): void;
  /** NOT_SERVING, then finish in-flight calls within `graceMs`, then force. */
  shutdown(graceMs?: number): Promise<void>;
}

/**
 * Creates the gRPC server every service uses. Every connection is mutual TLS: the client must
 * present a certificate from the platform CA, so health and reflection too answer only platform
 * identities (operators use the `sre` bundle). Reflection is built from the FileDescriptorSet
 * generated with the code (`pnpm proto:generate`), so stock tools (`buf curl`, grpcurl) can list
 * and call every RPC without local .proto files.
 * @example
 * const grpc = createGrpcServer({ logger, keys, host: config.GRPC_HOST, port: config.GRPC_PORT, services: [{ name, definition, implementation }] });
 * const port = await grpc.start(); grpc.setServing(true);
 */
export function createGrpcServer(options: GrpcServerOptions): GrpcServer {
  const server = new Server({ "grpc.max_receive_message_length": 4 * 1024 * 1024 });
  const names = options.services.map((s) => s.name);
  const reflected = [...names, "grpc.health.v1.Health"];
  const health = new HealthImplementation(Object.fromEntries(["", ...names].map((n) => [n, "NOT_SERVING"])));
  for (const s of options.services) server.addService(s.definition, s.implementation);
  health.addToServer(server);
  // ReflectionService only reads `fileDescriptorProtos` of the package definition's entries.
  const fileDescriptorProtos = splitFileDescriptorSet(readFileSync(descriptorSetPath));
  const definition = { descriptors: { fileDescriptorProtos } } as unknown as ConstructorParameters<
    typeof ReflectionService
  >[0];
  new ReflectionService(definition, { services: reflected }).addToServer(server);
  const setServing = (serving: boolean) => {
    for (const n of ["", ...names]) health.setStatus(n, serving ? "SERVING" : "NOT_SERVING");
  };
  return {
    start: () =>
      new Promise((resolve, reject) => {
        const host = options.host ?? "127.0.0.1";
        const address = `${host.includes(":") ? `[${host}]` : host}:${options.port}`;
        server.bindAsync(address, serverCredentials(options.keys.tls), (err, port) => {
          if (err) return reject(err);
          options.logger.info({ host, port }, "grpc server listening (mTLS)");
          resolve(port);
        });
      }),
    setServing,
    shutdown: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        setServing(false);
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      }),
  };
}
