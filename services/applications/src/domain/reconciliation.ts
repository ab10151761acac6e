/**
 * Reconciliation: compares a settled app with what its node reports and decides what needs the
 * owner's attention. It never changes an app's status nor deletes anything: it only reports.
 */

/** Why an app needs attention; reconciliation raises the first two, operation deadlines the last. */
export type AttentionKind = "container_missing" | "changed_outside" | "operation_timed_out";

/** The attention kinds reconciliation raises, and so the only ones it may clear. */
export const RECONCILIATION_KINDS: readonly AttentionKind[] = ["container_missing", "changed_outside"];

/**
 * An observation taken this soon after the app's last change may show the container as it was
 * before that change (the provisioner read it while an operation was finishing): it proves nothing.
 * Also absorbs small clock skew between the provisioner and the database.
 */
export const SETTLE_GRACE_MS = 5_000;

export interface Attention {
  readonly kind: AttentionKind;
  readonly reason: string;
}

/** What reconciliation reads of an app. */
export interface ReconciledApp {
  readonly status: string;
  readonly node: string;
  readonly vmid: number | null;
  readonly currentOperationId: string | null;
  readonly attention: string;
  readonly attentionKind: AttentionKind | null;
  /** The app's last change (status, placement); see SETTLE_GRACE_MS. */
  readonly updatedAt: Date;
}

/** The app's container as its node reported it; undefined when the node did not list it. */
export interface ObservedContainer {
  readonly status: string;
}

export type Reconciliation =
  | { readonly action: "none" }
  | { readonly action: "raise"; readonly attention: Attention }
  | { readonly action: "clear"; readonly previous: string };

const NONE: Reconciliation = { action: "none" };

/**
 * Settled: running or stopped with no operation in flight (a clone locks its running source, so
 * the status alone is not enough) and a known container. Apps deploying, adopting, in error… are
 * left to their operation or their owner.
 */
export function isSettled(app: ReconciledApp): boolean {
  return (
    (app.status === "running" || app.status === "stopped") &&
    app.currentOperationId === null &&
    app.vmid !== null
  );
}

/** What the observation says about a settled app: the attention it deserves, or undefined (all well). */
export function attentionFor(
  app: ReconciledApp,
  observed: ObservedContainer | undefined,
): Attention | undefined {
  if (observed === undefined) {
    return {
      kind: "container_missing",
      reason: `Container ${app.vmid} was not found on node ${app.node}: it was removed outside Proximity`,
    };
  }
  if (observed.status !== app.status) {
    return {
      kind: "changed_outside",
      reason: `Container ${app.vmid} is ${observed.status || "in an unknown state"} but the app is ${app.status}: it was changed outside Proximity`,
    };
  }
  return undefined;
}

/**
 * The change to make on `app` after its node was observed at `observedAt`: raise an attention
 * only when it differs from the one recorded (so a persisting problem is reported once, not on
 * every observation), clear one that reconciliation raised once reality matches again, and
 * otherwise leave the app alone.
 */
export function reconcile(
  app: ReconciledApp,
  observed: ObservedContainer | undefined,
  observedAt: Date,
): Reconciliation {
  if (!isSettled(app)) return NONE;
  if (observedAt.getTime() < app.updatedAt.getTime() + SETTLE_GRACE_MS) return NONE;
  const wanted = attentionFor(app, observed);
  if (wanted === undefined) {
    const ours = app.attentionKind !== null && RECONCILIATION_KINDS.includes(app.attentionKind);
    return ours && app.attention !== "" ? { action: "clear", previous: app.attention } : NONE;
  }
  if (app.attentionKind === wanted.kind && app.attention === wanted.reason) return NONE;
  return { action: "raise", attention: wanted };
}
