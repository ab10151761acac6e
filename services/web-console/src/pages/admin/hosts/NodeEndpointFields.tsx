import type { ApiError } from "../../../api/errors";
import { CheckboxField } from "../../../components/CheckboxField";
import { FieldError, TextField } from "../../../components/Field";
import { emptyNode, hostFieldError, type NodeValues } from "./host-form";

interface NodeEndpointFieldsProps {
  readonly nodes: readonly NodeValues[];
  readonly error: ApiError | null;
  onChange(nodes: readonly NodeValues[]): void;
}

/** The host's Proxmox nodes: where each is reached over SSH and the host key it must present. */
export function NodeEndpointFields({ nodes, error, onChange }: NodeEndpointFieldsProps) {
  const update = (index: number, patch: Partial<NodeValues>) =>
    onChange(nodes.map((node, i) => (i === index ? { ...node, ...patch } : node)));
  const at = (index: number, field: string) => hostFieldError(error, `nodes.${index}.${field}`);
  return (
    <fieldset className="fieldset">
      <legend>Nodes</legend>
      <p className="hint">
        Every Proxmox node of this host, with its SSH endpoint. Proximity checks each node's SSH host key
        against the fingerprint given here.
      </p>
      {hostFieldError(error, "nodes") ? <FieldError>{hostFieldError(error, "nodes")}</FieldError> : null}
      {nodes.map((node, index) => (
        // Nodes have no id until saved; their position is what the API's errors refer to.
        <fieldset className="fieldset node-fields" key={index}>
          <legend>Node {index + 1}</legend>
          <TextField
            label="Node name"
            hint="As Proxmox names it, e.g. pve1."
            required
            value={node.name}
            error={at(index, "name")}
            onChange={(e) => update(index, { name: e.target.value })}
          />
          <TextField
            label="SSH host"
            hint="Host name or IP address Proximity connects to over SSH."
            required
            value={node.sshHost}
            error={at(index, "ssh_host")}
            onChange={(e) => update(index, { sshHost: e.target.value })}
          />
          <TextField
            label="SSH port"
            type="number"
            inputMode="numeric"
            min={1}
            max={65535}
            value={node.sshPort}
            error={at(index, "ssh_port")}
            onChange={(e) => update(index, { sshPort: e.target.value })}
          />
          <TextField
            label="SSH host key fingerprint"
            hint="SHA256:… as `ssh-keyscan <host> | ssh-keygen -lf -` prints it."
            spellCheck={false}
            autoComplete="off"
            value={node.hostKey}
            error={at(index, "ssh_host_key_fingerprint")}
            onChange={(e) => update(index, { hostKey: e.target.value })}
          />
          {!node.hostKey.trim() ? (
            <CheckboxField
              label="Trust the key this node presents at the next check"
              hint="Only without a fingerprint: the first key seen is pinned from then on. Prefer giving the fingerprint."
              checked={node.trustOnFirstUse}
              error={at(index, "trust_on_first_use")}
              onChange={(e) => update(index, { trustOnFirstUse: e.target.checked })}
            />
          ) : null}
          {nodes.length > 1 ? (
            <div className="actions">
              <button
                type="button"
                className="button"
                onClick={() => onChange(nodes.filter((_, i) => i !== index))}
              >
                Remove node {index + 1}
              </button>
            </div>
          ) : null}
        </fieldset>
      ))}
      <div className="actions">
        <button type="button" className="button" onClick={() => onChange([...nodes, emptyNode()])}>
          Add a node
        </button>
      </div>
    </fieldset>
  );
}
