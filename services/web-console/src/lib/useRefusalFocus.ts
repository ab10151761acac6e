import { useCallback, useEffect, useRef, useState } from "react";

/**
 * After a refused submit, takes the keyboard to what needs fixing: the first field marked invalid,
 * else the error summary (or inline error) above the form. Call `refused()` when the browser's own
 * checks or the API refuse; the focus moves once the form has rendered the errors.
 */
export function useRefusalFocus<Element extends HTMLElement = HTMLFormElement>() {
  const ref = useRef<Element>(null);
  const [request, setRequest] = useState(0);
  useEffect(() => {
    if (request === 0) return;
    const root = ref.current;
    const target =
      root?.querySelector<HTMLElement>('[aria-invalid="true"]') ??
      root?.querySelector<HTMLElement>(".error-summary, .inline-error");
    target?.focus();
  }, [request]);
  const refused = useCallback(() => setRequest((n) => n + 1), []);
  return { ref, refused };
}
