import { Durables } from "@proximity/bus";

/**
 * Durable consumer names of this service (defined in @proximity/bus `Durables`, where the NATS
 * permissions come from too); each is also the `consumer` key of its inbox rows.
 */

/** Public app events (APPLICATIONS): owners, deletions, restored apps, failed archive operations. */
export const APP_EVENTS_CONSUMER = Durables.backupsAppEvents.name;

/**
 * The provisioner's operation results (PROVISIONER, `provisioner.v1.operation.>`) for backups,
 * restores and archive deletions. Replaces `backups-deployments` (the default policy now comes
 * from the app events only); that old durable may linger on a server and is harmless.
 */
export const OPERATION_RESULTS_CONSUMER = Durables.backupsOperationResults.name;

/** The provisioner's storage listings (BackupsObserved), apart so they never delay results. */
export const STORAGE_OBSERVATIONS_CONSUMER = Durables.backupsStorageObservations.name;
