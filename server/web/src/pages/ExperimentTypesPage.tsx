// Experiment types: named sets of run attributi with chemical roles; which
// one new runs get (the current one), how many runs each has.
import { useState } from "preact/hooks";
import { api } from "../api/client";
import type { Beamtime, ChemicalRole, ReadExperimentTypes } from "../api/types";
import { ErrorText } from "../components/ErrorText";
import { useLoad } from "../components/useLoad";
import { attributoKind } from "../lib/attributo";
import { FormActions } from "../components/FormActions";

function NewExperimentType(props: { beamtimeId: number; data: ReadExperimentTypes; onDone: (saved: boolean) => void }) {
  const runAttributi = props.data.attributi.filter((a) => a.associated_table === "run");
  const [name, setName] = useState("");
  const [members, setMembers] = useState<Record<number, ChemicalRole | "">>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    const chosen = Object.entries(members)
      .filter(([, role]) => role !== "")
      .map(([id, role]) => ({ id: Number(id), role: role as ChemicalRole }));
    if (name.trim() === "") return setProblem("Enter a name.");
    if (chosen.length === 0) return setProblem("Choose at least one attributo.");
    setProblem(null);
    try {
      await api.createExperimentType(props.beamtimeId, name.trim(), chosen);
      props.onDone(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="card" onSubmit={submit} aria-label="New experiment type">
      <h2>New experiment type</h2>
      <div class="field">
        <label for="et-name">Name</label>
        <input id="et-name" name="name" type="text" value={name} autoFocus onInput={(e) => setName((e.target as HTMLInputElement).value)} />
      </div>
      <fieldset>
        <legend>Attributi (chemical references get a role)</legend>
        {runAttributi.length === 0 && <p class="muted">Create run attributi first.</p>}
        <ul class="checks">
          {runAttributi.map((a) => {
            const role = members[a.id] ?? "";
            const chemical = attributoKind(a) === "chemical";
            return (
              <li key={a.id}>
                <label class="checkbox">
                  <input
                    type="checkbox"
                    checked={role !== ""}
                    onChange={(e) => setMembers({ ...members, [a.id]: (e.target as HTMLInputElement).checked ? "crystal" : "" })}
                  />{" "}
                  {a.name}
                </label>
                {chemical && role !== "" && (
                  <select aria-label={`Role of ${a.name}`} value={role} onChange={(e) => setMembers({ ...members, [a.id]: (e.target as HTMLSelectElement).value as ChemicalRole })}>
                    <option value="crystal">crystal</option>
                    <option value="solution">solution</option>
                  </select>
                )}
              </li>
            );
          })}
        </ul>
      </fieldset>
      <FormActions
        submitLabel="Create experiment type"
        onCancel={() => props.onDone(false)}
        problem={problem}
        error={error}
      />
    </form>
  );
}

export function ExperimentTypesPage(props: { beamtime: Beamtime }) {
  const bt = props.beamtime.id;
  const data = useLoad(() => api.experimentTypes(bt), [bt]);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const act = async (f: () => Promise<unknown>) => {
    try {
      await f();
      setError(null);
      await data.reload();
    } catch (err) {
      setError(err);
    }
  };
  const d = data.data;
  const names = new Map((d?.attributi ?? []).map((a) => [a.id, a]));
  return (
    <section>
      <div class="page-head">
        <h1>Experiment types</h1>
        <button type="button" onClick={() => setCreating(true)}>
          New experiment type
        </button>
      </div>
      <ErrorText error={data.error ?? error} />
      {d && creating && (
        <NewExperimentType
          beamtimeId={bt}
          data={d}
          onDone={() => {
            setCreating(false);
            void data.reload();
          }}
        />
      )}
      {d && d.experiment_types.length === 0 && <p class="muted">No experiment types yet. New runs need a current one.</p>}
      {d && d.experiment_types.length > 0 && (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Attributi</th>
              <th scope="col">Runs</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {d.experiment_types.map((t) => {
              const runs = d.experiment_type_id_to_run.find((r) => r.id === t.id);
              const current = d.current_experiment_type_id === t.id;
              return (
                <tr key={t.id} class={current ? "active" : undefined}>
                  <th scope="row">
                    {t.name} {current && <span class="badge ok">current</span>}
                  </th>
                  <td>{t.attributi.map((m) => `${names.get(m.id)?.name ?? m.id}${attributoKind(names.get(m.id) ?? {}) === "chemical" ? ` (${m.role})` : ""}`).join(", ")}</td>
                  <td>
                    {runs?.number_of_runs ?? 0}
                    {runs && runs.runs.length > 0 && <span class="muted"> ({runs.runs.join(", ")})</span>}
                  </td>
                  <td class="actions">
                    {!current && (
                      <button type="button" class="link" onClick={() => void act(() => api.setCurrentExperimentType(bt, t.id))}>
                        make current
                      </button>
                    )}
                    <button
                      type="button"
                      class="link danger"
                      aria-label={`Delete ${t.name}`}
                      onClick={() => window.confirm(`Delete the experiment type ${t.name} and its data sets?`) && void act(() => api.deleteExperimentType(t.id))}
                    >
                      delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
