import type { ReactNode } from "react";
import { Link } from "react-router";
import { SelectField } from "../../components/Field";
import { InlineError } from "../../components/States";
import { hostStatusOf } from "./hosts/host-labels";
import { useHosts } from "./hosts/host-queries";

interface HostSelectProps {
  readonly value: string;
  readonly hint?: ReactNode;
  /** The first option's text when a blank choice is allowed ("All hosts"), else a host must be chosen. */
  readonly blankLabel: string;
  onChange(hostId: string): void;
}

/** Picks a registered host; each option says whether the host answers. */
export function HostSelect({ value, hint, blankLabel, onChange }: HostSelectProps) {
  const hosts = useHosts();
  if (hosts.isError) return <InlineError error={hosts.error} />;
  if (hosts.data && hosts.data.items.length === 0) {
    return (
      <p className="state state-empty">
        No host is registered yet. <Link to="/admin/hosts/new">Add a host</Link> first.
      </p>
    );
  }
  return (
    <SelectField
      label="Host"
      hint={hint}
      value={value}
      disabled={hosts.isPending}
      onChange={(event) => onChange(event.target.value)}
    >
      <option value="">{hosts.isPending ? "Loading hosts…" : blankLabel}</option>
      {hosts.data?.items.map((host) => (
        <option key={host.id} value={host.id}>
          {host.name} ({hostStatusOf(host.status).label.toLowerCase()})
        </option>
      ))}
    </SelectField>
  );
}
