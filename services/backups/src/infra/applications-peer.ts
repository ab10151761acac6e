import {
  ConflictError,
  InternalError,
  NotFoundError,
  PermissionDeniedError,
  UnauthenticatedError,
} from "@proximity/errors";
import { type CallOptions, createServiceClient, type EndUser, type ServiceKeys } from "@proximity/grpc";
import { applicationsV1 } from "@proximity/proto";
import type { Tracer } from "@proximity/telemetry";

/** On whose behalf a call is made: the end user who asked, or the app's owner for a scheduled run. */
export interface OnBehalfOf {
  readonly user: EndUser;
  readonly traceparent: string;
  readonly requestId?: string | undefined;
}

export interface ArchiveClaim {
  /** The app after the claim (host, node, vmid, owner). */
  readonly app: applicationsV1.App;
  readonly statusBefore: applicationsV1.AppStatus;
  /** When the applications service fails the operation: the provisioner must not start after it. */
  readonly deadline: Date | undefined;
}

/** A new app made to restore into, held by the restore. */
export interface NewAppClaim {
  readonly app: applicationsV1.App;
  /** When the applications service fails the restore: the provisioner must not start after it. */
  readonly deadline: Date | undefined;
}

/**
 * The applications service as the backups service uses it: the one place that serialises
 * operations on an app. Errors come back typed for our own callers: ABORTED and FAILED_PRECONDITION
 * (another operation holds the app, or its state forbids this) → ConflictError with its message
 * (409); NOT_FOUND → NotFoundError (404); an authentication refusal between services is our
 * misconfiguration, never the user's (500). Anything else (unavailable, timeout) passes as is.
 */
export interface ApplicationsPeer {
  beginArchiveOperation(
    request: { appId: string; kind: "backup" | "restore"; operationId: string; backupId: string },
    as: OnBehalfOf,
  ): Promise<ArchiveClaim>;
  restoreIntoNewApp(request: applicationsV1.RestoreIntoNewAppRequest, as: OnBehalfOf): Promise<NewAppClaim>;
  abandonArchiveOperation(operationId: string, reason: string, as: OnBehalfOf): Promise<void>;
  /** The app as `as.user` may see it; undefined when it is unknown or not theirs. */
  getApp(appId: string, as: OnBehalfOf): Promise<applicationsV1.App | undefined>;
  close(): void;
}

export function createApplicationsPeer(
  address: string,
  keys: ServiceKeys,
  tracer?: Tracer,
): ApplicationsPeer {
  const client = createServiceClient<applicationsV1.ApplicationsServiceServer>(
    applicationsV1.ApplicationsServiceService,
    { address, audience: "applications", keys, ...(tracer ? { tracer } : {}) },
  );
  const options = (as: OnBehalfOf): CallOptions => ({
    user: as.user,
    traceparent: as.traceparent,
    ...(as.requestId ? { requestId: as.requestId } : {}),
  });
  return {
    async beginArchiveOperation(request, as) {
      const res = await client.beginArchiveOperation(request, options(as)).catch(rethrowMapped);
      if (!res.app) throw new InternalError("BeginArchiveOperation answered without the app");
      return { app: res.app, statusBefore: res.statusBefore, deadline: res.deadline };
    },
    async restoreIntoNewApp(request, as) {
      const res = await client.restoreIntoNewApp(request, options(as)).catch(rethrowMapped);
      if (!res.app) throw new InternalError("RestoreIntoNewApp answered without the app");
      return { app: res.app, deadline: res.deadline };
    },
    async abandonArchiveOperation(operationId, reason, as) {
      await client.abandonArchiveOperation({ operationId, reason }, options(as)).catch(rethrowMapped);
    },
    async getApp(appId, as) {
      try {
        return (await client.getApp({ id: appId }, options(as))).app;
      } catch (err) {
        if (err instanceof NotFoundError) return undefined;
        return rethrowMapped(err);
      }
    },
    close: () => client.close(),
  };
}

/** Maps the applications service's typed errors onto what our callers should see. */
export function mapApplicationsError(err: unknown): unknown {
  // The client already turned ABORTED and FAILED_PRECONDITION into a ConflictError with the message.
  if (err instanceof ConflictError) return err;
  if (err instanceof NotFoundError) return new NotFoundError("App not found", err);
  // Refusals of this service itself (no valid service token, not on an RPC's allow-list) are our
  // misconfiguration, never the user's; a refusal of the user (e.g. their app quota is reached) is
  // theirs to read, as deploy and clone answer it.
  if (
    err instanceof UnauthenticatedError ||
    (err instanceof PermissionDeniedError && isServiceRefusal(err))
  ) {
    return new InternalError("The applications service refused the backups service", err);
  }
  return err;
}

/** The wording of @proximity/grpc's caller allow-list ("Service <name> may not call <rpc>"). */
function isServiceRefusal(err: PermissionDeniedError): boolean {
  return /^Service \S+ may not call /.test(err.message);
}

function rethrowMapped(err: unknown): never {
  throw mapApplicationsError(err);
}
