import { Events } from "@proximity/bus";
import type { EndUser } from "@proximity/grpc";
import { type applicationsV1, provisionerEventsV1 } from "@proximity/proto";
import { eventually } from "@proximity/testing";
import type { AppStatus } from "../../src/domain/app-status.js";
import { as, type Harness } from "./harness.js";

const { OperationKind } = provisionerEventsV1;
let nextVmid = 1000;

/** Test helpers around a harness: deploy, read the current operation, publish provisioner results. */
export function lifeCycle(t: Harness) {
  const deploy = async (
    owner: EndUser,
    hostname: string,
    extra: Partial<applicationsV1.DeployAppRequest> = {},
  ) => {
    // Only admins choose the host: an explicit placement is made with the owner's admin hat on.
    const caller = extra.hostId || extra.node ? { ...owner, isAdmin: true } : owner;
    const { app } = await t.gateway.deployApp(
      { catalogId: "whoami", hostname, hostId: "", node: "", environment: {}, idempotencyKey: "", ...extra },
      as(caller),
    );
    return app!;
  };
  const row = (appId: string) =>
    t.db.selectFrom("apps").selectAll().where("id", "=", appId).executeTakeFirstOrThrow();
  const operationOf = async (appId: string) => {
    const id = (await row(appId)).current_operation_id;
    if (!id) throw new Error(`app ${appId} has no operation`);
    return id;
  };
  const waitFor = (appId: string, status: AppStatus) =>
    eventually(
      async () => {
        const r = await row(appId);
        return r.status === status && r;
      },
      { what: `app ${appId} ${status}` },
    );
  const succeed = async (appId: string, fields: Partial<provisionerEventsV1.OperationSucceeded> = {}) => {
    await t.publish(
      Events.OperationSucceeded,
      provisionerEventsV1.OperationSucceeded.fromPartial({
        operationId: await operationOf(appId),
        appId,
        ...fields,
      }),
    );
  };
  const fail = async (appId: string, fields: Partial<provisionerEventsV1.OperationFailed> = {}) => {
    await t.publish(
      Events.OperationFailed,
      provisionerEventsV1.OperationFailed.fromPartial({
        operationId: await operationOf(appId),
        appId,
        attempts: 1,
        ...fields,
      }),
    );
  };
  /** A deployed app the provisioner reported running. */
  const running = async (owner: EndUser, hostname: string) => {
    const app = await deploy(owner, hostname);
    const vmid = nextVmid++;
    await succeed(app.id, {
      kind: OperationKind.OPERATION_KIND_DEPLOY,
      hostId: app.hostId,
      node: app.node,
      vmid,
      ipAddress: `10.0.${Math.floor(vmid / 250)}.${vmid % 250}`,
      containerStatus: "running",
    });
    return waitFor(app.id, "running");
  };
  const count = async (table: "outbox" | "app_operations") =>
    Number(
      (
        await t.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { deploy, row, operationOf, waitFor, succeed, fail, running, count, nextVmid: () => nextVmid++ };
}
