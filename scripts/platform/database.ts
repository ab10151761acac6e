/**
 * The platform's PostgreSQL database: created when missing (dev), or a scratch one of a benchmark,
 * dropped afterwards with the roles setup made for it (roles are cluster-wide: `<database>_*`,
 * see serviceRoleNames).
 */
import pg from "pg";

const quoted = (name: string) => {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
  return `"${name}"`;
};

/** Runs `work` on a superuser connection to the `postgres` database of `url`'s server. */
async function onServer<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The database's name in a postgres:// URL. */
export const databaseName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));

/** Creates the database `url` names unless it exists. */
export async function ensureDatabase(url: string): Promise<void> {
  const name = databaseName(url);
  await onServer(url, async (client) => {
    const exists = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (exists.rowCount === 0) await client.query(`create database ${quoted(name)}`);
  });
}

/** Drops the database `url` names (closing its connections) and every role named `<database>_…`. */
export async function dropDatabaseAndRoles(url: string): Promise<void> {
  const name = databaseName(url);
  await onServer(url, async (client) => {
    await client.query(`drop database if exists ${quoted(name)} with (force)`);
    const roles = await client.query<{ rolname: string }>(
      "select rolname from pg_roles where rolname like $1",
      [`${name.replace(/_/g, "\\_")}\\_%`],
    );
    for (const { rolname } of roles.rows) await client.query(`drop role ${quoted(rolname)}`);
  });
}

/** Whether the database `url` names exists, and the roles left for it (to check a teardown). */
export async function databaseLeftovers(url: string): Promise<{ database: boolean; roles: string[] }> {
  const name = databaseName(url);
  return onServer(url, async (client) => {
    const db = await client.query("select 1 from pg_database where datname = $1", [name]);
    const roles = await client.query<{ rolname: string }>(
      "select rolname from pg_roles where rolname like $1",
      [`${name.replace(/_/g, "\\_")}\\_%`],
    );
    return { database: (db.rowCount ?? 0) > 0, roles: roles.rows.map((r) => r.rolname) };
  });
}
