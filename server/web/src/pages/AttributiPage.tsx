// Attributi of the beamtime (run and chemical): list, create, edit (with
// value conversion) and delete, with a type editor for every type.
import { useState } from "preact/hooks";
import { api } from "../api/client";
import { fieldErrors } from "../api/errors";
import type { AssociatedTable, Attributo, Beamtime, UnitCheck } from "../api/types";
import { ErrorText } from "../components/ErrorText";
import { useLoad } from "../components/useLoad";
import { describeType, type AttributoKind } from "../lib/attributo";
import { buildType, emptyTypeDraft, KIND_LABELS, typeDraftOf, type TypeDraft } from "../lib/typeDraft";
import { FormActions } from "../components/FormActions";

function UnitField(props: { value: string; onChange: (v: string) => void; standard: boolean }) {
  const [check, setCheck] = useState<UnitCheck | null>(null);
  const verify = async () => {
    if (!props.standard || props.value.trim() === "") return setCheck(null);
    try {
      setCheck(await api.checkUnit(props.value.trim()));
    } catch {
      setCheck(null);
    }
  };
  return (
    <div class="field">
      <label for="type-suffix">Unit</label>
      <input id="type-suffix" name="suffix" type="text" value={props.value} onInput={(e) => props.onChange((e.target as HTMLInputElement).value)} onBlur={verify} />
      {check?.normalized && <small class="muted">= {check.normalized}</small>}
      {check?.error && (
        <small class="error" role="alert">
          {check.error}
        </small>
      )}
    </div>
  );
}

export function TypeEditor(props: { draft: TypeDraft; onChange: (d: TypeDraft) => void; table: AssociatedTable }) {
  const d = props.draft;
  const set = (patch: Partial<TypeDraft>) => props.onChange({ ...d, ...patch });
  const text = (k: keyof TypeDraft) => (e: Event) => set({ [k]: (e.target as HTMLInputElement).value } as Partial<TypeDraft>);
  const check = (k: keyof TypeDraft) => (e: Event) => set({ [k]: (e.target as HTMLInputElement).checked } as Partial<TypeDraft>);
  const kinds = (Object.keys(KIND_LABELS) as AttributoKind[]).filter((k) => k !== "chemical" || props.table === "run");
  return (
    <fieldset class="type-editor span-all">
      <legend>Type</legend>
      <div class="field">
        <label for="type-kind">Kind</label>
        <select id="type-kind" name="kind" value={d.kind} onChange={(e) => set({ kind: (e.target as HTMLSelectElement).value as AttributoKind })}>
          {kinds.map((k) => (
            <option key={k} value={k}>
              {KIND_LABELS[k]}
            </option>
          ))}
        </select>
      </div>
      {d.kind === "decimal" && (
        <>
          <div class="field">
            <label for="type-min">Lower bound</label>
            <input id="type-min" name="min" type="text" inputMode="decimal" value={d.min} onInput={text("min")} />
            <label class="checkbox">
              <input type="checkbox" name="minExclusive" checked={d.minExclusive} onChange={check("minExclusive")} /> exclusive
            </label>
          </div>
          <div class="field">
            <label for="type-max">Upper bound</label>
            <input id="type-max" name="max" type="text" inputMode="decimal" value={d.max} onInput={text("max")} />
            <label class="checkbox">
              <input type="checkbox" name="maxExclusive" checked={d.maxExclusive} onChange={check("maxExclusive")} /> exclusive
            </label>
          </div>
          <UnitField value={d.suffix} standard={d.standardUnit} onChange={(v) => set({ suffix: v })} />
          <div class="field">
            <span class="label">Unit kind</span>
            <label class="checkbox">
              <input type="checkbox" name="standardUnit" checked={d.standardUnit} onChange={check("standardUnit")} /> physical unit (convertible,
              checked by the server)
            </label>
          </div>
          <div class="field">
            <label for="type-tolerance">Tolerance (data-set matching)</label>
            <input id="type-tolerance" name="tolerance" type="text" inputMode="decimal" value={d.tolerance} onInput={text("tolerance")} />
            <label class="checkbox">
              <input type="checkbox" name="toleranceAbsolute" checked={d.toleranceAbsolute} onChange={check("toleranceAbsolute")} /> absolute
              (else relative)
            </label>
          </div>
        </>
      )}
      {d.kind === "choice" && (
        <div class="field">
          <label for="type-choices">Choices (one per line)</label>
          <textarea id="type-choices" name="choices" rows={4} value={d.choices} onInput={text("choices")} />
        </div>
      )}
      {d.kind === "list" && (
        <>
          <div class="field">
            <label for="type-item">Item type</label>
            <select id="type-item" name="itemType" value={d.itemType} onChange={(e) => set({ itemType: (e.target as HTMLSelectElement).value as TypeDraft["itemType"] })}>
              <option value="string">text</option>
              <option value="number">number</option>
              <option value="bool">yes/no</option>
            </select>
          </div>
          <div class="field">
            <label for="type-min-items">Minimum items</label>
            <input id="type-min-items" name="minItems" type="text" inputMode="numeric" value={d.minItems} onInput={text("minItems")} />
          </div>
          <div class="field">
            <label for="type-max-items">Maximum items</label>
            <input id="type-max-items" name="maxItems" type="text" inputMode="numeric" value={d.maxItems} onInput={text("maxItems")} />
          </div>
        </>
      )}
    </fieldset>
  );
}

interface Draft {
  id: number | null;
  name: string;
  description: string;
  group: string;
  table: AssociatedTable;
  type: TypeDraft;
  ignoreUnits: boolean;
}

