import { ConflictError, NotFoundError, ValidationError } from "@proximity/errors";
import { backupsV1 } from "@proximity/proto";
import { testLogger } from "@proximity/testing";
import {
  type CallContext,
  createGrpcServer,
  createHandlerFactory,
  type GrpcServer,
  type ServiceKeys,
} from "../../src/index.js";

/** A BackupsService serving only GetBackupPolicy, whose app id picks the behaviour. */
export interface TestServer {
  readonly server: GrpcServer;
  /** host:port on 127.0.0.1. */
  readonly address: string;
  /** The context of every call the handler ran, oldest first. */
  readonly seen: CallContext[];
  /** One entry per "hang" call whose signal was aborted (the client gave up). */
  readonly hangAborted: boolean[];
}

export const GET_BACKUP_POLICY = "/proximity.backups.v1.BackupsService/GetBackupPolicy";

/**
 * Starts a real grpc-js server (mTLS, 127.0.0.1) as the service `keys.self`. App ids: "missing" →
 * NOT_FOUND, "bad" → INVALID_ARGUMENT with a field error, "busy" → CONFLICT, "crash" → an
 * unexpected error, "hang" → waits until the client gives up (or 15 s); anything else answers.
 */
export async function startBackupsServer(
  keys: ServiceKeys,
  options: {
    callers: readonly string[];
    userTrustedCallers?: readonly string[];
    replayCapacityPerCaller?: number;
  },
): Promise<TestServer> {
  const seen: CallContext[] = [];
  const hangAborted: boolean[] = [];
  const h = createHandlerFactory({
    keys,
    logger: testLogger(),
    ...(options.userTrustedCallers ? { userTrustedCallers: options.userTrustedCallers } : {}),
    ...(options.replayCapacityPerCaller ? { replayCapacityPerCaller: options.replayCapacityPerCaller } : {}),
  });
  // Only the RPC the tests call; grpc-js answers UNIMPLEMENTED for the rest.
  const implementation: Pick<backupsV1.BackupsServiceServer, "getBackupPolicy"> = {
    getBackupPolicy: h.unary(
      "GetBackupPolicy",
      { callers: options.callers },
      async (req: backupsV1.GetBackupPolicyRequest, ctx) => {
        seen.push(ctx);
        if (req.appId === "missing") throw new NotFoundError("App not found");
        if (req.appId === "bad")
          throw new ValidationError("Invalid request", [{ field: "app_id", message: "bad" }]);
        if (req.appId === "busy") throw new ConflictError("Busy");
        if (req.appId === "crash") throw new Error("select * from secrets -- internal detail");
        if (req.appId === "hang") {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, 15_000);
            ctx.signal.addEventListener("abort", () => {
              clearTimeout(t);
              hangAborted.push(true);
              resolve();
            });
          });
        }
        return {
          policy: {
            appId: req.appId,
            enabled: true,
            schedule: "0 3 * * *",
            keepLast: 7,
            keepHourly: 0,
            keepDaily: 0,
            keepWeekly: 0,
            keepMonthly: 0,
            keepYearly: 0,
            timeZone: "UTC",
            mode: "snapshot",
            compression: "zstd",
            updatedAt: new Date(0),
          },
        };
      },
    ),
  };
  const server = createGrpcServer({
    logger: testLogger(),
    keys,
    host: "127.0.0.1",
    port: 0,
    services: [
      {
        name: "proximity.backups.v1.BackupsService",
        definition: backupsV1.BackupsServiceService,
        implementation,
      },
    ],
  });
  const address = `127.0.0.1:${await server.start()}`;
  server.setServing(true);
  return { server, address, seen, hangAborted };
}
