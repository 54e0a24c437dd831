// Every run of the beamtime: chosen columns (remembered per beamtime),
// sorting, the filter language, a date filter, and bulk change of the
// experiment type. Only the rows in view are in the DOM, so thousands of
// runs render at once.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "preact/hooks";
import { api } from "../api/client";
import { ApiError } from "../api/errors";
import type { Attributo, Beamtime, ReadRuns, Run } from "../api/types";
import { ErrorText } from "../components/ErrorText";
import { FilterBox } from "../components/FilterBox";
import { chemicalNames, describeType, formatValue } from "../lib/attributo";
import {
  attributoColumn,
  attributoIdOf,
  BUILTIN_COLUMNS,
  BUILTIN_LABELS,
  defaultColumns,
  loadColumns,
  moveColumn,
  saveColumns,
  toggleColumn,
  type ColumnKey,
} from "../lib/columns";
import { filterErrorPosition, isFilterError, type FilterErrorPosition } from "../lib/filter";
import { nextSort, sortRuns, type SortState } from "../lib/sort";
import { formatDate, formatDateTime, formatDuration, formatTime } from "../lib/time";

const OVERSCAN = 12;

interface Query {
  filter: string;
  date: string;
}

function initialQuery(): Query {
  const p = new URLSearchParams(window.location.search);
  return { filter: p.get("filter") ?? "", date: p.get("date") ?? "" };
}

function rememberQuery(q: Query) {
  const p = new URLSearchParams();
  if (q.filter) p.set("filter", q.filter);
  if (q.date) p.set("date", q.date);
  const qs = p.toString();
  window.history.replaceState(null, "", window.location.pathname + (qs ? `?${qs}` : ""));
}

function remPx(): number {
  return parseFloat(getComputedStyle(document.documentElement).fontSize) || 16;
}

interface Ctx {
  attributi: Map<number, Attributo>;
  chemicals: Map<number, string>;
  experimentTypes: Map<number, string>;
  multiDay: boolean;
  now: number;
}

function columnLabel(key: ColumnKey, ctx: Ctx): string {
  const id = attributoIdOf(key);
  if (id === null) return BUILTIN_LABELS[key as keyof typeof BUILTIN_LABELS];
  const a = ctx.attributi.get(id);
  if (!a) return "?";
  const unit = a.attributo_type_number?.suffix;
  return unit ? `${a.name} [${unit}]` : a.name;
}

function columnWidth(key: ColumnKey): string {
  switch (key) {
    case "id":
      return "5.5rem";
    case "started":
    case "stopped":
      return "9.5rem";
    case "duration":
      return "6.5rem";
    case "experiment_type":
      return "10rem";
    default:
      return "9rem";
  }
}

function cellText(run: Run, key: ColumnKey, ctx: Ctx): string {
  switch (key) {
    case "id":
      return String(run.external_id);
    case "started":
      return ctx.multiDay ? formatDateTime(run.started_local) : formatTime(run.started_local);
    case "stopped":
      if (run.stopped_local == null) return "running";
      // A stop on another day than the start always shows its date.
      return ctx.multiDay || formatDate(run.stopped_local) !== formatDate(run.started_local)
        ? formatDateTime(run.stopped_local)
        : formatTime(run.stopped_local);
    case "duration":
      return formatDuration((run.stopped ?? ctx.now) - run.started);
    case "experiment_type":
      return ctx.experimentTypes.get(run.experiment_type_id) ?? "";
  }
  const id = attributoIdOf(key)!;
  const a = ctx.attributi.get(id);
  if (!a) return "";
  return formatValue(
    { ...a, attributo_type_number: a.attributo_type_number ? { ...a.attributo_type_number, suffix: null } : a.attributo_type_number },
    run.attributi.find((v) => v.attributo_id === id),
    ctx.chemicals,
  );
}

function ColumnChooser(props: { runAttributi: Attributo[]; columns: ColumnKey[]; onChange: (c: ColumnKey[]) => void; ctx: Ctx }) {
  const all: ColumnKey[] = [...BUILTIN_COLUMNS, ...props.runAttributi.map((a) => attributoColumn(a.id))];
  return (
    <details class="column-chooser">
      <summary>Columns ({props.columns.length})</summary>
      <div class="popover" role="group" aria-label="Columns">
        <div class="actions">
          <button type="button" class="link" onClick={() => props.onChange(defaultColumns(props.runAttributi))}>
            default
          </button>
          <button type="button" class="link" onClick={() => props.onChange(all)}>
            all
          </button>
        </div>
        <ul>
          {all.map((key) => {
            const shown = props.columns.includes(key);
            const id = attributoIdOf(key);
            const a = id === null ? undefined : props.ctx.attributi.get(id);
            return (
              <li key={key}>
                <label title={a ? describeType(a) : undefined}>
                  <input type="checkbox" checked={shown} onChange={() => props.onChange(toggleColumn(props.columns, key))} />{" "}
                  {columnLabel(key, props.ctx)}
                  {a && a.group !== "manual" && <span class="muted small"> {a.group}</span>}
                </label>
                {shown && (
                  <span class="move">
                    <button type="button" class="link" aria-label={`Move ${columnLabel(key, props.ctx)} left`} onClick={() => props.onChange(moveColumn(props.columns, key, -1))}>
                      ←
                    </button>
                    <button type="button" class="link" aria-label={`Move ${columnLabel(key, props.ctx)} right`} onClick={() => props.onChange(moveColumn(props.columns, key, 1))}>
                      →
                    </button>
                  </span>
                )}
              </li>
            );
          })}
        </ul>
      </div>
    </details>
  );
}

