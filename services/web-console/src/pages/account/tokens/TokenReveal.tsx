import { useEffect, useId, useRef, useState } from "react";
import type { CreatedApiToken } from "../../../api/types";

type CopyState = "idle" | "copied" | "failed";

interface TokenRevealProps {
  readonly token: CreatedApiToken;
  onDone(): void;
}

/**
 * The new token, shown this once: it lives only in the page's memory, so leaving the page (or
 * "Done") forgets it; the API never returns it again.
 */
export function TokenReveal({ token, onDone }: TokenRevealProps) {
  const id = useId();
  const heading = useRef<HTMLHeadingElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const [copy, setCopy] = useState<CopyState>("idle");

  useEffect(() => heading.current?.focus(), []);

  async function copyToken() {
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(token.token);
      setCopy("copied");
    } catch {
      // Insecure origins and some browsers have no clipboard API: select it for a manual copy.
      input.current?.focus();
      input.current?.select();
      setCopy("failed");
    }
  }

  return (
    <section className="panel token-reveal" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`} ref={heading} tabIndex={-1}>
        Copy your new token now
      </h2>
      <p className="notice notice-warning" id={`${id}-warning`}>
        <strong>This is the only time the token is shown.</strong> Store it somewhere safe, such as a password
        manager: once you leave this page it cannot be shown again. If you lose it, revoke it and create
        another.
      </p>
      <div className="field">
        <label htmlFor={`${id}-token`}>Token “{token.name}”</label>
        <div className="copy-row">
          <input
            ref={input}
            id={`${id}-token`}
            className="mono"
            readOnly
            value={token.token}
            aria-describedby={`${id}-warning`}
            spellCheck={false}
            onFocus={(event) => event.target.select()}
          />
          <button type="button" className="button button-primary" onClick={copyToken}>
            Copy
          </button>
        </div>
      </div>
      <p role="status" className={copy === "failed" ? "field-error" : "muted"}>
        {copy === "copied" ? "Copied to the clipboard." : null}
        {copy === "failed"
          ? "Copying is not available here. The token is selected: copy it with Ctrl+C (⌘C on a Mac)."
          : null}
      </p>
      <div className="actions">
        <button type="button" className="button" onClick={onDone}>
          Done, I have stored it
        </button>
      </div>
    </section>
  );
}
