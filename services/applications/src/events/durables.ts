import { Durables } from "@proximity/bus";

/**
 * Durable consumer names of this service (defined in @proximity/bus `Durables`, where the NATS
 * permissions come from too); each is also the `consumer` key of its inbox rows.
 */
export const PROVISIONER_EVENTS_DURABLE = Durables.applicationsProvisionerEvents.name;
/** Container observations (metrics, reconciliation): apart, so they never delay operation results. */
export const OBSERVATIONS_DURABLE = Durables.applicationsObservations.name;
