// A small client-side router on the History API: the server answers every
// non-API path with index.html, so deep links and reloads work.
import { useEffect, useState } from "preact/hooks";

type Listener = () => void;
const listeners = new Set<Listener>();

function notify() {
  for (const l of listeners) l();
}

if (typeof window !== "undefined") window.addEventListener("popstate", notify);

export function currentPath(): string {
  return window.location.pathname;
}

export function navigate(to: string, replace = false): void {
  if (to === window.location.pathname + window.location.search) return;
  if (replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.scrollTo(0, 0);
  notify();
}

/** The current path; re-renders the component when it changes. */
export function usePath(): string {
  const [path, setPath] = useState(currentPath());
  useEffect(() => {
    const l = () => setPath(currentPath());
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return path;
}

export type Route =
  | { page: "beamtimes" }
  | { page: "beamtime"; beamtimeId: number; tab: BeamtimeTab }
  | { page: "not-found" };

export const BEAMTIME_TABS = [
  "overview",
  "runs",
  "events",
  "chemicals",
  "attributi",
  "experiment-types",
  "data-sets",
  "schedule",
] as const;
export type BeamtimeTab = (typeof BEAMTIME_TABS)[number];

export function parseRoute(path: string): Route {
  const p = path.replace(/\/+$/, "") || "/";
  if (p === "/" || p === "/beamtimes") return { page: "beamtimes" };
  const m = /^\/beamtimes\/(\d+)(?:\/([a-z-]+))?$/.exec(p);
  if (m) {
    const tab = (m[2] ?? "overview") as BeamtimeTab;
    if ((BEAMTIME_TABS as readonly string[]).includes(tab)) return { page: "beamtime", beamtimeId: Number(m[1]), tab };
  }
  return { page: "not-found" };
}

export const beamtimePath = (id: number, tab: BeamtimeTab = "overview") => `/beamtimes/${id}/${tab}`;
