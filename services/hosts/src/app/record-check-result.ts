import type { provisionerEventsV1 } from "@proximity/proto";
import type { Transaction } from "kysely";
import type { HostsDatabase } from "../db/database.js";
import {
  checkAgainWithin,
  lockHost,
  pinNodeHostKey,
  saveCheckResult,
  saveNodeStats,
} from "../db/host.repository.js";
import { applyCheckReport } from "../domain/check-report.js";
import { hostKeysToPin } from "../domain/host-key-pinning.js";
import {
  recordHostConnectionChanged,
  recordHostStatusChanged,
  recordNodeStatusChanged,
} from "../events/publish.js";
import { declareChangeActor, HOST_CHECK_ACTOR } from "./declare-change-actor.js";
import type { RequestMeta } from "./ports.js";

/**
 * Applies a HostChecked report inside the caller's transaction: host status, version, error and
 * node stats, plus HostStatusChanged/NodeStatusChanged for every status that changed. A host
 * deleted since the request is skipped. Apps are never touched: an unreachable host may come back.
 * SSH host keys read for nodes awaiting trust on first use are pinned here, once (never replaced).
 * An unreachable host's next periodic check is brought forward (HOST_RECHECK_UNREACHABLE_MS).
 */
export async function recordCheckResult(
  trx: Transaction<HostsDatabase>,
  report: provisionerEventsV1.HostChecked,
  meta: RequestMeta,
  settings: { readonly recheckUnreachableMs: number } = { recheckUnreachableMs: 0 },
): Promise<void> {
  // A key pinned on first use is a trust change the audit attributes to the check.
  await declareChangeActor(trx, { ...meta, actor: HOST_CHECK_ACTOR });
  const host = await lockHost(trx, report.hostId);
  if (!host) {
    meta.log.info({ hostId: report.hostId, checkId: report.checkId }, "checked host no longer exists");
    return;
  }
  const outcome = applyCheckReport(
    { status: host.status, pveVersion: host.pve_version, nodes: host.nodes },
    {
      reachable: report.reachable,
      error: report.error,
      pveVersion: report.pveVersion,
      nodes: report.nodes.map((n) => ({
        name: n.name,
        status: n.status,
        cpu: n.cpu,
        maxCpu: n.maxCpu,
        memBytes: n.memBytes,
        maxMemBytes: n.maxMemBytes,
        diskBytes: n.diskBytes,
        maxDiskBytes: n.maxDiskBytes,
        uptimeSeconds: n.uptimeSeconds,
      })),
    },
  );
  await saveCheckResult(trx, host.id, outcome.host);
  if (!report.reachable && settings.recheckUnreachableMs > 0)
    await checkAgainWithin(trx, host.id, settings.recheckUnreachableMs);
  for (const stats of outcome.nodes) await saveNodeStats(trx, host.id, stats);
  if (outcome.hostChange) {
    const { previous, status, reason } = outcome.hostChange;
    await recordHostStatusChanged(
      trx,
      { hostId: host.id, previousStatus: previous, status, reason },
      meta.traceparent,
    );
    meta.log.warn({ hostId: host.id, host: host.name, previous, status }, "host status changed");
  }
  const toPin = hostKeysToPin(
    host.nodes.map((n) => ({
      name: n.name,
      sshHostKeyFingerprint: n.ssh_host_key_fingerprint,
      trustOnFirstUse: n.trust_on_first_use,
    })),
    report.nodes,
  );
  let pinned = false;
  for (const { node, fingerprint } of toPin)
    if (await pinNodeHostKey(trx, host.id, node, fingerprint)) {
      pinned = true;
      // Audit trail of a trust decision taken on the admin's behalf (the key is not secret).
      meta.log.warn(
        { hostId: host.id, host: host.name, node, fingerprint, checkId: report.checkId },
        "SSH host key pinned on first use",
      );
    }
  // The node can be reached now: replicas that kept the record without the key read it again.
  if (pinned) await recordHostConnectionChanged(trx, host.id, meta.traceparent);
  for (const change of outcome.nodeChanges)
    await recordNodeStatusChanged(
      trx,
      { hostId: host.id, node: change.node, previousStatus: change.previous, status: change.status },
      meta.traceparent,
    );
}
