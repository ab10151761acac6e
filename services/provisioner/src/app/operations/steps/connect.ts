/** The first step of every operation: how to reach the host and node (kept on the attempt). */
import type { Attempt, HostConnection } from "../context.js";
import { runStep } from "../journal-step.js";
import { Step } from "../step-names.js";
import { resolveConnection } from "./resolve-connection.js";

export async function connect(a: Attempt): Promise<HostConnection> {
  const connection = await runStep(Step.resolveConnection, () =>
    resolveConnection(a.deps, a.request, { traceparent: a.traceparent }),
  );
  a.connection = connection;
  return connection;
}
