/** Publishes HostCheckRequested as the hosts service would, and reads the HostChecked answers. */
import { randomUUID } from "node:crypto";
import { type Bus, Events, envelopeHeaders, newTraceparent, streamName, subjectOf } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import { eventually } from "@proximity/testing";

export async function requestCheck(bus: Bus, hostId: string): Promise<string> {
  const checkId = randomUUID();
  await bus.js.publish(
    subjectOf(bus.ns, Events.HostCheckRequested.subject),
    Events.HostCheckRequested.codec.encode({ checkId, hostId }).finish(),
    {
      headers: envelopeHeaders({
        id: randomUUID(),
        type: Events.HostCheckRequested.type,
        source: "hosts",
        time: new Date().toISOString(),
        traceparent: newTraceparent(),
      }),
    },
  );
  return checkId;
}

export async function hostChecked(bus: Bus): Promise<provisionerEventsV1.HostChecked[]> {
  const name = streamName(bus.ns, "PROVISIONER");
  const { state } = await bus.jsm.streams.info(name);
  const out: provisionerEventsV1.HostChecked[] = [];
  for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
    const m = await bus.jsm.streams.getMessage(name, { seq });
    if (m.header.get("ce-type") === Events.HostChecked.type)
      out.push(Events.HostChecked.codec.decode(m.data));
  }
  return out;
}

export const reportFor = (bus: Bus, checkId: string) =>
  eventually(async () => (await hostChecked(bus)).find((r) => r.checkId === checkId), {
    timeoutMs: 15_000,
    what: `HostChecked ${checkId}`,
  });
