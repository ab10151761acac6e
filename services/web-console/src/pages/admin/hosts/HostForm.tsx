import { type FormEvent, useEffect, useState } from "react";
import { Link } from "react-router";
import { asApiError } from "../../../api/errors";
import type { Host } from "../../../api/types";
import { Button } from "../../../components/Button";
import { TextAreaField, TextField } from "../../../components/Field";
import { FormErrorSummary } from "../../../components/FormErrorSummary";
import { RadioGroup, type RadioOption } from "../../../components/RadioGroup";
import { useRefusalFocus } from "../../../lib/useRefusalFocus";
import {
  formProblems,
  type HostFormValues,
  hostFieldError,
  hostFieldLabel,
  type TlsMode,
  tlsModeOf,
} from "./host-form";
import { NodeEndpointFields } from "./NodeEndpointFields";

interface HostFormProps {
  readonly initial: HostFormValues;
  /** The stored host when editing (what the hints about kept credentials refer to). */
  readonly host?: Host | undefined;
  readonly busy: boolean;
  /** The API's refusal of the last submission. */
  readonly error: unknown;
  readonly submitLabel: string;
  readonly cancelTo: string;
  onSubmit(values: HostFormValues): void;
}

function tlsOptions(host: Host | undefined): RadioOption<TlsMode>[] {
  // A PUT keeps what it leaves out, so a stored pin or CA can be replaced by the other, never dropped.
  const verified = host !== undefined && (tlsModeOf(host) === "pin" || tlsModeOf(host) === "ca");
  const locked = verified
    ? "A pinned certificate or a CA, once set, can only be replaced by the other."
    : undefined;
  return [
    {
      value: "pin",
      label: "Pin the certificate (SHA-256 fingerprint)",
      hint: "For Proxmox's own self-signed certificate: only that exact certificate is accepted.",
    },
    {
      value: "ca",
      label: "Trust a CA certificate (PEM)",
      hint: "For a certificate issued by your own certificate authority.",
    },
    {
      value: "system",
      label: "Public CA (system trust store)",
      hint: locked ?? "For a certificate from a public authority such as Let's Encrypt.",
      disabled: verified,
    },
    {
      value: "insecure",
      label: "Plain HTTP, no TLS (development only)",
      hint:
        locked ??
        "Credentials cross the network unencrypted; refused unless Proximity runs in development mode.",
      disabled: verified,
    },
  ];
}

