import { type FieldError, ValidationError } from "@proximity/errors";
import type { EndUser } from "@proximity/grpc";
import { listVisibleApps } from "../db/app.repository.js";
import type { AppRow } from "../db/apps.table.js";
import type { ApplicationsDb } from "../db/database.js";
import { type AppStatus, isAppStatus } from "../domain/app-status.js";

export interface ListAppsQuery {
  /** A status name ("running"…); undefined for all. */
  readonly status?: string;
  readonly search?: string;
  /** 1-based, default 1. */
  readonly page?: number;
  /** 1–100, default 20. */
  readonly perPage?: number;
}

export interface AppPage {
  readonly items: AppRow[];
  readonly total: number;
  readonly page: number;
  readonly perPage: number;
}

const DEFAULT_PER_PAGE = 20;
const MAX_PER_PAGE = 100;

/** The viewer's apps (every app for an admin), newest first, one page at a time. */
export async function listApps(db: ApplicationsDb, viewer: EndUser, query: ListAppsQuery): Promise<AppPage> {
  const page = query.page ?? 1;
  const perPage = query.perPage ?? DEFAULT_PER_PAGE;
  const status = parseStatusFilter(query.status);
  const problems: FieldError[] = [];
  if (!Number.isInteger(page) || page < 1) problems.push({ field: "page", message: "must be at least 1" });
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
    problems.push({ field: "per_page", message: `must be between 1 and ${MAX_PER_PAGE}` });
  }
  if (status === null) problems.push({ field: "status", message: "unknown status" });
  if (problems.length > 0) throw new ValidationError("Invalid list request", problems);
  const { rows, total } = await listVisibleApps(db, viewer, {
    status: status ?? undefined,
    search: query.search,
    page,
    perPage,
  });
  return { items: rows, total, page, perPage };
}

/** undefined: no filter; null: not a status users can filter on ("gone" apps are never listed). */
function parseStatusFilter(status: string | undefined): AppStatus | undefined | null {
  if (status === undefined) return undefined;
  const normalized = status.toLowerCase();
  return isAppStatus(normalized) && normalized !== "gone" ? normalized : null;
}
