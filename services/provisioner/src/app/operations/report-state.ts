/**
 * The cleanup of kinds that create nothing (start, stop, restart, delete): nothing to undo, but
 * OperationFailed says where the container was left, so the applications service can settle the
 * app on what is true ("" when the host does not answer or there is no container).
 */
import { probeContainerState } from "./container-state.js";
import type { OperationRequest } from "./context.js";
import type { Cleanup } from "./run-operation.js";
import { withConnection } from "./with-connection.js";

export async function reportContainerState<R extends OperationRequest & { readonly vmid: number }>(
  c: Cleanup<R>,
): Promise<string> {
  const { deps, request, traceparent, log } = c;
  if (request.vmid <= 0) return "";
  return withConnection(deps, request, traceparent, (connection) =>
    probeContainerState(connection, request.node, request.vmid),
  ).catch((err: unknown) => {
    log.warn({ err }, "could not read the container's state after the failure");
    return "";
  });
}