function draftOf(a: Attributo | null, table: AssociatedTable): Draft {
  return {
    id: a?.id ?? null,
    name: a?.name ?? "",
    description: a?.description ?? "",
    group: a?.group ?? "manual",
    table: a?.associated_table ?? table,
    type: a ? typeDraftOf(a) : emptyTypeDraft(),
    ignoreUnits: false,
  };
}

function AttributoForm(props: { beamtimeId: number; initial: Draft; onDone: (saved: boolean) => void }) {
  const [d, setD] = useState(props.initial);
  const [problem, setProblem] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const editing = d.id !== null;
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (d.name.trim() === "") return setProblem("Enter a name.");
    const built = buildType(d.type);
    if (!built.ok) return setProblem(`The type is not valid: ${built.error}.`);
    setProblem(null);
    const common = { name: d.name.trim(), description: d.description, group: d.group.trim() || "manual", associated_table: d.table, ...built.fields };
    try {
      if (editing) await api.updateAttributo({ id: d.id!, ...common }, d.ignoreUnits);
      else await api.createAttributo({ beamtime_id: props.beamtimeId, ...common });
      props.onDone(true);
    } catch (err) {
      setError(err);
    }
  };
  const set = (k: keyof Draft) => (e: Event) => setD({ ...d, [k]: (e.target as HTMLInputElement).value });
  return (
    <form class="card form-grid" onSubmit={submit} aria-label={editing ? `Edit attributo ${props.initial.name}` : "New attributo"}>
      <h2 class="span-all">{editing ? `Edit ${props.initial.name}` : "New attributo"}</h2>
      <div class="field">
        <label for="attr-name">Name</label>
        <input id="attr-name" name="name" type="text" value={d.name} onInput={set("name")} autoFocus />
        {fieldErrors(error, "name").map((m) => (
          <small class="error" key={m}>
            {m}
          </small>
        ))}
      </div>
      <div class="field">
        <label for="attr-table">For</label>
        <select id="attr-table" name="associated_table" value={d.table} onChange={set("table")}>
          <option value="run">runs</option>
          <option value="chemical">chemicals</option>
        </select>
      </div>
      <div class="field">
        <label for="attr-group">Group</label>
        <input id="attr-group" name="group" type="text" list="attr-groups" value={d.group} onInput={set("group")} />
        <datalist id="attr-groups">
          <option value="manual" />
          <option value="automatic" />
        </datalist>
        <small class="muted">manual values are copied to new runs by the auto-pilot</small>
      </div>
      <div class="field">
        <label for="attr-description">Description</label>
        <input id="attr-description" name="description" type="text" value={d.description} onInput={set("description")} />
      </div>
      <TypeEditor draft={d.type} table={d.table} onChange={(type) => setD({ ...d, type })} />
      {editing && (
        <div class="field span-all">
          <label class="checkbox">
            <input type="checkbox" name="ignoreUnits" checked={d.ignoreUnits} onChange={(e) => setD({ ...d, ignoreUnits: (e.target as HTMLInputElement).checked })} /> keep
            numbers unchanged when the unit changes (else they are converted)
          </label>
          <small class="muted">Changing the type converts every stored value; if one does not convert, nothing changes.</small>
        </div>
      )}
      <FormActions
        submitLabel={editing ? "Save" : "Create attributo"}
        onCancel={() => props.onDone(false)}
        problem={problem}
        error={error}
      />
    </form>
  );
}

export function AttributiPage(props: { beamtime: Beamtime }) {
  const bt = props.beamtime.id;
  const list = useLoad(() => api.attributi(bt), [bt]);
  const [form, setForm] = useState<Draft | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const open = (d: Draft) => {
    setNotice(null);
    setError(null);
    setForm(d);
  };
  const remove = async (a: Attributo) => {
    if (!window.confirm(`Delete the attributo ${a.name} and all its values?`)) return;
    try {
      await api.deleteAttributo(a.id);
      setError(null);
      setNotice(`Deleted ${a.name}.`);
      await list.reload();
    } catch (err) {
      setError(err);
    }
  };
  const section = (table: AssociatedTable, title: string) => {
    const items = (list.data ?? []).filter((a) => a.associated_table === table).sort((a, b) => a.group.localeCompare(b.group) || a.name.localeCompare(b.name));
    return (
      <section class="card" aria-labelledby={`attr-${table}`}>
        <div class="page-head">
          <h2 id={`attr-${table}`}>{title}</h2>
          <button type="button" class="secondary" onClick={() => open(draftOf(null, table))}>
            New {table} attributo
          </button>
        </div>
        {items.length === 0 ? (
          <p class="muted">None yet.</p>
        ) : (
          <table class="list">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col">Group</th>
                <th scope="col">Description</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id}>
                  <th scope="row">{a.name}</th>
                  <td>{describeType(a)}</td>
                  <td>{a.group}</td>
                  <td>{a.description}</td>
                  <td class="actions">
                    <button type="button" class="link" onClick={() => open(draftOf(a, table))} aria-label={`Edit ${a.name}`}>
                      edit
                    </button>
                    <button type="button" class="link danger" onClick={() => void remove(a)} aria-label={`Delete ${a.name}`}>
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
  };
  return (
    <section>
      <div class="page-head">
        <h1>Attributi</h1>
      </div>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorText error={list.error ?? error} />
      {form && (
        <AttributoForm
          key={form.id ?? `new-${form.table}`}
          beamtimeId={bt}
          initial={form}
          onDone={(saved) => {
            if (saved) setNotice(`Saved ${form.id === null ? "the new attributo" : form.name}.`);
            setForm(null);
            void list.reload();
          }}
        />
      )}
      {list.data && (
        <>
          {section("run", "Run attributi")}
          {section("chemical", "Chemical attributi")}
        </>
      )}
    </section>
  );
}
