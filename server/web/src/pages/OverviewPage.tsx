// The night-shift dashboard: live camera image with its age, the latest
// run, the current experiment type and data-set figures of merit, who is
// on shift, the newest events and a box to post one. Polls every 5 s while
// the tab is visible.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api, fileUrl, serverClockOffset } from "../api/client";
import type { Beamtime, IndexingFom, ReadRunsOverview, Run } from "../api/types";
import { ErrorText } from "../components/ErrorText";
import { EventForm } from "../components/EventForm";
import { EventList } from "../components/EventList";
import { Link } from "../components/Link";
import { useNow } from "../components/useNow";
import { usePolling } from "../components/usePolling";
import { chemicalNames, formatValue } from "../lib/attributo";
import { beamtimePath } from "../lib/router";
import { formatDateTime, formatDuration, formatTime, formatTimeSeconds, liveImageAge } from "../lib/time";

export const OVERVIEW_POLL_MS = 5000;
const EVENTS_SHOWN = 8;

function LiveImage(props: { overview: ReadRunsOverview; now: number }) {
  const live = props.overview.live_stream;
  if (!live) {
    return (
      <figure class="live empty">
        <div class="placeholder">No camera image yet</div>
      </figure>
    );
  }
  const age = liveImageAge(live.modified, live.modified_local, props.now, serverClockOffset());
  return (
    <figure class="live">
      <img src={fileUrl(live.file_id, live.modified)} alt="Live camera image" />
      <figcaption>
        {age.stale ? (
          <span class="badge stale" role="status">
            stale since {age.staleSince}
          </span>
        ) : (
          <span class="badge ok">live</span>
        )}{" "}
        <span class="muted">
          image from {formatTimeSeconds(live.modified_local)} ({formatDuration(age.ageMs)} ago)
        </span>
      </figcaption>
    </figure>
  );
}

function Fom(props: { fom: IndexingFom }) {
  return (
    <dl class="foms">
      <div>
        <dt>Hit rate</dt>
        <dd>{props.fom.hit_rate.toFixed(2)} %</dd>
      </div>
      <div>
        <dt>Indexing rate</dt>
        <dd>{props.fom.indexing_rate.toFixed(2)} %</dd>
      </div>
      <div>
        <dt>Indexed frames</dt>
        <dd>{props.fom.indexed_frames.toLocaleString("en")}</dd>
      </div>
    </dl>
  );
}

function LatestRun(props: { overview: ReadRunsOverview; run: Run; now: number }) {
  const { overview, run } = props;
  const chemicals = chemicalNames(overview.chemicals);
  const et = overview.experiment_types.find((t) => t.id === run.experiment_type_id);
  const running = run.stopped == null;
  const byId = new Map(run.attributi.map((v) => [v.attributo_id, v]));
  const shown = overview.attributi.filter((a) => a.associated_table === "run" && byId.has(a.id));
  return (
    <section class="card" aria-labelledby="latest-run">
      <h2 id="latest-run">
        Run {run.external_id}{" "}
        {running ? <span class="badge ok">running {formatDuration(props.now - run.started)}</span> : <span class="badge">stopped</span>}
      </h2>
      <p class="muted">
        started {formatDateTime(run.started_local)}
        {run.stopped_local != null && ` · stopped ${formatTime(run.stopped_local)} after ${formatDuration(run.stopped! - run.started)}`}
        {et && ` · ${et.name}`}
      </p>
      {shown.length > 0 ? (
        <table class="kv">
          <tbody>
            {shown.map((a) => (
              <tr key={a.id}>
                <th scope="row">{a.name}</th>
                <td>{formatValue(a, byId.get(a.id), chemicals)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p class="muted">No attributi recorded for this run.</p>
      )}
      {run.files.length > 0 && (
        <p class="muted small">
          files: {run.files.map((f) => f.glob).join(", ")}
        </p>
      )}
    </section>
  );
}

function ExperimentAndFoms(props: { overview: ReadRunsOverview }) {
  const o = props.overview;
  const currentId = o.user_config.current_experiment_type_id;
  const current = o.experiment_types.find((t) => t.id === currentId);
  const chemicals = chemicalNames(o.chemicals);
  const ds = o.foms_for_this_data_set;
  const attributi = new Map(o.attributi.map((a) => [a.id, a]));
  const ir = o.latest_indexing_result;
  return (
    <section class="card" aria-labelledby="experiment">
      <h2 id="experiment">Experiment type: {current ? current.name : <span class="muted">none set</span>}</h2>
      {ds ? (
        <>
          <p class="muted">
            Data set{" "}
            {ds.data_set.attributi
              .map((v) => {
                const a = attributi.get(v.attributo_id);
                return a ? `${a.name} = ${formatValue(a, v, chemicals)}` : "";
              })
              .filter((x) => x !== "")
              .join(", ")}
          </p>
          <Fom fom={ds.fom} />
        </>
      ) : (
        <p class="muted">The latest run belongs to no data set yet.</p>
      )}
      {ir && (
        <p class="muted">
          Online indexing {ir.running ? "running" : "done"}
          {ir.frames != null && ` · ${ir.frames.toLocaleString("en")}${ir.total_frames ? ` / ${ir.total_frames.toLocaleString("en")}` : ""} frames`}
          {` · hit rate ${ir.foms.hit_rate.toFixed(2)} %, indexing rate ${ir.foms.indexing_rate.toFixed(2)} %`}
        </p>
      )}
    </section>
  );
}

export function OverviewPage(props: { beamtime: Beamtime }) {
  const bt = props.beamtime.id;
  const [overview, setOverview] = useState<ReadRunsOverview | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [updated, setUpdated] = useState<number | null>(null);
  const inFlight = useRef(false);
  const now = useNow(1000);

  const load = useCallback(async () => {
    if (inFlight.current) return; // a slow answer is not stacked up
    inFlight.current = true;
    try {
      setOverview(await api.runsOverview(bt));
      setError(null);
      setUpdated(Date.now());
    } catch (e) {
      setError(e);
    } finally {
      inFlight.current = false;
    }
  }, [bt]);
  useEffect(() => {
    setOverview(null);
    void load();
  }, [load]);
  usePolling(() => void load(), OVERVIEW_POLL_MS);

  return (
    <div class="overview">
      {error !== null && (
        <div class="banner" role="status">
          <ErrorText error={error} />
          {updated !== null && <span class="muted">last update {formatDuration(now - updated)} ago</span>}
        </div>
      )}
      {overview === null ? (
        error === null && <p class="muted">Loading…</p>
      ) : (
        <div class="overview-grid">
          <div class="col">
            <LiveImage overview={overview} now={now} />
            <section class="card" aria-labelledby="events-head">
              <h2 id="events-head">
                Events <Link href={beamtimePath(bt, "events")}>all</Link>
              </h2>
              <EventForm beamtimeId={bt} hasLiveImage={overview.live_stream != null} onPosted={() => void load()} />
              <EventList events={overview.events.slice(0, EVENTS_SHOWN)} timeOnly />
            </section>
          </div>
          <div class="col">
            <section class="card shift" aria-label="On shift">
              <span class="muted">On shift:</span>{" "}
              <strong>{overview.current_beamtime_user ?? <span class="muted">nobody scheduled</span>}</strong>
            </section>
            {overview.latest_run ? (
              <LatestRun overview={overview} run={overview.latest_run} now={now} />
            ) : (
              <section class="card">
                <h2>No runs yet</h2>
              </section>
            )}
            <ExperimentAndFoms overview={overview} />
          </div>
        </div>
      )}
    </div>
  );
}
