import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { api } from "../../../api/client";
import { asApiError, unwrap } from "../../../api/errors";
import type { App, DiscoveredContainer } from "../../../api/types";
import { Button } from "../../../components/Button";
import { SelectField, TextField } from "../../../components/Field";
import { FormErrorSummary } from "../../../components/FormErrorSummary";
import { formatBytes } from "../../../lib/format";
import { useRefusalFocus } from "../../../lib/useRefusalFocus";
import { useFirstCatalogApps } from "../../store/catalog-queries";
import { useFirstUsers } from "../users/user-queries";
import { type AdoptValues, emptyAdoptValues, toAdoptBody } from "./adopt-body";

interface AdoptFormProps {
  readonly hostId: string;
  readonly container: DiscoveredContainer;
  onAdopted(app: App): void;
  onCancel(): void;
}

/** Takes one container under management as an app, optionally of a catalog type and for another owner. */
export function AdoptForm({ hostId, container, onAdopted, onCancel }: AdoptFormProps) {
  const queryClient = useQueryClient();
  const heading = useRef<HTMLHeadingElement>(null);
  const [values, setValues] = useState<AdoptValues>(emptyAdoptValues);
  const catalog = useFirstCatalogApps();
  const owners = useFirstUsers();
  const { ref, refused } = useRefusalFocus();
  const adopt = useMutation({
    mutationFn: () => unwrap(api.POST("/api/apps/adopt", { body: toAdoptBody(hostId, container, values) })),
    onSuccess: async (app) => {
      await queryClient.invalidateQueries({ queryKey: ["admin", "discover", hostId] });
      await queryClient.invalidateQueries({ queryKey: ["apps"] });
      onAdopted(app as App);
    },
    onError: refused,
  });
  const error = adopt.error ? asApiError(adopt.error) : null;
  const set = (key: keyof AdoptValues, value: string) =>
    setValues((current) => ({ ...current, [key]: value }));

  // The form opens below the list: take keyboard and screen reader users to it.
  useEffect(() => heading.current?.focus(), []);

  function submit(event: FormEvent) {
    event.preventDefault();
    adopt.mutate();
  }

  return (
    <section className="panel" aria-labelledby="adopt-form">
      <h2 id="adopt-form" ref={heading} tabIndex={-1}>
        Adopt {container.name} ({container.vmid})
      </h2>
      <p className="muted">
        On node {container.node}: {container.cores} cores, {formatBytes(container.max_mem_bytes)} memory,{" "}
        {formatBytes(container.max_disk_bytes)} disk.
      </p>
      <form ref={ref} className="form" onSubmit={submit} noValidate>
        <FormErrorSummary error={error} />
        <TextField
          label="Host name"
          hint={`The app's name in Proximity. Leave empty to keep the container's own (${container.name}).`}
          placeholder={container.name}
          spellCheck={false}
          autoComplete="off"
          value={values.hostname}
          error={error?.fieldMessage("hostname")}
          onChange={(e) => set("hostname", e.target.value)}
        />
        <SelectField
          label="Catalog app"
          hint="What runs inside, if it is one of the catalog's apps (enables updates from the catalog)."
          value={values.catalogId}
          error={
            error?.fieldMessage("catalog_id") ??
            (catalog.isError ? asApiError(catalog.error).message : undefined)
          }
          onChange={(e) => set("catalogId", e.target.value)}
        >
          <option value="">None: not from the catalog</option>
          {catalog.data?.items.map((item) => (
            <option key={item.id} value={item.id}>
              {item.name} {item.version}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Owner"
          hint="Who operates the app. Only active users can own apps."
          value={values.ownerId}
          error={
            error?.fieldMessage("owner_id") ?? (owners.isError ? asApiError(owners.error).message : undefined)
          }
          onChange={(e) => set("ownerId", e.target.value)}
        >
          <option value="">Me</option>
          {owners.data?.items
            .filter((user) => user.is_active)
            .map((user) => (
              <option key={user.id} value={user.id}>
                {user.username}
              </option>
            ))}
        </SelectField>
        <TextField
          label="Port"
          type="number"
          inputMode="numeric"
          min={1}
          max={65535}
          hint="The port the app listens on inside the container, for its address. Optional."
          value={values.port}
          error={error?.fieldMessage("port")}
          onChange={(e) => set("port", e.target.value)}
        />
        <div className="actions">
          <Button type="submit" className="button button-primary" unavailable={adopt.isPending}>
            {adopt.isPending ? "Adopting…" : "Adopt container"}
          </Button>
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
        </div>
      </form>
    </section>
  );
}
