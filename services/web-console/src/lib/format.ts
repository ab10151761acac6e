/** Bytes in binary units, e.g. 1.5 GiB ("—" when unknown). */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return "—";
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = value >= 10 || unit === 0 ? String(Math.round(value)) : value.toFixed(1).replace(/\.0$/, "");
  return `${shown} ${units[unit]}`;
}

/** A 0–1 fraction as a percentage, e.g. 0.125 → "12.5 %" ("—" when unknown). */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return "—";
  const percent = fraction * 100;
  return `${percent >= 10 ? Math.round(percent) : percent.toFixed(1)} %`;
}

/** A date and time in the reader's locale ("—" when unknown). */
export function formatDateTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "—" : date.toLocaleString();
}

/**
 * A date and time on the clock of `timeZone`, named after it ("1/3/2025, 4:00:00 AM Europe/Berlin"):
 * a backup schedule runs in its own zone, which need not be the reader's ("—" when unknown). An
 * unknown zone falls back to the reader's clock, named so.
 */
export function formatDateTimeIn(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "—";
  try {
    return `${date.toLocaleString(undefined, { timeZone })} ${timeZone}`;
  } catch {
    return `${date.toLocaleString()} (your time)`;
  }
}

/** A duration in seconds, e.g. "3 d 4 h", "12 min" ("—" when unknown). */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "—";
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  if (days > 0) return `${days} d ${hours} h`;
  if (hours > 0) return `${hours} h ${minutes} min`;
  if (minutes > 0) return `${minutes} min`;
  return `${Math.floor(seconds)} s`;
}
