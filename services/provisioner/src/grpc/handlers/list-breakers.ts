import type { HandlerFactory } from "@proximity/grpc";
import type { provisionerV1 } from "@proximity/proto";
import type { BreakerRegistry } from "@proximity/proxmox";
import { listBreakers } from "../../app/list-breakers.js";
import { RPC_CALLERS } from "../callers.js";

/** ListBreakers: read-only view for SRE tooling and the gateway's admin pages (this process's breakers). */
export function listBreakersHandler(
  h: HandlerFactory,
  breakers: Pick<BreakerRegistry, "snapshot">,
  replica: string,
) {
  return h.unary<provisionerV1.ListBreakersRequest, provisionerV1.ListBreakersResponse>(
    "ListBreakers",
    { callers: RPC_CALLERS },
    async () => ({ items: listBreakers(breakers), replica }),
  );
}
