const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * True for a canonical UUID. Ids from requests and events are checked before they reach a `uuid`
 * column: PostgreSQL would reject a malformed one with an error instead of "no such row".
 */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
