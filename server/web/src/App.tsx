// Picks the page for the current path.
import { useEffect } from "preact/hooks";
import { Link } from "./components/Link";
import { BeamtimeLayout } from "./pages/BeamtimeLayout";
import { BeamtimesPage } from "./pages/BeamtimesPage";
import { parseRoute, usePath } from "./lib/router";

export function App() {
  const path = usePath();
  const route = parseRoute(path);
  useEffect(() => {
    if (route.page !== "beamtime") document.title = "AMARCORD";
  }, [route.page]);
  if (route.page === "beamtimes") {
    return (
      <>
        <header class="top">
          <Link href="/" class="brand">
            AMARCORD
          </Link>
        </header>
        <main id="main">
          <BeamtimesPage />
        </main>
      </>
    );
  }
  if (route.page === "beamtime") return <BeamtimeLayout beamtimeId={route.beamtimeId} tab={route.tab} />;
  return (
    <main id="main">
      <h1>Page not found</h1>
      <p>
        <Link href="/">Go to the beamtimes</Link>
      </p>
    </main>
  );
}
