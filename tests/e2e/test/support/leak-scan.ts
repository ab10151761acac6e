/**
 * Where a leaked secret could hide, rendered as searchable text: every row of every table of the
 * platform's database, and every message of its bus namespace's streams (dead letters included).
 * Binary values are searched decoded, not only as PostgreSQL's `\x…` text: bytea as raw bytes
 * (latin1, so ASCII plaintext shows as is), hex and base64; jsonb as JSON; outbox payloads and
 * stream messages also decoded with their event's protobuf codec (found by the `ce-type`).
 */
import { applicationsEventsV1, backupsEventsV1, hostsEventsV1, provisionerEventsV1 } from "@proximity/proto";
import { connect } from "nats";
import pg from "pg";

type Codec = { decode(bytes: Uint8Array): unknown; toJSON(message: never): unknown };

/** Every event message type, by CloudEvents type (`proximity.events.v1.<Name>`). */
const codecs = new Map<string, Codec>();
for (const ns of [applicationsEventsV1, backupsEventsV1, hostsEventsV1, provisionerEventsV1]) {
  for (const [name, value] of Object.entries(ns)) {
    const codec = value as Partial<Codec>;
    if (typeof codec?.decode === "function" && typeof codec.toJSON === "function")
      codecs.set(`proximity.events.v1.${name}`, codec as Codec);
  }
}

/** All the renderings of one binary value that a search must see through. */
function renderBytes(bytes: Uint8Array, eventType?: string): string[] {
  const buf = Buffer.from(bytes);
  const out = [buf.toString("latin1"), buf.toString("hex"), buf.toString("base64")];
  const codec = eventType ? codecs.get(eventType) : undefined;
  if (codec) out.push(JSON.stringify(codec.toJSON(codec.decode(buf) as never)));
  return out;
}

function renderValue(value: unknown, eventType?: string): string[] {
  if (value === null || value === undefined) return [];
  if (value instanceof Uint8Array) return renderBytes(value, eventType);
  if (value instanceof Date) return [value.toISOString()];
  if (typeof value === "object") return [JSON.stringify(value)];
  return [String(value)];
}

/** One text per table (`schema.table`): each row as PostgreSQL's text plus every column decoded. */
export async function dumpAllTables(databaseUrl: string): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ table_schema: string; table_name: string }>(
      "select table_schema, table_name from information_schema.tables where table_schema not in ('pg_catalog','information_schema') and table_type = 'BASE TABLE'",
    );
    const dump = new Map<string, string>();
    for (const { table_schema, table_name } of tables.rows) {
      const rows = await client.query(
        `select t::text as "__row_text", t.* from "${table_schema}"."${table_name}" t`,
      );
      const texts: string[] = [];
      for (const row of rows.rows as Record<string, unknown>[]) {
        const eventType = typeof row.type === "string" ? row.type : undefined; // outbox rows
        for (const value of Object.values(row)) texts.push(...renderValue(value, eventType));
      }
      dump.set(`${table_schema}.${table_name}`, texts.join("\n"));
    }
    return dump;
  } finally {
    await client.end();
  }
}

/**
 * One text per stream of the namespace (`<NS>_*`, and its KV buckets `KV_<ns>_*`): every message's
 * headers and payload, decoded. `namespace` is the platform's BUS_NAMESPACE.
 */
export async function dumpAllStreams(natsUrl: string, namespace: string): Promise<Map<string, string>> {
  const nc = await connect({ servers: natsUrl, name: "e2e-leak-scan" });
  try {
    const jsm = await nc.jetstreamManager();
    const dump = new Map<string, string>();
    for await (const name of jsm.streams.names()) {
      if (!name.startsWith(`${namespace.toUpperCase()}_`) && !name.startsWith(`KV_${namespace}_`)) continue;
      const { state } = await jsm.streams.info(name);
      const texts: string[] = [];
      for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
        const m = await jsm.streams.getMessage(name, { seq }).catch(() => undefined); // deleted seq
        if (!m) continue;
        texts.push(m.subject);
        for (const [key, values] of m.header ?? []) texts.push(`${key}: ${values.join(",")}`);
        texts.push(...renderBytes(m.data, m.header?.get("ce-type") || undefined));
      }
      dump.set(name, texts.join("\n"));
    }
    return dump;
  } finally {
    await nc.close();
  }
}

/** What to search for: the value itself and its hex and base64 encodings. */
export function encodingsOf(value: string): string[] {
  const bytes = Buffer.from(value, "utf8");
  return [value, bytes.toString("hex"), bytes.toString("base64").replace(/=+$/, "")];
}
