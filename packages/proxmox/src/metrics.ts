import { histogram } from "@proximity/metrics";

/**
 * Proxmox API calls through a host's breaker (rejections by an open breaker included), by breaker
 * key (the host id in the provisioner) and outcome: ok, or the error's code in lower case.
 */
export const proxmoxCallSeconds = histogram({
  name: "proximity_proxmox_call_seconds",
  help: "Proxmox API calls through a host's breaker, by host and outcome (ok, or the error code)",
  labelNames: ["host", "outcome"],
});
