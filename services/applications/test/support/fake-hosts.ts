import { type handleUnaryCall, status } from "@grpc/grpc-js";
import { NotFoundError } from "@proximity/errors";
import { createGrpcServer, createHandlerFactory, type ServiceKeys } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import { hostsV1 } from "@proximity/proto";

/** A host id the fake does not know: ResolvePlacement answers NotFound for it. */
export const UNKNOWN_HOST_ID = "no-such-host";

export interface PlacementCall {
  readonly request: hostsV1.ResolvePlacementRequest;
  readonly caller: string;
  readonly traceparent: string;
}

export interface FakeHosts {
  readonly address: string;
  /** Every ResolvePlacement call received, oldest first. */
  readonly placementCalls: PlacementCall[];
  /** Where automatic placements go from now on (host-a at first). */
  placeAutomaticallyOn(hostId: string): void;
  stop(): Promise<void>;
}

function unimplemented<Req, Res>(name: string): handleUnaryCall<Req, Res> {
  return (_call, callback) => callback({ code: status.UNIMPLEMENTED, details: `${name} is not faked` });
}

/**
 * The hosts service as far as applications uses it: ResolvePlacement over real gRPC with real
 * service authentication. It echoes an explicit placement and otherwise picks host-a/pve1 (or the host
 * set by placeAutomaticallyOn).
 */
export async function startFakeHosts(keys: ServiceKeys, logger: Logger): Promise<FakeHosts> {
  const placementCalls: PlacementCall[] = [];
  let automaticHost = "host-a";
  const h = createHandlerFactory({ keys, logger });
  const implementation: hostsV1.HostsServiceServer = {
    createHost: unimplemented("CreateHost"),
    listHosts: unimplemented("ListHosts"),
    getHost: unimplemented("GetHost"),
    deleteHost: unimplemented("DeleteHost"),
    listNodes: unimplemented("ListNodes"),
    getHostConnection: unimplemented("GetHostConnection"),
    updateHost: unimplemented("UpdateHost"),
    checkHost: unimplemented("CheckHost"),
    resolvePlacement: h.unary<hostsV1.ResolvePlacementRequest, hostsV1.ResolvePlacementResponse>(
      "ResolvePlacement",
      { callers: ["applications"] },
      async (request, ctx) => {
        placementCalls.push({ request, caller: ctx.caller, traceparent: ctx.traceparent });
        if (request.hostId === UNKNOWN_HOST_ID) throw new NotFoundError("Host not found");
        return { hostId: request.hostId || automaticHost, node: request.node || "pve1" };
      },
    ),
  };
  const server = createGrpcServer({
    logger,
    keys,
    host: "127.0.0.1",
    port: 0,
    services: [
      { name: "proximity.hosts.v1.HostsService", definition: hostsV1.HostsServiceService, implementation },
    ],
  });
  const port = await server.start();
  server.setServing(true);
  return {
    address: `127.0.0.1:${port}`,
    placementCalls,
    placeAutomaticallyOn: (hostId) => {
      automaticHost = hostId;
    },
    stop: () => server.shutdown(1_000),
  };
}
