import { isDeepStrictEqual } from "node:util";

/**
 * One changed field of an audited admin change. Values are kept for ordinary fields only: a
 * secret field (password, credentials) is recorded by name, without any value.
 */
export interface FieldChange {
  readonly field: string;
  /** Absent on a create (nothing before) and for secret fields. */
  readonly before?: unknown;
  /** Absent on a delete (nothing after) and for secret fields. */
  readonly after?: unknown;
  /** Set on secret fields: they changed, their values are not recorded. */
  readonly secret?: true;
}

/** A resource as the audit sees it: its non-secret fields. */
export type Snapshot = Readonly<Record<string, unknown>>;

/**
 * The fields that differ between two snapshots of a resource (null: it did not exist, so a create
 * or a delete lists every field), in field order, then the secret fields that were set, by name.
 * Snapshots must hold no secret values: those are named in `secretFieldsSet` only.
 */
export function fieldDiff(
  before: Snapshot | null,
  after: Snapshot | null,
  secretFieldsSet: readonly string[] = [],
): FieldChange[] {
  const fields = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
  const changes: FieldChange[] = [];
  for (const field of fields) {
    const had = before !== null && Object.hasOwn(before, field);
    const has = after !== null && Object.hasOwn(after, field);
    if (had && has && isDeepStrictEqual(before[field], after[field])) continue;
    changes.push({
      field,
      ...(had ? { before: before[field] ?? null } : {}),
      ...(has ? { after: after[field] ?? null } : {}),
    });
  }
  for (const field of secretFieldsSet) changes.push({ field, secret: true });
  return changes;
}
