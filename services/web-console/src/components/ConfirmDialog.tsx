import { type ReactNode, useEffect, useId, useRef } from "react";
import { Button } from "./Button";

interface ConfirmDialogProps {
  readonly open: boolean;
  readonly title: string;
  /** What happens on confirming, and any fields it needs. */
  readonly children: ReactNode;
  readonly confirmLabel: string;
  /** Styles the confirm button as destructive. */
  readonly danger?: boolean;
  /** While the confirmed action runs: both buttons wait, and Escape does not close. */
  readonly busy?: boolean;
  /** The action cannot be done (the dialog's body says why): the confirm button is unavailable. */
  readonly unavailable?: boolean;
  onConfirm(): void;
  onCancel(): void;
}

/**
 * A modal confirmation on the native <dialog>: the browser traps focus inside, Escape cancels, and
 * focus returns to the button that opened it when it closes. It holds a real <form>, so Enter in a
 * field confirms, and its heading id is unique, so several dialogs can live on one page. Where
 * showModal is missing it opens as a plain open dialog. It opens with the focus on its first field
 * (a checked radio, an input) or else on Cancel, the safe choice: never on the page behind it.
 * While busy its buttons are unavailable (aria-disabled), so the focus stays in the dialog.
 */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { open, title, children, confirmLabel, danger, busy, unavailable, onConfirm, onCancel } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) {
      if (typeof element.showModal === "function") element.showModal();
      else element.open = true;
      initialFocus(element)?.focus();
    }
    if (!open && element.open) {
      if (typeof element.close === "function") element.close();
      else element.open = false;
    }
  }, [open]);
  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
    >
      <form
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (!busy && !unavailable) onConfirm();
        }}
      >
        <h2 id={titleId}>{title}</h2>
        <div className="dialog-body">{children}</div>
        <div className="dialog-actions">
          <Button className="button" data-dialog-cancel onClick={onCancel} unavailable={busy}>
            Cancel
          </Button>
          <Button
            type="submit"
            className={danger ? "button button-danger" : "button button-primary"}
            unavailable={busy || unavailable}
            aria-busy={busy || undefined}
          >
            {busy ? "Working…" : confirmLabel}
          </Button>
        </div>
      </form>
    </dialog>
  );
}

/** The dialog's first field (the checked radio of a group), else its Cancel button. */
function initialFocus(dialog: HTMLDialogElement): HTMLElement | null {
  const field = dialog.querySelector<HTMLElement>(
    '.dialog-body :is(input[type="radio"]:checked, input:not([type="radio"]):not([type="hidden"]), select, textarea):not(:disabled)',
  );
  return field ?? dialog.querySelector<HTMLElement>("[data-dialog-cancel]");
}
