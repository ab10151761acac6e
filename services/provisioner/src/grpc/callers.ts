/** Services allowed to call the provisioner: the gateway (admin views) and SRE tooling. */
export const RPC_CALLERS = ["api-gateway", "sre"] as const;
