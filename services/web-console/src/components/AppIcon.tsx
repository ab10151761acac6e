import { useState } from "react";
import { externalUrl } from "../lib/external-url";

interface AppIconProps {
  readonly name: string;
  /** The catalog's icon: an external https URL (anything else is not loaded). */
  readonly icon: string | null | undefined;
  /** small beside a line of text, medium on a card, large beside a heading. */
  readonly size?: "small" | "medium" | "large";
}

/**
 * A catalog app's icon over a letter avatar: the letter shows while the image loads and stays when
 * it cannot (offline, blocked by the CSP, broken link). Decorative: the app's name is always beside it.
 */
export function AppIcon({ name, icon, size = "medium" }: AppIconProps) {
  const [failed, setFailed] = useState(false);
  const source = externalUrl(icon, ["https:"]);
  const letter = name.trim().charAt(0).toUpperCase() || "?";
  return (
    <span className={`app-icon app-icon-${size}`} aria-hidden="true">
      <span className="app-icon-letter">{letter}</span>
      {source && !failed ? (
        <img
          src={source}
          alt=""
          loading="lazy"
          referrerPolicy="no-referrer"
          onError={() => setFailed(true)}
        />
      ) : null}
    </span>
  );
}
