import { useEffect, useId, useRef } from "react";
import type { CurrentUser } from "../api/types";
import { SignInForm } from "./SignInForm";
import { useSignOut } from "./useSignOut";
import "./auth.css";

function showModal(dialog: HTMLDialogElement) {
  if (dialog.open || !dialog.isConnected) return;
  if (typeof dialog.showModal === "function") dialog.showModal();
  else dialog.open = true;
}

/**
 * Over the open pages when the API stops accepting the session: signing in again as the same
 * person carries on where they were, typed forms included; someone else signing in starts at the
 * home page (RequireSignIn). It cannot be dismissed (the page behind cannot work without a
 * session), only left by signing out. The pages behind are hidden, and so is their title.
 */
export function SessionEndedDialog({ user }: { readonly user: CurrentUser }) {
  const signOut = useSignOut();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();

  useEffect(() => {
    const element = dialog.current;
    if (!element) return undefined;
    // The tab's title named the page behind (an app's host name, a user's): now hidden too.
    const pageTitle = document.title;
    document.title = "Sign in again · Proximity";
    showModal(element);
    // The username is known: what is asked for is the password.
    element.querySelector<HTMLInputElement>('input[type="password"]')?.focus();
    // Browsers may close a modal after repeated Escape presses despite `cancel` being refused.
    const reopen = () => showModal(element);
    element.addEventListener("close", reopen);
    return () => {
      element.removeEventListener("close", reopen);
      document.title = pageTitle;
    };
  }, []);

  return (
    <dialog
      ref={dialog}
      className="dialog session-ended"
      aria-labelledby={titleId}
      onCancel={(event) => event.preventDefault()}
    >
      <h2 id={titleId}>Your session has ended</h2>
      <p>Sign in again to carry on where you were: this page and what you typed in it are kept.</p>
      <SignInForm username={user.username} />
      <p className="session-ended-leave">
        Not {user.username}?{" "}
        <button type="button" className="button button-quiet" onClick={() => void signOut()}>
          Sign out
        </button>
      </p>
    </dialog>
  );
}
