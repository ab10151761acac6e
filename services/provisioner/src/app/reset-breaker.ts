/**
 * An operator's reset of one host's circuit breaker. Breakers live in each provisioner process
 * (there is no shared breaker state to reset across replicas), so this resets the breaker of the
 * process that answers; the others close on their own after their reset timeout and a successful
 * trial call.
 */
import { NotFoundError, ValidationError } from "@proximity/errors";
import type { BreakerRegistry } from "@proximity/proxmox";
import type { BreakerView } from "./list-breakers.js";

export function resetBreaker(
  breakers: Pick<BreakerRegistry, "reset">,
  hostId: string,
  replica: string,
): BreakerView {
  if (!hostId) throw new ValidationError("host_id is required", [{ field: "host_id", message: "required" }]);
  const previous = breakers.reset(hostId);
  if (!previous)
    throw new NotFoundError(
      `Provisioner replica ${replica} has no breaker for host ${hostId}: it has not called that host since it started, so nothing is open there`,
    );
  return { key: hostId, ...previous };
}
