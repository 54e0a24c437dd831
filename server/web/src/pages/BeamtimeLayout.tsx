// The frame of every beamtime page: which beamtime, and the tabs.
import { useEffect } from "preact/hooks";
import { api } from "../api/client";
import type { Beamtime } from "../api/types";
import { ErrorText } from "../components/ErrorText";
import { Link } from "../components/Link";
import { useLoad } from "../components/useLoad";
import { beamtimePath, type BeamtimeTab } from "../lib/router";
import { AttributiPage } from "./AttributiPage";
import { ChemicalsPage } from "./ChemicalsPage";
import { DataSetsPage } from "./DataSetsPage";
import { EventsPage } from "./EventsPage";
import { ExperimentTypesPage } from "./ExperimentTypesPage";
import { OverviewPage } from "./OverviewPage";
import { RunsPage } from "./RunsPage";
import { SchedulePage } from "./SchedulePage";

const TAB_LABELS: Record<BeamtimeTab, string> = {
  overview: "Overview",
  runs: "Runs",
  events: "Events",
  chemicals: "Chemicals",
  attributi: "Attributi",
  "experiment-types": "Experiment types",
  "data-sets": "Data sets",
  schedule: "Schedule",
};

function page(tab: BeamtimeTab, bt: Beamtime) {
  switch (tab) {
    case "overview":
      return <OverviewPage beamtime={bt} />;
    case "runs":
      return <RunsPage beamtime={bt} />;
    case "events":
      return <EventsPage beamtime={bt} />;
    case "chemicals":
      return <ChemicalsPage beamtime={bt} />;
    case "attributi":
      return <AttributiPage beamtime={bt} />;
    case "experiment-types":
      return <ExperimentTypesPage beamtime={bt} />;
    case "data-sets":
      return <DataSetsPage beamtime={bt} />;
    case "schedule":
      return <SchedulePage beamtime={bt} />;
  }
}

export function BeamtimeLayout(props: { beamtimeId: number; tab: BeamtimeTab }) {
  const bt = useLoad(() => api.beamtime(props.beamtimeId), [props.beamtimeId]);
  useEffect(() => {
    if (bt.data) document.title = `${TAB_LABELS[props.tab]} · ${bt.data.title || bt.data.external_id} · AMARCORD`;
  }, [bt.data, props.tab]);
  return (
    <>
      <header class="top">
        <Link href="/" class="brand">
          AMARCORD
        </Link>
        {bt.data && (
          <span class="beamtime-name" title={bt.data.comment}>
            {bt.data.beamline} · {bt.data.external_id} · {bt.data.title}
          </span>
        )}
        <nav aria-label="Beamtime pages">
          {(Object.keys(TAB_LABELS) as BeamtimeTab[]).map((t) => (
            <Link key={t} href={beamtimePath(props.beamtimeId, t)} current={t === props.tab}>
              {TAB_LABELS[t]}
            </Link>
          ))}
        </nav>
      </header>
      <main id="main" class={props.tab === "runs" ? "wide" : undefined}>
        <ErrorText error={bt.error} />
        {bt.data && <div key={bt.data.id}>{page(props.tab, bt.data)}</div>}
      </main>
    </>
  );
}
