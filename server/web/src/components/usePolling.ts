// Calls `tick` every `intervalMs` while the tab is visible; when the tab
// comes back into view it calls at once and resumes the rhythm.
import { useEffect, useRef } from "preact/hooks";

export function usePolling(tick: () => void, intervalMs: number): void {
  const saved = useRef(tick);
  saved.current = tick;
  useEffect(() => {
    let timer: number | undefined;
    const start = () => {
      if (timer === undefined) timer = window.setInterval(() => saved.current(), intervalMs);
    };
    const stop = () => {
      if (timer !== undefined) window.clearInterval(timer);
      timer = undefined;
    };
    const onVisibility = () => {
      if (document.hidden) stop();
      else {
        saved.current();
        start();
      }
    };
    if (!document.hidden) start();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      stop();
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [intervalMs]);
}
