import type { Host } from "../../../api/types";
import { Badge } from "../../../components/Badge";
import { formatDateTime } from "../../../lib/format";
import { hostStatusOf } from "./host-labels";

/** A host's status in words, with the reason when it does not answer and when it was last checked. */
export function HostHealth({ host }: { readonly host: Host }) {
  const status = hostStatusOf(host.status);
  return (
    <div className="host-health">
      <Badge tone={status.tone}>{status.label}</Badge>
      {host.last_check_error ? <p className="field-error">{host.last_check_error}</p> : null}
      <p className="hint">
        {host.last_checked_at ? `Last checked ${formatDateTime(host.last_checked_at)}` : "Never checked"}
      </p>
    </div>
  );
}

/** Shown at the top of a host that is down: what it means for apps and placements. */
export function HostDownNotice({ host }: { readonly host: Host }) {
  if (host.status !== "unreachable") return null;
  return (
    <div className="notice notice-warning" role="status">
      <p>
        <strong>This host is not reachable.</strong>{" "}
        {host.last_check_error ?? "It did not answer the last check."}
      </p>
      <p>
        New apps are not placed on it. Its apps are left as they are and work again when it answers; check the
        address, the credentials and the network, then test the connection.
      </p>
    </div>
  );
}
