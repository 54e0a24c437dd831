// Data sets: per experiment type, the value combinations runs are grouped
// by; create one from values (checked like any attributo form) or delete.
import { useState } from "preact/hooks";
import { api } from "../api/client";
import type { Beamtime, ExperimentType, ReadDataSets } from "../api/types";
import { AttributoInput } from "../components/AttributoInput";
import { ErrorText } from "../components/ErrorText";
import { useLoad } from "../components/useLoad";
import { chemicalNames, formatValue, parseForm, type InputText } from "../lib/attributo";
import { FormActions } from "../components/FormActions";

function NewDataSet(props: { data: ReadDataSets; onDone: () => void }) {
  const [etId, setEtId] = useState<number | null>(props.data.experiment_types[0]?.id ?? null);
  const [inputs, setInputs] = useState<Record<number, InputText>>({});
  const [errors, setErrors] = useState<Record<number, string>>({});
  const [error, setError] = useState<unknown>(null);
  const et = props.data.experiment_types.find((t) => t.id === etId);
  const members = et ? props.data.attributi.filter((a) => et.attributi.some((m) => m.id === a.id)) : [];
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!et) return;
    const parsed = parseForm(members, inputs, new Set(props.data.chemicals.map((c) => c.id)));
    setErrors(parsed.errors);
    if (Object.keys(parsed.errors).length > 0) return;
    try {
      await api.createDataSet(et.id, parsed.values);
      props.onDone();
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="card form-grid" onSubmit={submit} aria-label="New data set">
      <h2 class="span-all">New data set</h2>
      <div class="field">
        <label for="ds-et">Experiment type</label>
        <select id="ds-et" value={etId ?? ""} onChange={(e) => setEtId(Number((e.target as HTMLSelectElement).value))}>
          {props.data.experiment_types.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name}
            </option>
          ))}
        </select>
      </div>
      {members.map((a) => (
        <AttributoInput
          key={a.id}
          attributo={a}
          idPrefix="ds-attr"
          value={inputs[a.id] ?? ""}
          error={errors[a.id]}
          chemicals={props.data.chemicals}
          onChange={(v) => setInputs({ ...inputs, [a.id]: v })}
        />
      ))}
      <FormActions submitLabel="Create data set" disabled={!et} onCancel={props.onDone} error={error} />
    </form>
  );
}

function DataSetTable(props: { data: ReadDataSets; et: ExperimentType; onDelete: (id: number) => void }) {
  const sets = props.data.data_sets.filter((s) => s.experiment_type_id === props.et.id);
  const members = props.data.attributi.filter((a) => props.et.attributi.some((m) => m.id === a.id));
  const names = chemicalNames(props.data.chemicals);
  return (
    <section class="card" aria-label={`Data sets of ${props.et.name}`}>
      <h2>{props.et.name}</h2>
      {sets.length === 0 ? (
        <p class="muted">No data sets.</p>
      ) : (
        <table class="list">
          <thead>
            <tr>
              <th scope="col">Id</th>
              {members.map((a) => (
                <th scope="col" key={a.id}>
                  {a.name}
                </th>
              ))}
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {sets.map((s) => (
              <tr key={s.id}>
                <td>{s.id}</td>
                {members.map((a) => (
                  <td key={a.id}>{formatValue(a, s.attributi.find((v) => v.attributo_id === a.id), names)}</td>
                ))}
                <td class="actions">
                  <button type="button" class="link danger" aria-label={`Delete data set ${s.id}`} onClick={() => props.onDelete(s.id)}>
                    delete
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

export function DataSetsPage(props: { beamtime: Beamtime }) {
  const bt = props.beamtime.id;
  const data = useLoad(() => api.dataSets(bt), [bt]);
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const remove = async (id: number) => {
    if (!window.confirm(`Delete data set ${id}?`)) return;
    try {
      await api.deleteDataSet(id);
      setError(null);
      await data.reload();
    } catch (err) {
      setError(err);
    }
  };
  const d = data.data;
  return (
    <section>
      <div class="page-head">
        <h1>Data sets</h1>
        {d && d.experiment_types.length > 0 && (
          <button type="button" onClick={() => setCreating(true)}>
            New data set
          </button>
        )}
      </div>
      <ErrorText error={data.error ?? error} />
      {d && creating && (
        <NewDataSet
          data={d}
          onDone={() => {
            setCreating(false);
            void data.reload();
          }}
        />
      )}
      {d && d.experiment_types.length === 0 && <p class="muted">Data sets belong to experiment types; create one first.</p>}
      {d && d.experiment_types.map((et) => <DataSetTable key={et.id} data={d} et={et} onDelete={(id) => void remove(id)} />)}
    </section>
  );
}
