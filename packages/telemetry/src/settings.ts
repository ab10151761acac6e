/**
 * Tracing settings from the standard OpenTelemetry variables, and nothing else. Tracing is off
 * unless asked for: by OTEL_TRACES_EXPORTER (otlp, console) or by an OTLP endpoint variable;
 * OTEL_SDK_DISABLED=true turns it off whatever else is set.
 */

/** What the exporter and the tracer provider of a service are built from. */
export interface TelemetrySettings {
  /** "none": no provider, no exporter, spans are no-ops (the default). */
  readonly exporter: "none" | "otlp" | "console";
  /** OTLP/HTTP traces URL (…/v1/traces), or the OTLP/gRPC endpoint (scheme, host, port). */
  readonly url: string;
  readonly protocol: "http/protobuf" | "http/json" | "grpc";
  /** OTEL_SERVICE_NAME, when set: replaces the service's own name. */
  readonly serviceName: string | undefined;
  /** OTEL_RESOURCE_ATTRIBUTES as key/value pairs. */
  readonly resourceAttributes: Readonly<Record<string, string>>;
  readonly sampler: { readonly name: string; readonly ratio: number };
  /** OTEL_BSP_SCHEDULE_DELAY: milliseconds between two exports of the batch (SDK default 5000). */
  readonly batchDelayMs: number | undefined;
}

type Env = Readonly<Record<string, string | undefined>>;

const PROTOCOLS = new Set(["http/protobuf", "http/json", "grpc"]);

const SAMPLERS = new Set([
  "always_on",
  "always_off",
  "traceidratio",
  "parentbased_always_on",
  "parentbased_always_off",
  "parentbased_traceidratio",
]);

/**
 * Reads the OTEL_* variables of `env`; throws listing every unsupported value (fail fast, like
 * the services' configuration).
 * @example readTelemetrySettings({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" }).exporter // "otlp"
 */
export function readTelemetrySettings(env: Env = process.env): TelemetrySettings {
  const get = (key: string) => {
    const v = env[key]?.trim();
    return v ? v : undefined;
  };
  const problems: string[] = [];
  const tracesEndpoint = get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  const endpoint = get("OTEL_EXPORTER_OTLP_ENDPOINT");
  const protocolVariable = get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
    ? "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"
    : "OTEL_EXPORTER_OTLP_PROTOCOL";
  const protocol = get(protocolVariable) ?? "http/protobuf";
  if (!PROTOCOLS.has(protocol))
    problems.push(`${protocolVariable}: "${protocol}" is not supported (http/protobuf, http/json, grpc)`);
  // OTLP/HTTP appends the signal's path to the generic endpoint; gRPC takes the endpoint as it is
  // (the specification's defaults: port 4318 for HTTP, 4317 for gRPC).
  const url =
    protocol === "grpc"
      ? (tracesEndpoint ?? endpoint ?? "http://localhost:4317")
      : (tracesEndpoint ?? `${(endpoint ?? "http://localhost:4318").replace(/\/+$/, "")}/v1/traces`);
  const named = get("OTEL_TRACES_EXPORTER")?.split(",")[0]?.trim().toLowerCase();
  let exporter: TelemetrySettings["exporter"] = named
    ? (named as TelemetrySettings["exporter"])
    : tracesEndpoint || endpoint
      ? "otlp"
      : "none";
  if (!["none", "otlp", "console"].includes(exporter)) {
    problems.push(`OTEL_TRACES_EXPORTER: "${named}" is not supported (otlp, console, none)`);
    exporter = "none";
  }
  if (get("OTEL_SDK_DISABLED")?.toLowerCase() === "true") exporter = "none";
  const samplerName = get("OTEL_TRACES_SAMPLER")?.toLowerCase() ?? "parentbased_always_on";
  if (!SAMPLERS.has(samplerName)) problems.push(`OTEL_TRACES_SAMPLER: "${samplerName}" is not supported`);
  const ratioText = get("OTEL_TRACES_SAMPLER_ARG");
  const ratio = ratioText === undefined ? 1 : Number(ratioText);
  if (!(ratio >= 0 && ratio <= 1)) problems.push(`OTEL_TRACES_SAMPLER_ARG: "${ratioText}" is not in [0, 1]`);
  const delayText = get("OTEL_BSP_SCHEDULE_DELAY");
  const batchDelayMs = delayText === undefined ? undefined : Number(delayText);
  if (batchDelayMs !== undefined && !(Number.isInteger(batchDelayMs) && batchDelayMs >= 0))
    problems.push(`OTEL_BSP_SCHEDULE_DELAY: "${delayText}" is not a number of milliseconds`);
  if (exporter === "otlp") {
    try {
      new URL(url);
    } catch {
      problems.push(`OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT: "${url}" is not a URL`);
    }
  }
  if (problems.length > 0) throw new Error(`Invalid OpenTelemetry settings:\n  ${problems.join("\n  ")}`);
  return {
    exporter,
    url,
    protocol: protocol as TelemetrySettings["protocol"],
    serviceName: get("OTEL_SERVICE_NAME"),
    resourceAttributes: parseResourceAttributes(get("OTEL_RESOURCE_ATTRIBUTES")),
    sampler: { name: samplerName, ratio },
    batchDelayMs,
  };
}

/** `key1=value1,key2=value2`, values percent-encoded (the specification's format). */
function parseResourceAttributes(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text?.split(",") ?? []) {
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    try {
      out[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      // a malformed value is dropped, as the SDK does
    }
  }
  return out;
}
