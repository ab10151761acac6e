import type { ReactNode } from "react";

/** How a state feels: good, under way, resting or wrong. */
export type Tone = "ok" | "busy" | "idle" | "bad";

/** A state in a word, with its tone (the word carries the meaning, the colour only helps). */
export function Badge({ tone, children }: { readonly tone: Tone; readonly children: ReactNode }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}
