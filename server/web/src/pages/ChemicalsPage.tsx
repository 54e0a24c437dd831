// Chemicals of the beamtime: list, create and edit with forms generated
// from the chemical attributi (checked before sending, server errors shown
// at the field they concern), file attachments, copying from another
// beamtime with type-to-search, and delete.
import { useMemo, useState } from "preact/hooks";
import { api } from "../api/client";
import { attributoIdOfError, fieldErrors } from "../api/errors";
import type { Beamtime, Chemical, ChemicalType, FileOutput, ReadAllChemicals, ReadChemicals } from "../api/types";
import { AttributoInput } from "../components/AttributoInput";
import { ErrorText } from "../components/ErrorText";
import { FileDrop } from "../components/FileDrop";
import { FileList } from "../components/FileList";
import { useLoad } from "../components/useLoad";
import { chemicalNames, formatValue, isEmptyValue, parseForm, valueToInput, type InputText } from "../lib/attributo";
import { errorMessage } from "../api/errors";
import { searchChemicals } from "../lib/chemicalSearch";
import { FormActions } from "../components/FormActions";

interface Draft {
  id: number | null;
  name: string;
  responsible_person: string;
  chemical_type: ChemicalType;
  inputs: Record<number, InputText>;
  files: FileOutput[];
}

function draftOf(c: Chemical | null, data: ReadChemicals): Draft {
  const inputs: Record<number, InputText> = {};
  for (const a of data.attributi) {
    inputs[a.id] = valueToInput(a, c?.attributi.find((v) => v.attributo_id === a.id));
  }
  return {
    id: c?.id ?? null,
    name: c?.name ?? "",
    responsible_person: c?.responsible_person ?? "",
    chemical_type: c?.chemical_type ?? "crystal",
    inputs,
    files: c?.files ?? [],
  };
}

