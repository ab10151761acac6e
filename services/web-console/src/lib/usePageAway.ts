import { useEffect, useState } from "react";

const isHidden = () => typeof document !== "undefined" && document.visibilityState === "hidden";

/**
 * True once the page has been hidden (another tab, a minimised window, a locked phone) for
 * `graceMs`, false again as soon as it is back in view. The grace keeps a quick look at another
 * tab from tearing down and rebuilding what the page holds open.
 */
export function usePageAway(graceMs: number): boolean {
  const [away, setAway] = useState(false);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const follow = () => {
      clearTimeout(timer);
      timer = undefined;
      if (isHidden()) timer = setTimeout(() => setAway(true), graceMs);
      else setAway(false);
    };
    follow();
    document.addEventListener("visibilitychange", follow);
    return () => {
      clearTimeout(timer);
      document.removeEventListener("visibilitychange", follow);
    };
  }, [graceMs]);

  return away;
}
