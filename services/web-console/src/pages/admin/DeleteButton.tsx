import { type QueryKey, useMutation, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useState } from "react";
import { useNavigate } from "react-router";
import { ConfirmDialog } from "../../components/ConfirmDialog";
import { InlineError } from "../../components/States";

interface DeleteButtonProps {
  /** The question the dialog asks, e.g. "Delete host pve-lab?". */
  readonly title: string;
  /** Its confirming button, e.g. "Delete host". */
  readonly confirmLabel: string;
  /** Sends the DELETE (rejects with the API's error, shown in the dialog: a 409 says why not). */
  remove(): Promise<unknown>;
  /** The record's own query, dropped once it is gone, and its area's, read again. */
  readonly keys: { readonly one: QueryKey; readonly all: QueryKey };
  /** The list the page leaves for, in place of the deleted record's page. */
  readonly backTo: string;
  /** What deleting does, and what the API refuses. */
  readonly children: ReactNode;
}

/**
 * An admin record's Delete button and its confirmation. Once the API has deleted it, the record's
 * cache goes (so nothing shows it again), its list is read afresh, and the page is replaced by the
 * list: Back does not lead to a record that is gone.
 */
export function DeleteButton({ title, confirmLabel, remove, keys, backTo, children }: DeleteButtonProps) {
  const [open, setOpen] = useState(false);
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const deletion = useMutation({
    mutationFn: remove,
    onSuccess: async () => {
      queryClient.removeQueries({ queryKey: keys.one });
      await queryClient.invalidateQueries({ queryKey: keys.all });
      navigate(backTo, { replace: true });
    },
  });
  return (
    <>
      <button type="button" className="button button-danger" onClick={() => setOpen(true)}>
        Delete
      </button>
      <ConfirmDialog
        open={open}
        title={title}
        confirmLabel={confirmLabel}
        danger
        busy={deletion.isPending}
        onConfirm={() => deletion.mutate()}
        onCancel={() => {
          setOpen(false);
          deletion.reset();
        }}
      >
        {children}
        <InlineError error={deletion.error} />
      </ConfirmDialog>
    </>
  );
}
