import type { ButtonHTMLAttributes, MouseEvent } from "react";

interface ButtonProps extends Omit<ButtonHTMLAttributes<HTMLButtonElement>, "disabled" | "aria-disabled"> {
  /** Not possible now: the button says so (aria-disabled) and does nothing, but keeps the focus. */
  readonly unavailable?: boolean;
}

/**
 * A button that may become unavailable while it has the focus (Stop, once the stop is sent). The
 * `disabled` attribute would drop the focus to the page (a keyboard user loses their place, and
 * the focus ring with it); `aria-disabled` keeps it focusable, announced as unavailable, with the
 * focus ring shown (base.css styles both alike). A click or Enter then does nothing.
 */
export function Button({ unavailable = false, onClick, type = "button", ...props }: ButtonProps) {
  const click = (event: MouseEvent<HTMLButtonElement>) => {
    if (unavailable) {
      event.preventDefault(); // a submit button sends no form either
      return;
    }
    onClick?.(event);
  };
  return <button {...props} type={type} aria-disabled={unavailable || undefined} onClick={click} />;
}
