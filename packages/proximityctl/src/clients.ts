/**
 * The services proximityctl talks to, over mutual TLS as `sre` (@proximity/grpc's client: a new
 * signed call token per call, the callee's certificate checked to name the callee). Clients are
 * made on first use, so a command needs only the services it calls to be reachable.
 */
import { status as GrpcStatus } from "@grpc/grpc-js";
import type { FieldError } from "@proximity/errors";
import { createServiceClient, type PromiseClient, type ServiceKeys } from "@proximity/grpc";
import { applicationsV1, hostsV1, provisionerV1, secretsV1 } from "@proximity/proto";
import { UsageError } from "./exit-codes.js";

/** The services a command may call, with the environment variable the services use for each. */
export const SERVICES = {
  applications: { env: "APPLICATIONS_GRPC_ADDR", fallback: "127.0.0.1:50051" },
  hosts: { env: "HOSTS_GRPC_ADDR", fallback: "127.0.0.1:50052" },
  secrets: { env: "SECRETS_GRPC_ADDR", fallback: "127.0.0.1:50054" },
  provisioner: { env: "PROVISIONER_GRPC_ADDR", fallback: "127.0.0.1:50055" },
} as const;

export type ServiceName = keyof typeof SERVICES;

export type Addresses = Readonly<Record<ServiceName, string>>;

/** Each service's address: its flag, else its environment variable, else the development port. */
export function addressesOf(
  flags: Partial<Record<ServiceName, string | undefined>>,
  env: NodeJS.ProcessEnv,
): Addresses {
  const out = {} as Record<ServiceName, string>;
  for (const [name, spec] of Object.entries(SERVICES) as [ServiceName, (typeof SERVICES)[ServiceName]][]) {
    const address = flags[name] ?? env[spec.env] ?? spec.fallback;
    if (!/^[^\s:]+:\d{1,5}$/.test(address) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(address))
      throw new UsageError(`--${name} must be host:port, not "${address}"`);
    out[name] = address;
  }
  return out;
}

/** A call that failed, with the service, address and method it was, and the gRPC status. */
export class CallFailed extends Error {
  readonly service: ServiceName;
  readonly address: string;
  readonly method: string;
  /** gRPC status name (NOT_FOUND, UNAVAILABLE…). */
  readonly status: string;
  /** The status detail as the service (or the channel) gave it. */
  readonly detail: string;
  readonly fieldErrors: readonly FieldError[];

  constructor(service: ServiceName, address: string, method: string, err: unknown) {
    const cause = (err as { cause?: { code?: unknown; details?: unknown } }).cause;
    const code = typeof cause?.code === "number" ? cause.code : undefined;
    const status = code === undefined ? "UNKNOWN" : (GrpcStatus[code] ?? `CODE_${code}`);
    const detail =
      typeof cause?.details === "string" && cause.details
        ? cause.details
        : err instanceof Error
          ? err.message
          : String(err);
    super(`${status}: ${detail}`, { cause: err });
    this.name = "CallFailed";
    this.service = service;
    this.address = address;
    this.method = method;
    this.status = status;
    this.detail = detail;
    this.fieldErrors = (err as { fieldErrors?: readonly FieldError[] }).fieldErrors ?? [];
  }
}

export interface Clients {
  readonly applications: PromiseClient<applicationsV1.ApplicationsServiceServer>;
  readonly hosts: PromiseClient<hostsV1.HostsServiceServer>;
  readonly secretsAdmin: PromiseClient<secretsV1.SecretsAdminServiceServer>;
  readonly provisioner: PromiseClient<provisionerV1.ProvisionerServiceServer>;
  /** Closes the channels opened so far. */
  close(): void;
}

/** `replayDeadLetter` → `ReplayDeadLetter`, the name the service's logs use. */
function rpcName(method: string): string {
  return method.charAt(0).toUpperCase() + method.slice(1);
}

export function createClients(keys: ServiceKeys, addresses: Addresses, deadlineMs: number): Clients {
  const opened: { close(): void }[] = [];
  const lazy = <S>(service: ServiceName, definition: Parameters<typeof createServiceClient>[0]) => {
    let client: PromiseClient<S> | undefined;
    const get = () => {
      if (!client) {
        client = createServiceClient<S>(definition, {
          address: addresses[service],
          audience: service,
          keys,
          defaultDeadlineMs: deadlineMs,
        });
        opened.push(client);
      }
      return client;
    };
    // Every method names where it failed: the error line says which service at which address.
    return new Proxy({} as PromiseClient<S>, {
      get: (_target, method: string | symbol) =>
        typeof method !== "string" || method === "then"
          ? undefined
          : (request: unknown) =>
              (get() as unknown as Record<string, (r: unknown) => Promise<unknown>>)[method]!(request).catch(
                (err: unknown) => {
                  throw new CallFailed(service, addresses[service], rpcName(method), err);
                },
              ),
    });
  };
  return {
    applications: lazy("applications", applicationsV1.ApplicationsServiceService),
    hosts: lazy("hosts", hostsV1.HostsServiceService),
    secretsAdmin: lazy("secrets", secretsV1.SecretsAdminServiceService),
    provisioner: lazy("provisioner", provisionerV1.ProvisionerServiceService),
    close: () => {
      for (const c of opened) c.close();
    },
  };
}
