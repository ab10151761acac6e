/**
 * Backup retention as PVE::Storage's prune_mark_backup_group applies it: per guest, newest first,
 * each keep-* option keeps the newest backup of as many distinct periods (hour, day, ISO week…) as
 * it allows, skipping periods an earlier option already kept; protected backups are never removed
 * and count for nothing. Periods use UTC here (PVE uses the node's local time).
 */
import { paramError } from "../errors.js";

export const KEEP_OPTIONS = [
  "keep-last",
  "keep-hourly",
  "keep-daily",
  "keep-weekly",
  "keep-monthly",
  "keep-yearly",
] as const;

export type KeepOption = (typeof KEEP_OPTIONS)[number];
export type PruneOptions = Partial<Record<KeepOption | "keep-all", number>>;
export type PruneMark = "keep" | "remove" | "protected";

export interface PruneCandidate {
  readonly volid: string;
  readonly ctime: number;
  readonly protected: boolean;
}

/** Parses a `prune-backups` property string (`keep-last=3,keep-daily=7`); 400 on a bad one. */
export function parsePruneOptions(text: string): PruneOptions {
  const out: PruneOptions = {};
  for (const part of text.split(",").filter(Boolean)) {
    const [key = "", value = ""] = part.split("=", 2);
    const known = key === "keep-all" || (KEEP_OPTIONS as readonly string[]).includes(key);
    if (!known || !/^\d+$/.test(value)) {
      throw paramError({ "prune-backups": `invalid format - format error\n${key}: property is not defined` });
    }
    out[key as KeepOption] = Number(value);
  }
  return out;
}

/** Whether the options keep everything (keep-all, or no positive keep-* option). */
export function keepsAll(keep: PruneOptions): boolean {
  return Boolean(keep["keep-all"]) || !KEEP_OPTIONS.some((k) => (keep[k] ?? 0) > 0);
}

/** Marks one guest's backups; the result is newest first. */
export function markBackupGroup(
  group: readonly PruneCandidate[],
  keep: PruneOptions,
): { volid: string; ctime: number; mark: PruneMark }[] {
  const entries = [...group]
    .sort((a, b) => b.ctime - a.ctime)
    .map((b) => ({
      volid: b.volid,
      ctime: b.ctime,
      mark: (b.protected ? "protected" : undefined) as PruneMark | undefined,
    }));
  if (keepsAll(keep)) return entries.map((e) => ({ ...e, mark: e.mark ?? "keep" }));
  for (const option of KEEP_OPTIONS) {
    const count = keep[option] ?? 0;
    if (count <= 0) continue;
    const period = PERIOD[option];
    const already = new Set(entries.filter((e) => e.mark === "keep").map((e) => period(e.ctime)));
    const newly = new Set<string>();
    for (const e of entries) {
      const id = period(e.ctime);
      if (e.mark !== undefined || already.has(id)) continue;
      if (newly.has(id)) {
        e.mark = "remove";
        continue;
      }
      if (newly.size >= count) break;
      newly.add(id);
      e.mark = "keep";
    }
  }
  return entries.map((e) => ({ ...e, mark: e.mark ?? "remove" }));
}

const PERIOD: Readonly<Record<KeepOption, (ctime: number) => string>> = {
  "keep-last": (t) => String(t),
  "keep-hourly": (t) =>
    utc(t, (d) => `${d.getUTCHours()}/${d.getUTCDate()}/${d.getUTCMonth()}/${d.getUTCFullYear()}`),
  "keep-daily": (t) => utc(t, (d) => `${d.getUTCDate()}/${d.getUTCMonth()}/${d.getUTCFullYear()}`),
  "keep-weekly": (t) => isoWeek(t),
  "keep-monthly": (t) => utc(t, (d) => `${d.getUTCMonth()}/${d.getUTCFullYear()}`),
  "keep-yearly": (t) => utc(t, (d) => String(d.getUTCFullYear())),
};

function utc(ctime: number, f: (d: Date) => string): string {
  return f(new Date(ctime * 1000));
}

/** strftime("%V/%G"): ISO 8601 week number and week-based year. */
function isoWeek(ctime: number): string {
  const d = new Date(ctime * 1000);
  const day = (d.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - day + 3));
  const year = thursday.getUTCFullYear();
  const jan4 = Date.UTC(year, 0, 4);
  const week1Monday = jan4 - ((new Date(jan4).getUTCDay() + 6) % 7) * 86_400_000;
  const week = 1 + Math.floor((thursday.getTime() - week1Monday) / (7 * 86_400_000));
  return `${String(week).padStart(2, "0")}/${year}`;
}
