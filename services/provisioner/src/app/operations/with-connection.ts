/** For cleanups: a connection to the host for one piece of work, released afterwards (discarded after a failure). */
import type { HostConnection, OperationDeps } from "./context.js";
import { resolveConnection } from "./steps/resolve-connection.js";

export async function withConnection<T>(
  deps: OperationDeps,
  target: { hostId: string; node: string; operationId?: string },
  traceparent: string,
  work: (connection: HostConnection) => Promise<T>,
): Promise<T> {
  const connection = await resolveConnection(deps, target, { traceparent });
  let failed = true;
  try {
    const result = await work(connection);
    failed = false;
    return result;
  } finally {
    await connection.close({ discard: failed }).catch(() => undefined);
  }
}
