/** Binds an event to the operation runner: one subscription per event, the spec chosen per request. */
import { type EventDefinition, type Subscription, subscribe } from "@proximity/bus";
import type { OperationDeps, OperationRequest } from "./context.js";
import { failOperation, type OperationSpec, runOperation } from "./run-operation.js";

export function operationSubscription<R extends OperationRequest>(
  deps: OperationDeps,
  event: EventDefinition<R>,
  specFor: (request: R) => OperationSpec<R>,
): Subscription<R> {
  return subscribe(
    event,
    (request, ctx) => runOperation(deps, specFor(request), request, ctx),
    (request, ctx, error) => failOperation(deps, specFor(request), request, ctx, error),
  );
}
