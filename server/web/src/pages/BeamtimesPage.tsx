// All beamtimes, the active one first and focused; create or edit one.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Beamtime, BeamtimeInput } from "../api/types";
import { ErrorText } from "../components/ErrorText";
import { Link } from "../components/Link";
import { useLoad } from "../components/useLoad";
import { beamtimePath, navigate } from "../lib/router";
import { formatDateTime, fromDateTimeInput, toDateTimeInput } from "../lib/time";
import { FormActions } from "../components/FormActions";

export function isActive(b: Beamtime, now: number): boolean {
  return b.start <= now && now < b.end;
}

type Draft = Omit<BeamtimeInput, "start_local" | "end_local"> & { start: string; end: string };

function emptyDraft(): Draft {
  const day = 24 * 3600 * 1000;
  // Today 08:00 to three days later, in the browser's wall clock (which is
  // normally the beamline's).
  const now = new Date();
  const start = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate(), 8, 0);
  return {
    id: 0,
    external_id: "",
    proposal: "",
    beamline: "",
    title: "",
    comment: "",
    analysis_output_path: "",
    start: toDateTimeInput(start),
    end: toDateTimeInput(start + 3 * day),
  };
}

function draftOf(b: Beamtime): Draft {
  return {
    id: b.id,
    external_id: b.external_id,
    proposal: b.proposal,
    beamline: b.beamline,
    title: b.title,
    comment: b.comment,
    analysis_output_path: b.analysis_output_path,
    start: toDateTimeInput(b.start_local),
    end: toDateTimeInput(b.end_local),
  };
}

function BeamtimeForm(props: { initial: Draft; onDone: (b: Beamtime | null) => void }) {
  const [d, setD] = useState(props.initial);
  const [error, setError] = useState<unknown>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const set = (k: keyof Draft) => (e: Event) => setD({ ...d, [k]: (e.target as HTMLInputElement).value });
  const editing = d.id !== 0;
  const submit = async (e: Event) => {
    e.preventDefault();
    const start = fromDateTimeInput(d.start);
    const end = fromDateTimeInput(d.end);
    if (start === null || end === null) return setProblem("Enter a start and an end date and time.");
    if (end <= start) return setProblem("The end must be after the start.");
    if (d.external_id.trim() === "") return setProblem("Enter the proposal's external id.");
    setProblem(null);
    const { start: _s, end: _e, ...rest } = d;
    const body: BeamtimeInput = { ...rest, start_local: start, end_local: end };
    try {
      props.onDone(editing ? await api.updateBeamtime(body) : await api.createBeamtime(body));
    } catch (err) {
      setError(err);
    }
  };
  const text = (k: keyof Draft, label: string, extra: Record<string, unknown> = {}) => (
    <div class="field">
      <label for={`bt-${k}`}>{label}</label>
      <input id={`bt-${k}`} name={k} type="text" value={String(d[k])} onInput={set(k)} {...extra} />
    </div>
  );
  return (
    <form class="card form-grid" onSubmit={submit} aria-label={editing ? "Edit beamtime" : "New beamtime"}>
      <h2 class="span-all">{editing ? `Edit beamtime ${props.initial.external_id}` : "New beamtime"}</h2>
      {text("external_id", "External id (proposal number)", { required: true, autoFocus: true })}
      {text("proposal", "Proposal")}
      {text("beamline", "Beamline")}
      {text("title", "Title")}
      <div class="field">
        <label for="bt-start">Start</label>
        <input id="bt-start" name="start" type="datetime-local" value={d.start} onInput={set("start")} required />
      </div>
      <div class="field">
        <label for="bt-end">End</label>
        <input id="bt-end" name="end" type="datetime-local" value={d.end} onInput={set("end")} required />
      </div>
      {text("analysis_output_path", "Analysis output path")}
      {text("comment", "Comment")}
      <FormActions
        submitLabel={editing ? "Save" : "Create beamtime"}
        onCancel={() => props.onDone(null)}
        problem={problem}
        error={error}
      />
    </form>
  );
}

export function BeamtimesPage() {
  const list = useLoad(() => api.beamtimes(), []);
  const [form, setForm] = useState<Draft | null>(null);
  const activeLink = useRef<HTMLDivElement>(null);
  const now = Date.now();
  const beamtimes = list.data ?? [];
  const active = beamtimes.filter((b) => isActive(b, now));
  useEffect(() => {
    // Preselect the active beamtime: its link has the focus, Enter opens it.
    activeLink.current?.querySelector("a")?.focus();
  }, [list.data]);
  return (
    <section>
      <div class="page-head">
        <h1>Beamtimes</h1>
        <button type="button" onClick={() => setForm(emptyDraft())}>
          New beamtime
        </button>
      </div>
      {form && (
        <BeamtimeForm
          key={form.id}
          initial={form}
          onDone={(b) => {
            setForm(null);
            void list.reload();
            if (b && form.id === 0) {
              // A new beamtime starts with its attributi.
              navigate(beamtimePath(b.id, "attributi"));
            }
          }}
        />
      )}
      <ErrorText error={list.error} />
      {list.data && beamtimes.length === 0 && <p class="muted">No beamtimes yet. Create the first one.</p>}
      {beamtimes.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">External id</th>
              <th scope="col">Beamline</th>
              <th scope="col">Proposal</th>
              <th scope="col">Title</th>
              <th scope="col">Start</th>
              <th scope="col">End</th>
              <th scope="col">Chemicals</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {[...active, ...beamtimes.filter((b) => !isActive(b, now))].map((b, i) => (
              <tr key={b.id} class={isActive(b, now) ? "active" : undefined}>
                <td>
                  <div ref={i === 0 && active.length > 0 ? activeLink : undefined}>
                    <Link href={beamtimePath(b.id)}>{b.external_id}</Link>
                    {isActive(b, now) && <span class="badge ok">active</span>}
                  </div>
                </td>
                <td>{b.beamline}</td>
                <td>{b.proposal}</td>
                <td>{b.title}</td>
                <td>{formatDateTime(b.start_local)}</td>
                <td>{formatDateTime(b.end_local)}</td>
                <td>{b.chemical_names.length}</td>
                <td>
                  <button type="button" class="link" onClick={() => setForm(draftOf(b))}>
                    edit
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
