/**
 * Expiry dates of API tokens (pure). The API's defaults: a token without an expiry lives 90 days,
 * and one may live at most 365 days (API_TOKEN_DEFAULT_DAYS, API_TOKEN_MAX_DAYS). A date is read as
 * the start of that day in the reader's time zone.
 */
export const DEFAULT_TOKEN_DAYS = 90;
export const MAX_TOKEN_DAYS = 365;

const pad = (n: number) => String(n).padStart(2, "0");

/** A date as an <input type="date"> value (local calendar date). */
export function dateInputValue(date: Date): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function addDays(date: Date, days: number): Date {
  const next = new Date(date);
  next.setDate(next.getDate() + days);
  return next;
}

/**
 * The dates a token may expire on: from tomorrow, and a day short of the maximum, so the start of the
 * last day is always within the API's limit (a daylight-saving shift cannot push it over).
 */
export function expiryBounds(now: Date): { min: string; max: string } {
  return { min: dateInputValue(addDays(now, 1)), max: dateInputValue(addDays(now, MAX_TOKEN_DAYS - 1)) };
}

/** The API's `expires_at` for a chosen date (local midnight), or undefined for the default lifetime. */
export function expiryOf(value: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return undefined;
  const [, year, month, day] = match;
  return new Date(Number(year), Number(month) - 1, Number(day)).toISOString();
}
