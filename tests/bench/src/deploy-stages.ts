/**
 * The per-stage breakdown of one deploy, read from what the platform already records: the app row
 * (applications), the outbox rows of both services (created at commit time, published by the
 * relay), the provisioner's operation journal (its row and each step's last change), the app's
 * log lines and the applications service's inbox (when it processed the result). Times are
 * milliseconds since the client sent POST /api/apps, on the database's clock (`now()` is the start
 * of each transaction), so they line up with each other within a millisecond or so.
 */
import pg from "pg";

export interface Stage {
  /** What happened by then, e.g. "provisioner: step create-container done". */
  readonly what: string;
  /** Milliseconds since POST /api/apps was sent. */
  readonly atMs: number;
}

const q = (schema: string, table: string) => `"${schema}"."${table}"`;

/**
 * Reads the timeline of `appId`'s deploy from `databaseUrl` (a superuser or any role that reads
 * every service's schema). `postedAt` is when the client sent the POST (Date.now()).
 */
export async function deployStages(databaseUrl: string, appId: string, postedAt: number): Promise<Stage[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const rel = (t: Date | null | undefined) => (t ? t.getTime() - postedAt : Number.NaN);
    const stages: Stage[] = [];
    const add = (what: string, at: Date | null | undefined) => {
      if (at) stages.push({ what, atMs: rel(at) });
    };
    const app = (
      await client.query(`select created_at, updated_at from ${q("applications", "apps")} where id = $1`, [
        appId,
      ])
    ).rows[0];
    add("applications: deploy transaction (app row inserted)", app?.created_at);
    const req = (
      await client.query(
        `select created_at, published_at from ${q("applications", "outbox")} where headers->>'ce-subject' = $1 and type like '%AppDeployRequested' order by seq limit 1`,
        [appId],
      )
    ).rows[0];
    add("applications: outbox relay published AppDeployRequested", req?.published_at);
    const op = (
      await client.query(
        `select id, created_at, updated_at from ${q("provisioner", "operations")} where app_id = $1 and kind = 'deploy' order by created_at limit 1`,
        [appId],
      )
    ).rows[0];
    add("provisioner: request consumed (operation row inserted)", op?.created_at);
    if (op) {
      const steps = await client.query(
        `select name, updated_at from ${q("provisioner", "operation_steps")} where operation_id = $1 order by updated_at`,
        [op.id],
      );
      for (const s of steps.rows) add(`provisioner: step ${s.name} done`, s.updated_at);
      const out = await client.query(
        `select id, type, created_at, published_at from ${q("provisioner", "outbox")} where headers->>'ce-subject' = $1 and type not like '%Progressed' order by seq`,
        [appId],
      );
      for (const o of out.rows) {
        const name = String(o.type).split(".").at(-1);
        add(`provisioner: ${name} committed`, o.created_at);
        add(`provisioner: outbox relay published ${name}`, o.published_at);
        const inbox = await client.query(
          `select processed_at from ${q("applications", "inbox")} where event_id = $1`,
          [o.id],
        );
        add(`applications: ${name} consumed (app settled)`, inbox.rows[0]?.processed_at);
      }
    }
    return stages.sort((a, b) => a.atMs - b.atMs);
  } finally {
    await client.end();
  }
}

/**
 * Each stage's time since the stage before it in its own deploy, the median (the upper one for an
 * even count) over many deploys' timelines, keyed by stage (the client's last line as "client: GET
 * saw status running"): steadier than one deploy's. Where stages came in another order in some
 * deploys, their gaps were measured from another predecessor.
 */
export function medianGaps(
  timelines: readonly { readonly stages: readonly Stage[]; readonly runningAtMs: number }[],
): Map<string, number> {
  const gaps = new Map<string, number[]>();
  for (const { stages, runningAtMs } of timelines) {
    let previous = 0;
    for (const s of [...stages, { what: CLIENT_SAW_RUNNING, atMs: runningAtMs }]) {
      gaps.set(s.what, [...(gaps.get(s.what) ?? []), s.atMs - previous]);
      previous = s.atMs;
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
  return new Map([...gaps].map(([what, xs]) => [what, median(xs)]));
}

const CLIENT_SAW_RUNNING = "client: GET saw status running";

/**
 * Prints a timeline: each stage with its time since POST and since the previous stage, and, given
 * `medians` (medianGaps), the median of that gap over the one-at-a-time deploys.
 */
export function printStages(
  stages: readonly Stage[],
  runningAtMs: number,
  medians?: ReadonlyMap<string, number>,
): void {
  let previous = 0;
  for (const s of [...stages, { what: CLIENT_SAW_RUNNING, atMs: runningAtMs }]) {
    const median = medians?.get(s.what);
    const typical = median === undefined ? "" : `  [median +${median.toFixed(0).padStart(3)}]`;
    console.log(
      `    ${s.atMs.toFixed(0).padStart(6)} ms  (+${(s.atMs - previous).toFixed(0).padStart(4)})${typical}  ${s.what}`,
    );
    previous = s.atMs;
  }
}
