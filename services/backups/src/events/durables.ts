import { Durables, RetiredDurables } from "@proximity/bus";

/**
 * Durable consumer names of this service (defined in @proximity/bus `Durables`, where the NATS
 * permissions come from too); each is also the `consumer` key of its inbox rows.
 */

/** Public app events (APPLICATIONS): owners, deletions, restored apps, failed archive operations. */
export const APP_EVENTS_CONSUMER = Durables.backupsAppEvents.name;

/**
 * The provisioner's results of backups, restores and archive deletions (PROVISIONER,
 * `provisioner.v1.operation.archive.>`): the other operations' results and every progress event
 * stay off this service.
 */
export const ARCHIVE_RESULTS_CONSUMER = Durables.backupsArchiveResults.name;

/**
 * The results' durable of earlier releases (every result and progress event), drained and deleted
 * at start (retireDurable). `backups-deployments`, older still, may linger on a server and is
 * harmless (it took app events the app events consumer now takes).
 */
export const RETIRED_RESULTS_CONSUMER = RetiredDurables.backupsOperationResults.name;

/**
 * The inbox key of operation results, whichever durable delivered them: while the retired durable
 * drains it also delivers the archive results published since (its filter covers theirs), so both
 * dedupe under this one key and a result is applied once. Named after the retired durable, the
 * key its rows always had.
 */
export const OPERATION_RESULTS_INBOX = RETIRED_RESULTS_CONSUMER;

/** The provisioner's storage listings (BackupsObserved), apart so they never delay results. */
export const STORAGE_OBSERVATIONS_CONSUMER = Durables.backupsStorageObservations.name;
