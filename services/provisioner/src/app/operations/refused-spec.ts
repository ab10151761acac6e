/** The spec of a request this provisioner cannot carry out at all (e.g. an unknown action). */
import type { OperationRequest } from "./context.js";
import { OperationRefusedError } from "./errors.js";
import type { OperationSpec } from "./run-operation.js";

export function refusedSpec<R extends OperationRequest>(reason: string): OperationSpec<R> {
  return {
    kind: "unknown",
    run: async () => {
      throw new OperationRefusedError(reason);
    },
  };
}
