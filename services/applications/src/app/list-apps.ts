import { type FieldError, ValidationError } from "@proximity/errors";
import type { EndUser } from "@proximity/grpc";
import {
  type AppPageStart,
  countVisibleApps,
  type ListedApp,
  listVisibleApps,
} from "../db/app.repository.js";
import type { ApplicationsDb } from "../db/database.js";
import { type AppStatus, isAppStatus } from "../domain/app-status.js";
import { decodeListCursor, encodeListCursor } from "../domain/list-cursor.js";

export interface ListAppsQuery {
  /** A status name ("running"…); undefined for all. */
  readonly status?: string;
  readonly search?: string;
  /** 1-based, default 1. */
  readonly page?: number;
  /** 1–100, default 20. */
  readonly perPage?: number;
  /** The `nextCursor` of the previous page: the page after it (instead of `page`). */
  readonly cursor?: string;
}

export interface AppPage {
  /** Each app with its latest metrics, when fresh (observed within `metricsStaleAfterMs`). */
  readonly items: ListedApp[];
  readonly total: number;
  readonly page: number;
  readonly perPage: number;
  /** The cursor of the page after this one; undefined when this is the last page. */
  readonly nextCursor?: string;
}

const DEFAULT_PER_PAGE = 20;
const MAX_PER_PAGE = 100;

/**
 * The viewer's apps (every app for an admin), newest first, one page at a time: by `page` (an
 * offset, which reads and skips the apps before the page) or by `cursor` (keyset: reads the page
 * alone, and an app added or removed meanwhile shifts nothing). Every page carries the cursor of
 * the next one. `total` comes from counters, not from counting rows (see countVisibleApps).
 */
export async function listApps(
  db: ApplicationsDb,
  viewer: EndUser,
  query: ListAppsQuery,
  metricsStaleAfterMs: number,
): Promise<AppPage> {
  const page = query.page ?? 1;
  const perPage = query.perPage ?? DEFAULT_PER_PAGE;
  const status = parseStatusFilter(query.status);
  const after = query.cursor === undefined ? undefined : decodeListCursor(query.cursor);
  const problems: FieldError[] = [];
  if (!Number.isInteger(page) || page < 1) problems.push({ field: "page", message: "must be at least 1" });
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
    problems.push({ field: "per_page", message: `must be between 1 and ${MAX_PER_PAGE}` });
  }
  if (status === null) problems.push({ field: "status", message: "unknown status" });
  if (after === null) problems.push({ field: "cursor", message: "is not a cursor of this list" });
  else if (after && page !== 1) problems.push({ field: "cursor", message: "cannot be combined with page" });
  if (problems.length > 0) throw new ValidationError("Invalid list request", problems);

  const filter = { status: status ?? undefined, search: query.search };
  const start: AppPageStart = after ? { after } : { offset: (page - 1) * perPage };
  // Without a search the page's statement also sums the counters: one round trip, one snapshot.
  // A search, or a page past the end (no row to carry the sum), counts apart.
  const [{ items, next, total: countedTotal }, searchTotal] = await Promise.all([
    listVisibleApps(db, viewer, filter, start, perPage, metricsStaleAfterMs, { withTotal: true }),
    filter.search ? countVisibleApps(db, viewer, filter) : undefined,
  ]);
  const total = searchTotal ?? countedTotal ?? (await countVisibleApps(db, viewer, filter));
  return { items, total, page, perPage, nextCursor: next && encodeListCursor(next) };
}

/** undefined: no filter; null: not a status users can filter on ("gone" apps are never listed). */
function parseStatusFilter(status: string | undefined): AppStatus | undefined | null {
  if (status === undefined) return undefined;
  const normalized = status.toLowerCase();
  return isAppStatus(normalized) && normalized !== "gone" ? normalized : null;
}
