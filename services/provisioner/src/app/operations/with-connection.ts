/** For cleanups: a connection to the host for one piece of work, closed afterwards. */
import type { HostConnection, OperationDeps } from "./context.js";
import { resolveConnection } from "./steps/resolve-connection.js";

export async function withConnection<T>(
  deps: OperationDeps,
  target: { hostId: string; node: string; operationId?: string },
  traceparent: string,
  work: (connection: HostConnection) => Promise<T>,
): Promise<T> {
  const connection = await resolveConnection(deps, target, { traceparent });
  try {
    return await work(connection);
  } finally {
    await connection.close().catch(() => undefined);
  }
}