function BulkBar(props: { data: ReadRuns; selected: Set<number>; beamtimeId: number; onDone: (message: string) => void; onClear: () => void }) {
  const [et, setEt] = useState("");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  if (props.selected.size === 0) return null;
  const apply = async (e: Event) => {
    e.preventDefault();
    if (et === "") return;
    setBusy(true);
    setError(null);
    try {
      const ids = [...props.selected];
      await api.changeRunsExperimentType(props.beamtimeId, ids, Number(et));
      const name = props.data.experiment_types.find((t) => t.id === Number(et))?.name ?? et;
      props.onDone(`Experiment type of ${ids.length} run${ids.length === 1 ? "" : "s"} changed to ${name}.`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="bulk-bar" onSubmit={apply} aria-label="Change selected runs">
      <strong>{props.selected.size} selected</strong>
      <label>
        experiment type{" "}
        <select name="bulk-experiment-type" value={et} onChange={(e) => setEt((e.target as HTMLSelectElement).value)}>
          <option value="">choose…</option>
          {props.data.experiment_types.map((t) => (
            <option key={t.id} value={String(t.id)}>
              {t.name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" disabled={et === "" || busy}>
        Change
      </button>
      <button type="button" class="secondary" onClick={props.onClear}>
        Clear selection
      </button>
      <ErrorText error={error} />
    </form>
  );
}

export function RunsPage(props: { beamtime: Beamtime }) {
  const bt = props.beamtime.id;
  const [query, setQuery] = useState<Query>(initialQuery);
  const [filterText, setFilterText] = useState(query.filter);
  const [data, setData] = useState<ReadRuns | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [filterError, setFilterError] = useState<{ pos: FilterErrorPosition; text: string } | null>(null);
  const [loading, setLoading] = useState(false);
  const [columns, setColumns] = useState<ColumnKey[] | null>(null);
  const [sort, setSort] = useState<SortState | null>(null);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [notice, setNotice] = useState<string | null>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewHeight, setViewHeight] = useState(600);
  const [reloadTick, setReloadTick] = useState(0);
  const lastClicked = useRef<number | null>(null);
  const scroller = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    performance.clearMarks();
    performance.mark("runs-request");
    api
      .runs(bt, query, controller.signal)
      .then((d) => {
        performance.mark("runs-data");
        setData(d);
        setError(null);
        setFilterError(null);
      })
      .catch((e) => {
        if (controller.signal.aborted) return;
        if (e instanceof ApiError && e.status === 400 && isFilterError(e.detailText)) {
          setFilterError({ pos: filterErrorPosition(query.filter, e.detailText), text: query.filter });
          setError(null);
        } else {
          setError(e);
        }
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    rememberQuery(query);
    return () => controller.abort();
  }, [bt, query, reloadTick]);

  const runAttributi = useMemo(() => (data ? data.attributi.filter((a) => a.associated_table === "run") : []), [data]);
  useEffect(() => {
    if (data && columns === null) setColumns(loadColumns(localStorage, bt, runAttributi));
  }, [data, runAttributi]);
  const changeColumns = (c: ColumnKey[]) => {
    setColumns(c);
    saveColumns(localStorage, bt, c);
  };

  const now = Date.now();
  const ctx: Ctx = useMemo(() => {
    const dates = new Set((data?.runs ?? []).map((r) => formatDate(r.started_local)));
    return {
      attributi: new Map((data?.attributi ?? []).map((a) => [a.id, a])),
      chemicals: chemicalNames(data?.chemicals ?? []),
      experimentTypes: new Map((data?.experiment_types ?? []).map((t) => [t.id, t.name])),
      multiDay: dates.size > 1,
      now,
    };
    // `now` only matters for running runs' durations; refreshed with the data.
  }, [data]);
  const rows = useMemo(() => (data ? (sort ? sortRuns(data.runs, sort, ctx) : data.runs) : []), [data, sort, ctx]);

  // Virtual rows: the scroller's height and position decide what is drawn.
  const rowHeight = useMemo(() => Math.round(remPx() * 2), []);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const measure = () => setViewHeight(el.clientHeight);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [data !== null]);
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + viewHeight) / rowHeight) + OVERSCAN);

  useEffect(() => {
    if (data && columns) {
      performance.mark("runs-rendered");
      document.body.dataset.runsRendered = String(data.runs.length);
    }
  }, [data, columns]);

  const toggle = (run: Run, index: number, shift: boolean) => {
    const next = new Set(selected);
    if (shift && lastClicked.current !== null) {
      const [a, b] = [Math.min(lastClicked.current, index), Math.max(lastClicked.current, index)];
      const on = !selected.has(run.external_id);
      for (let i = a; i <= b; i++) on ? next.add(rows[i].external_id) : next.delete(rows[i].external_id);
    } else if (next.has(run.external_id)) next.delete(run.external_id);
    else next.add(run.external_id);
    lastClicked.current = index;
    setSelected(next);
  };
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.external_id));

  const cols = columns ?? [];
  return (
    <section class="runs">
      <div class="toolbar">
        <FilterBox
          value={filterText}
          onInput={setFilterText}
          onApply={() => setQuery({ ...query, filter: filterText.trim() })}
          error={filterError?.pos ?? null}
          errorText={filterError?.text ?? ""}
        />
        <label>
          Date{" "}
          <select
            name="date"
            value={query.date}
            onChange={(e) => setQuery({ ...query, date: (e.target as HTMLSelectElement).value })}
          >
            <option value="">all dates</option>
            {(data?.filter_dates ?? []).map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </select>
        </label>
        {data && columns && <ColumnChooser runAttributi={runAttributi} columns={cols} onChange={changeColumns} ctx={ctx} />}
        <button type="button" class="secondary" onClick={() => setReloadTick(reloadTick + 1)}>
          Refresh
        </button>
        <span class="muted" role="status" aria-live="polite">
          {loading ? "loading…" : data ? `${rows.length.toLocaleString("en")} run${rows.length === 1 ? "" : "s"}` : ""}
        </span>
      </div>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorText error={error} />
      {data && (
        <BulkBar
          data={data}
          selected={selected}
          beamtimeId={bt}
          onClear={() => setSelected(new Set())}
          onDone={(m) => {
            setNotice(m);
            setSelected(new Set());
            setReloadTick(reloadTick + 1);
          }}
        />
      )}
      {data && columns && (
        <div
          class="table-scroll"
          ref={scroller}
          tabIndex={0}
          aria-label="Runs table"
          onScroll={(e) => setScrollTop((e.target as HTMLDivElement).scrollTop)}
        >
          <table class="grid" style={{ width: `calc(2.5rem + ${cols.map(columnWidth).join(" + ")})` }}>
            <colgroup>
              <col style={{ width: "2.5rem" }} />
              {cols.map((k) => (
                <col key={k} style={{ width: columnWidth(k) }} />
              ))}
            </colgroup>
            <thead>
              <tr>
                <th scope="col">
                  <input
                    type="checkbox"
                    aria-label="Select all runs shown"
                    checked={allSelected}
                    onChange={() => setSelected(allSelected ? new Set() : new Set(rows.map((r) => r.external_id)))}
                  />
                </th>
                {cols.map((k) => (
                  <th
                    key={k}
                    scope="col"
                    aria-sort={sort?.key === k ? (sort.dir === "asc" ? "ascending" : "descending") : undefined}
                  >
                    <button type="button" class="sort" onClick={() => setSort(nextSort(sort, k))} title={columnLabel(k, ctx)}>
                      {columnLabel(k, ctx)}
                      {sort?.key === k ? (sort.dir === "asc" ? " ▲" : " ▼") : ""}
                    </button>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {first > 0 && (
                <tr class="spacer" style={{ height: `${first * rowHeight}px` }} aria-hidden="true">
                  <td colSpan={cols.length + 1} />
                </tr>
              )}
              {rows.slice(first, last).map((run, i) => (
                <tr key={run.id} class={selected.has(run.external_id) ? "selected" : undefined} style={{ height: `${rowHeight}px` }}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Select run ${run.external_id}`}
                      checked={selected.has(run.external_id)}
                      onClick={(e) => toggle(run, first + i, (e as MouseEvent).shiftKey)}
                    />
                  </td>
                  {cols.map((k) => {
                    const text = cellText(run, k, ctx);
                    return (
                      <td key={k} title={text} class={k === "stopped" && run.stopped == null ? "running" : undefined}>
                        {text}
                      </td>
                    );
                  })}
                </tr>
              ))}
              {last < rows.length && (
                <tr class="spacer" style={{ height: `${(rows.length - last) * rowHeight}px` }} aria-hidden="true">
                  <td colSpan={cols.length + 1} />
                </tr>
              )}
            </tbody>
          </table>
          {rows.length === 0 && <p class="muted empty-table">No runs match.</p>}
        </div>
      )}
    </section>
  );
}
