/** Durable consumer names of this service; each is also the `consumer` key of its inbox rows. */
export const PROVISIONER_EVENTS_DURABLE = "applications-provisioner-events";
/** Container observations (metrics, reconciliation): apart, so they never delay operation results. */
export const OBSERVATIONS_DURABLE = "applications-observations";