/** Registers or changes a Proxmox host. Credentials are write-only: the form never shows stored ones. */
export function HostForm({ initial, host, busy, error, submitLabel, cancelTo, onSubmit }: HostFormProps) {
  const [values, setValues] = useState(initial);
  const [localError, setLocalError] = useState<ReturnType<typeof formProblems>>(null);
  const editing = host !== undefined;
  const shown = localError ?? (error ? asApiError(error) : null);
  const at = (field: string) => hostFieldError(shown, field);
  const set = <Key extends keyof HostFormValues>(key: Key, value: HostFormValues[Key]) =>
    setValues((current) => ({ ...current, [key]: value }));
  const keepHint = "Leave empty to keep the stored one.";
  const { ref, refused } = useRefusalFocus();
  // The API's refusal arrives from the page's mutation: take the keyboard to it too.
  useEffect(() => {
    if (error) refused();
  }, [error, refused]);

  function submit(event: FormEvent) {
    event.preventDefault();
    const problems = formProblems(values, host);
    setLocalError(problems);
    if (problems) refused();
    else onSubmit(values);
  }

  const tokenMode = values.authMode === "api_token";
  return (
    <form ref={ref} className="form host-form" onSubmit={submit} noValidate>
      <FormErrorSummary error={shown} labelOf={(field) => hostFieldLabel(field, values.authMode)} />

      <fieldset className="fieldset">
        <legend>Connection</legend>
        {editing ? (
          <p>
            <strong>Name:</strong> {values.name} <span className="muted">(cannot be changed)</span>
          </p>
        ) : (
          <TextField
            label="Name"
            hint="1 to 63 characters: a–z, 0–9, '-', '_', '.', starting with a letter or digit. Cannot be changed later."
            required
            value={values.name}
            error={at("name")}
            onChange={(e) => set("name", e.target.value)}
          />
        )}
        <TextField
          label="Address"
          hint="Host name or IP address of the Proxmox API."
          required
          value={values.address}
          error={at("address")}
          onChange={(e) => set("address", e.target.value)}
        />
        <TextField
          label="Port"
          type="number"
          inputMode="numeric"
          min={1}
          max={65535}
          hint="8006 unless you changed it."
          value={values.port}
          error={at("port")}
          onChange={(e) => set("port", e.target.value)}
        />
        <TextField
          label="Backup storage"
          hint="The Proxmox storage (with backup content) that backups of this host's apps go to. Empty: local."
          spellCheck={false}
          value={values.backupStorage}
          error={at("backup_storage")}
          onChange={(e) => set("backupStorage", e.target.value)}
        />
      </fieldset>

      <fieldset className="fieldset">
        <legend>API access</legend>
        {editing ? (
          <p>
            <strong>Sign-in method:</strong> {tokenMode ? "API token" : "Password"}{" "}
            <span className="muted">(cannot be changed)</span>
          </p>
        ) : (
          <RadioGroup
            legend="Sign-in method"
            name="auth_mode"
            value={values.authMode}
            error={at("auth_mode")}
            options={[
              {
                value: "api_token",
                label: "API token",
                hint: "Recommended: a token limited to what Proximity needs.",
              },
              { value: "password", label: "User and password" },
            ]}
            onChange={(mode) => set("authMode", mode)}
          />
        )}
        <TextField
          label={tokenMode ? "API token ID" : "Proxmox user"}
          hint={tokenMode ? "user@realm!tokenid, e.g. root@pam!proximity." : "user@realm, e.g. root@pam."}
          required
          spellCheck={false}
          autoComplete="off"
          value={values.username}
          error={at("username")}
          onChange={(e) => set("username", e.target.value)}
        />
        <TextField
          label={tokenMode ? "API token secret" : "Password"}
          type="password"
          autoComplete="new-password"
          required={!editing}
          hint={
            editing
              ? `${keepHint} Needed again when you change the address, the port or the TLS verification.`
              : "Stored encrypted by the secrets service and never shown again."
          }
          value={values.apiSecret}
          error={at("api_secret")}
          onChange={(e) => set("apiSecret", e.target.value)}
        />
      </fieldset>

      <fieldset className="fieldset">
        <legend>TLS verification</legend>
        <RadioGroup
          legend="How Proximity checks the API's certificate"
          name="tls_mode"
          value={values.tlsMode}
          error={at("insecure_http")}
          options={tlsOptions(host)}
          onChange={(mode) => set("tlsMode", mode)}
        />
        {values.tlsMode === "pin" ? (
          <TextField
            label="Certificate SHA-256 fingerprint"
            hint="32 bytes as AA:BB:…, e.g. from `openssl x509 -in /etc/pve/local/pve-ssl.pem -noout -fingerprint -sha256`."
            required
            spellCheck={false}
            autoComplete="off"
            value={values.tlsFingerprint}
            error={at("tls_fingerprint")}
            onChange={(e) => set("tlsFingerprint", e.target.value)}
          />
        ) : null}
        {values.tlsMode === "ca" ? (
          <TextAreaField
            label="CA certificate (PEM)"
            className="mono"
            rows={6}
            spellCheck={false}
            required={!host?.tls_ca_fingerprint}
            hint={
              host?.tls_ca_fingerprint
                ? `A CA is set (SHA-256 ${host.tls_ca_fingerprint}). ${keepHint} Paste a new PEM to replace it.`
                : "The -----BEGIN CERTIFICATE----- block of the authority that issued the API's certificate."
            }
            value={values.tlsCaPem}
            error={at("tls_ca_pem")}
            onChange={(e) => set("tlsCaPem", e.target.value)}
          />
        ) : null}
        {values.tlsMode === "insecure" ? (
          <p className="notice notice-warning">
            Without TLS the API secret crosses the network in clear. Use this only with a local simulator.
          </p>
        ) : null}
      </fieldset>

      <fieldset className="fieldset">
        <legend>SSH</legend>
        <p className="hint">
          {editing
            ? "Leave the password and the key empty to keep the stored SSH credentials; a new password or key replaces both. They are needed again when you change a node's SSH endpoint or host key, or add a node."
            : "Proximity runs commands on the nodes over SSH. Give a password, a private key, or both."}
        </p>
        <TextField
          label="SSH user"
          hint="root unless you set up another user."
          spellCheck={false}
          autoComplete="off"
          value={values.sshUsername}
          error={at("ssh_username")}
          onChange={(e) => set("sshUsername", e.target.value)}
        />
        <TextField
          label="SSH password"
          type="password"
          autoComplete="new-password"
          hint={editing ? keepHint : undefined}
          value={values.sshPassword}
          error={at("ssh_password")}
          onChange={(e) => set("sshPassword", e.target.value)}
        />
        <TextAreaField
          label="SSH private key"
          className="mono"
          rows={5}
          spellCheck={false}
          autoComplete="off"
          hint={editing ? `${keepHint} OpenSSH or PEM format.` : "OpenSSH or PEM format."}
          value={values.sshPrivateKey}
          error={at("ssh_private_key")}
          onChange={(e) => set("sshPrivateKey", e.target.value)}
        />
      </fieldset>

      <NodeEndpointFields nodes={values.nodes} error={shown} onChange={(nodes) => set("nodes", nodes)} />

      <div className="actions">
        <Button type="submit" className="button button-primary" unavailable={busy}>
          {busy ? "Saving…" : submitLabel}
        </Button>
        <Link className="button" to={cancelTo}>
          Cancel
        </Link>
      </div>
    </form>
  );
}
