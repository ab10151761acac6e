/**
 * The bare baseline of the list benchmark, in a process of its own: fastify → pg answering the
 * same page as GET /api/apps?per_page=50 (one owner's live apps, newest first) from the same table,
 * with no authentication, rate limit, gRPC or validation. Prints `listening <url>` on stdout.
 * Input: BARE_DATABASE_URL, BARE_OWNER_ID, BARE_POOL_MAX (default 10, the services' pool size).
 */
import Fastify from "fastify";
import pg from "pg";

const pool = new pg.Pool({
  connectionString: process.env.BARE_DATABASE_URL,
  max: Number(process.env.BARE_POOL_MAX ?? 10),
  options: "-c search_path=applications",
});
const owner = process.env.BARE_OWNER_ID ?? "";
const app = Fastify({ logger: false });

app.get("/apps", async (request) => {
  const perPage = Math.min(100, Number((request.query as { per_page?: string }).per_page ?? 20));
  const { rows } = await pool.query(
    `select * from apps where owner_id = $1 and status <> 'gone'
     order by created_at desc, id desc limit $2`,
    [owner, perPage],
  );
  return { items: rows, per_page: perPage };
});

const url = await app.listen({ host: "127.0.0.1", port: 0 });
process.stdout.write(`listening ${url}\n`);
const stop = async () => {
  await app.close();
  await pool.end();
  process.exit(0);
};
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
