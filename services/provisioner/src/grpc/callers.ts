/** Services allowed to call the provisioner's read RPCs: the gateway (admin views) and SRE tooling. */
export const RPC_CALLERS = ["api-gateway", "sre"] as const;

/** RPCs that change what the provisioner does (replays, breaker resets): operators only. */
export const SRE_ONLY = ["sre"] as const;
