import { STORAGE_ID_FIELD_MESSAGE, STORAGE_ID_PATTERN } from "@proximity/rules";
import { z } from "zod";

/** `page` ≥ 1 and `per_page` 1–100 (default 20), as every list of the API takes them. */
/** Pages past this would not fit the services' 32-bit page numbers (and no list is that long). */
export const MAX_PAGE = 1_000_000;

export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(MAX_PAGE).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(20),
});

/** `{items, total, page, per_page}` of a given item schema. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int(),
    page: z.number().int(),
    per_page: z.number().int(),
  });
}

/** Slices a full list the service returned at once into the API's page shape. */
export function paginate<T>(all: readonly T[], page: number, perPage: number) {
  const start = (page - 1) * perPage;
  return { items: all.slice(start, start + perPage), total: all.length, page, per_page: perPage };
}

/** A path `{id}`; non-UUIDs are answered 404 by the handler (requireUuid), not 400. */
export const idParams = z.object({ id: z.string().max(100) });

/**
 * A Proxmox storage id (PVE's `pve-storage-id` format, @proximity/rules), as the hosts and backups
 * services check it: one pattern, length included, so a bad id gets one message.
 */
export const storageIdField = z.string().regex(STORAGE_ID_PATTERN, STORAGE_ID_FIELD_MESSAGE);

/** An ISO-8601 timestamp, or null when the service left it unset. */
export const timestamp = z.string().nullable();
export const isoOrNull = (date: Date | undefined | null): string | null => (date ? date.toISOString() : null);

/** Empty strings from proto3 (unset) become null in JSON. */
export const emptyToNull = (value: string): string | null => (value === "" ? null : value);

/** The error body, for documentation (the `Error` component of the OpenAPI document). */
export const errorBody = z.object({
  detail: z.string().describe("A human-readable message, safe to show"),
  errors: z
    .array(z.object({ field: z.string(), message: z.string() }))
    .optional()
    .describe("Per-field problems of a 400; `field` is a dotted path such as `nodes.0.name`"),
});

/** A 204 answer: no body (documented without content). */
export const noContent = z.null().describe("Done; no content");
