/**
 * Seeds the list benchmark's apps straight into the applications schema: one INSERT … SELECT
 * generate_series per owner (seconds for 20,000 rows). Rows go through the table's triggers like
 * any other insert, so the per-owner counters the list's `total` reads stay consistent.
 */
import pg from "pg";

export interface SeedOptions {
  readonly databaseUrl: string;
  readonly ownerId: string;
  readonly count: number;
  /** Hostname prefix, unique per owner (hostnames are unique among live apps). */
  readonly prefix: string;
}

export async function seedApps(options: SeedOptions): Promise<void> {
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    // Distinct created_at (one second apart, newest first by n) and a status mix like a real fleet.
    await client.query(
      `insert into applications.apps
         (id, owner_id, catalog_id, hostname, status, host_id, node, vmid, port, created_at, updated_at)
       select gen_random_uuid(), $1, 'whoami', $2 || '-' || n,
              case when n % 10 = 0 then 'stopped' when n % 97 = 0 then 'error' else 'running' end,
              'bench-host', 'pve1', null, 80,
              now() - make_interval(secs => n), now() - make_interval(secs => n)
       from generate_series(1, $3::int) as n`,
      [options.ownerId, options.prefix, options.count],
    );
    await client.query("select applications.app_counts_compact(1000)");
    await client.query("vacuum analyze applications.apps, applications.app_counts");
  } finally {
    await client.end();
  }
}