function ChemicalForm(props: { beamtimeId: number; data: ReadChemicals; initial: Draft; onDone: (saved: boolean) => void }) {
  const [d, setD] = useState(props.initial);
  const [newFiles, setNewFiles] = useState<File[]>([]);
  const [errors, setErrors] = useState<Record<number, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [serverError, setServerError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const attributi = props.data.attributi;
  const original = props.data.chemicals.find((c) => c.id === d.id) ?? null;

  const submit = async (e: Event) => {
    e.preventDefault();
    setServerError(null);
    const parsed = parseForm(attributi, d.inputs);
    setErrors(parsed.errors);
    if (d.name.trim() === "") return setProblem("Enter a name.");
    if (Object.keys(parsed.errors).length > 0) return setProblem("Some values are not valid; see the marked fields.");
    setProblem(null);
    // PATCH merges values by attributo: a value cleared in the form is sent
    // without value fields, which removes it.
    const values = [...parsed.values];
    if (original) {
      for (const v of original.attributi) {
        if (!isEmptyValue(v) && !values.some((x) => x.attributo_id === v.attributo_id)) values.push({ attributo_id: v.attributo_id });
      }
    }
    setBusy(true);
    try {
      const fileIds = d.files.map((f) => f.id);
      for (const f of newFiles) fileIds.push((await api.uploadFile(f, f.name)).id);
      const body = {
        beamtime_id: props.beamtimeId,
        name: d.name.trim(),
        responsible_person: d.responsible_person,
        chemical_type: d.chemical_type,
        attributi: values,
        file_ids: fileIds,
      };
      if (d.id === null) await api.createChemical(body);
      else await api.updateChemical(d.id, body);
      props.onDone(true);
    } catch (err) {
      // A value the server refused is shown at its field.
      const id = attributoIdOfError(err);
      if (id !== null && attributi.some((a) => a.id === id)) setErrors({ [id]: errorMessage(err) });
      setServerError(err);
    } finally {
      setBusy(false);
    }
  };
  const nameErrors = fieldErrors(serverError, "name");
  return (
    <form class="card form-grid" onSubmit={submit} aria-label={d.id === null ? "New chemical" : `Edit chemical ${props.initial.name}`} noValidate>
      <h2 class="span-all">{d.id === null ? "New chemical" : `Edit ${props.initial.name}`}</h2>
      <div class="field">
        <label for="chem-name">Name</label>
        <input id="chem-name" name="name" type="text" value={d.name} autoFocus onInput={(e) => setD({ ...d, name: (e.target as HTMLInputElement).value })} />
        {nameErrors.map((m) => (
          <small class="error" key={m}>
            {m}
          </small>
        ))}
      </div>
      <div class="field">
        <label for="chem-responsible">Responsible person</label>
        <input
          id="chem-responsible"
          name="responsible_person"
          type="text"
          value={d.responsible_person}
          onInput={(e) => setD({ ...d, responsible_person: (e.target as HTMLInputElement).value })}
        />
      </div>
      <div class="field">
        <label for="chem-type">Type</label>
        <select
          id="chem-type"
          name="chemical_type"
          value={d.chemical_type}
          onChange={(e) => setD({ ...d, chemical_type: (e.target as HTMLSelectElement).value as ChemicalType })}
        >
          <option value="crystal">crystal</option>
          <option value="solution">solution</option>
        </select>
      </div>
      {attributi.map((a) => (
        <AttributoInput
          key={a.id}
          attributo={a}
          idPrefix="chem-attr"
          value={d.inputs[a.id] ?? ""}
          error={errors[a.id]}
          onChange={(v) => setD({ ...d, inputs: { ...d.inputs, [a.id]: v } })}
        />
      ))}
      <div class="field span-all">
        <span class="label">Files</span>
        <FileList files={d.files} onRemove={(id) => setD({ ...d, files: d.files.filter((f) => f.id !== id) })} />
        <FileDrop files={newFiles} onChange={setNewFiles} />
      </div>
      <FormActions
        submitLabel={d.id === null ? "Create chemical" : "Save"}
        disabled={busy}
        onCancel={() => props.onDone(false)}
        problem={problem}
        error={serverError}
      />
    </form>
  );
}

function CopyChemical(props: { beamtimeId: number; onCopied: (name: string) => void }) {
  const [all, setAll] = useState<ReadAllChemicals | null>(null);
  const [query, setQuery] = useState("");
  const [createAttributi, setCreateAttributi] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const load = () => {
    if (all === null) api.allChemicals().then(setAll, setError);
  };
  const matches = useMemo(() => (all ? searchChemicals(all, props.beamtimeId, query) : []), [all, query]);
  const copy = async (c: Chemical) => {
    try {
      await api.copyChemical(c.id, props.beamtimeId, createAttributi);
      setQuery("");
      setError(null);
      props.onCopied(c.name);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <div class="card copy-chemical">
      <h2>Copy from another beamtime</h2>
      <div class="row">
        <label class="grow">
          <span class="sr-only">Search chemicals of other beamtimes</span>
          <input
            type="search"
            name="copy-search"
            placeholder="type a chemical name…"
            value={query}
            onFocus={load}
            onInput={(e) => {
              load();
              setQuery((e.target as HTMLInputElement).value);
            }}
            aria-controls="copy-results"
          />
        </label>
        <label class="checkbox">
          <input type="checkbox" checked={createAttributi} onChange={(e) => setCreateAttributi((e.target as HTMLInputElement).checked)} /> create
          missing attributi
        </label>
      </div>
      <ErrorText error={error} />
      {query.trim() !== "" && (
        <ul id="copy-results" class="results" aria-live="polite">
          {all === null && <li class="muted">loading…</li>}
          {all !== null && matches.length === 0 && <li class="muted">no chemical of another beamtime matches</li>}
          {matches.map(({ chemical, beamtime }) => (
            <li key={chemical.id}>
              <button type="button" class="link" onClick={() => void copy(chemical)}>
                {chemical.name}
              </button>{" "}
              <span class="muted">
                {chemical.chemical_type} · {beamtime ? `${beamtime.external_id} ${beamtime.title}` : `beamtime ${chemical.beamtime_id}`}
              </span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export function ChemicalsPage(props: { beamtime: Beamtime }) {
  const bt = props.beamtime.id;
  const data = useLoad(() => api.chemicals(bt), [bt]);
  const [form, setForm] = useState<Draft | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const remove = async (c: Chemical) => {
    if (!window.confirm(`Delete the chemical ${c.name}? Runs and data sets that refer to it lose that value.`)) return;
    try {
      await api.deleteChemical(c.id);
      setError(null);
      setNotice(`Deleted ${c.name}.`);
      await data.reload();
    } catch (err) {
      setError(err);
    }
  };
  const d = data.data;
  const names = chemicalNames(d?.chemicals ?? []);
  return (
    <section>
      <div class="page-head">
        <h1>Chemicals</h1>
        {d && (
          <button
            type="button"
            onClick={() => {
              setNotice(null);
              setForm(draftOf(null, d));
            }}
          >
            New chemical
          </button>
        )}
      </div>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorText error={data.error ?? error} />
      {d && form && (
        <ChemicalForm
          key={form.id ?? "new"}
          beamtimeId={bt}
          data={d}
          initial={form}
          onDone={(saved) => {
            if (saved) setNotice(`Saved ${form.id === null ? "the new chemical" : form.name}.`);
            setForm(null);
            void data.reload();
          }}
        />
      )}
      {d && !form && (
        <CopyChemical
          beamtimeId={bt}
          onCopied={(name) => {
            setNotice(`Copied ${name} into this beamtime.`);
            void data.reload();
          }}
        />
      )}
      {d && d.chemicals.length === 0 && <p class="muted">No chemicals yet.</p>}
      {d && d.chemicals.length > 0 && (
        <div class="table-wrap">
          <table class="list">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Responsible</th>
                {d.attributi.map((a) => (
                  <th scope="col" key={a.id}>
                    {a.name}
                  </th>
                ))}
                <th scope="col">Files</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {d.chemicals.map((c) => (
                <tr key={c.id}>
                  <th scope="row">{c.name}</th>
                  <td>{c.chemical_type}</td>
                  <td>{c.responsible_person}</td>
                  {d.attributi.map((a) => (
                    <td key={a.id}>
                      {formatValue(
                        a,
                        c.attributi.find((v) => v.attributo_id === a.id),
                        names,
                      )}
                    </td>
                  ))}
                  <td>
                    <FileList files={c.files} />
                  </td>
                  <td class="actions">
                    <button
                      type="button"
                      class="link"
                      onClick={() => {
                        setNotice(null);
                        setForm(draftOf(c, d));
                      }}
                      aria-label={`Edit ${c.name}`}
                    >
                      edit
                    </button>
                    <button type="button" class="link danger" onClick={() => void remove(c)} aria-label={`Delete ${c.name}`}>
                      delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
