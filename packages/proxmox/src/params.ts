/**
 * Request encoding for the Proxmox API: path building with encoded segments and form/query encoding
 * of parameters (booleans as 1/0, absent values dropped).
 */

/** A parameter value the client may send. `undefined` means "not sent". */
export type ParamValue = string | number | boolean | undefined;

/** Parameters of one request. */
export type Params = Readonly<Record<string, ParamValue>>;

/**
 * Builds an API path from literal parts and values; every value is URL-encoded as one segment
 * (volids such as `local:backup/vzdump-lxc-100.tar.zst` contain `:` and `/`).
 * @example apiPath`/nodes/${node}/lxc/${vmid}/status/current`
 */
export function apiPath(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  let out = strings[0] ?? "";
  values.forEach((v, i) => {
    out += encodeURIComponent(String(v)) + (strings[i + 1] ?? "");
  });
  return out;
}

/** Encodes parameters as `application/x-www-form-urlencoded` (also used for query strings). */
export function encodeParams(params: Params | undefined): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value === undefined) continue;
    search.append(key, typeof value === "boolean" ? (value ? "1" : "0") : String(value));
  }
  return search.toString();
}
