// Typed calls of the AMARCORD API. Every function returns the parsed answer
// or throws ApiError (non-2xx) / TypeError (network); errors.ts words them.
import { ApiError } from "./errors";
import type {
  AmarcordEvent,
  Attributo,
  AttributoCreateInput,
  AttributoValue,
  Beamtime,
  BeamtimeInput,
  ChemicalInput,
  ChemicalRole,
  FileOutput,
  ReadAllChemicals,
  ReadChemicals,
  ReadDataSets,
  ReadEvents,
  ReadExperimentTypes,
  ReadRuns,
  ReadRunsOverview,
  ScheduleRow,
  ScheduleRowInput,
  UnitCheck,
  EventLevel,
} from "./types";

async function parseBody(r: Response): Promise<unknown> {
  const text = await r.text();
  if (text === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

let clockOffset = 0;

// Server time minus browser time, from the Date header (when the server or
// a proxy sends one), so ages of server times do not depend on a wrong
// browser clock. Date has whole seconds: differences below 2 s are noise.
function noteServerDate(header: string | null) {
  if (!header) return;
  const server = Date.parse(header);
  if (Number.isNaN(server)) return;
  const offset = server - Date.now();
  clockOffset = Math.abs(offset) < 2000 ? 0 : offset;
}

export function serverClockOffset(): number {
  return clockOffset;
}

async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const init: RequestInit = { method, signal, headers: { Accept: "application/json" } };
  if (body instanceof FormData) {
    init.body = body;
  } else if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers = { ...init.headers, "Content-Type": "application/json" };
  }
  const r = await fetch(path, init);
  noteServerDate(r.headers.get("Date"));
  const parsed = await parseBody(r);
  if (!r.ok) throw new ApiError(r.status, parsed, r.headers.get("X-Request-Id"));
  return parsed as T;
}

const get = <T>(path: string, signal?: AbortSignal) => call<T>("GET", path, undefined, signal);
const post = <T>(path: string, body: unknown) => call<T>("POST", path, body);
const patch = <T>(path: string, body?: unknown) => call<T>("PATCH", path, body);
const del = <T>(path: string, body: unknown) => call<T>("DELETE", path, body);

export const api = {
  // Beamtimes
  beamtimes: () => get<{ beamtimes: Beamtime[] }>("/api/beamtimes").then((r) => r.beamtimes),
  beamtime: (id: number) => get<Beamtime>(`/api/beamtimes/${id}`),
  createBeamtime: (b: BeamtimeInput) => post<Beamtime>("/api/beamtimes", b),
  updateBeamtime: (b: BeamtimeInput) => patch<Beamtime>("/api/beamtimes", b),

  // Attributi
  attributi: (bt: number) => get<{ attributi: Attributo[] }>(`/api/attributi/${bt}`).then((r) => r.attributi),
  createAttributo: (a: AttributoCreateInput) => post<{ id: number }>("/api/attributi", a),
  updateAttributo: (a: Attributo, ignoreUnits: boolean) =>
    patch<{ id: number }>("/api/attributi", { attributo: a, conversion_flags: { ignore_units: ignoreUnits } }),
  deleteAttributo: (id: number) => del<{ id: number }>("/api/attributi", { id }),
  checkUnit: (input: string) => post<UnitCheck>("/api/unit", { input }),

  // Chemicals
  chemicals: (bt: number) => get<ReadChemicals>(`/api/chemicals/${bt}`),
  allChemicals: () => get<ReadAllChemicals>("/api/all-chemicals"),
  createChemical: (c: ChemicalInput) => post<{ id: number }>("/api/chemicals", c),
  updateChemical: (id: number, c: ChemicalInput) => patch<{ id: number }>("/api/chemicals", { id, ...c }),
  deleteChemical: (id: number) => del<{ id: number }>("/api/chemicals", { id }),
  copyChemical: (chemicalId: number, targetBeamtime: number, createAttributi: boolean) =>
    post<{ new_chemical_id: number }>("/api/copy-chemical", {
      chemical_id: chemicalId,
      target_beamtime_id: targetBeamtime,
      create_attributi: createAttributi,
    }),

  // Experiment types and data sets
  experimentTypes: (bt: number) => get<ReadExperimentTypes>(`/api/experiment-types/${bt}`),
  createExperimentType: (bt: number, name: string, attributi: { id: number; role: ChemicalRole }[]) =>
    post<{ id: number }>("/api/experiment-types", { beamtime_id: bt, name, attributi }),
  deleteExperimentType: (id: number) => del<{ result: boolean }>("/api/experiment-types", { id }),
  setCurrentExperimentType: (bt: number, id: number) =>
    patch<{ value_int?: number }>(`/api/user-config/${bt}/current-experiment-type-id/${id}`),
  dataSets: (bt: number) => get<ReadDataSets>(`/api/data-sets/${bt}`),
  createDataSet: (experimentTypeId: number, attributi: AttributoValue[]) =>
    post<{ id: number }>("/api/data-sets", { experiment_type_id: experimentTypeId, attributi }),
  deleteDataSet: (id: number) => del<{ result: boolean }>("/api/data-sets", { id }),

  // Runs
  runs: (bt: number, q: { filter?: string; date?: string; runRanges?: string }, signal?: AbortSignal) => {
    const params = new URLSearchParams();
    if (q.filter) params.set("filter", q.filter);
    if (q.date) params.set("date", q.date);
    if (q.runRanges) params.set("runRanges", q.runRanges);
    const qs = params.toString();
    return get<ReadRuns>(`/api/runs/${bt}${qs ? `?${qs}` : ""}`, signal);
  },
  runsOverview: (bt: number, signal?: AbortSignal) => get<ReadRunsOverview>(`/api/runs-overview/${bt}`, signal),
  changeRunsExperimentType: (bt: number, externalRunIds: number[], experimentTypeId: number) =>
    patch<{ result: boolean }>("/api/runs-bulk", {
      beamtime_id: bt,
      external_run_ids: externalRunIds,
      attributi: [],
      delete_dependent_objects: false,
      new_experiment_type_id: experimentTypeId,
    }),

  // Events
  events: (bt: number) => get<ReadEvents>(`/api/events/${bt}`),
  createEvent: (bt: number, e: { source: string; text: string; level: EventLevel; fileIds: number[]; withLiveStream: boolean }) =>
    post<{ id: number }>("/api/events", {
      beamtime_id: bt,
      event: { source: e.source, text: e.text, level: e.level, file_ids: e.fileIds },
      with_live_stream: e.withLiveStream,
    }),
  deleteEvent: (id: number) => del<{ result: boolean }>("/api/events", { id }),

  // Files
  uploadFile: (file: File, description: string) => {
    const form = new FormData();
    form.append("file", file, file.name);
    form.append("description", description);
    form.append("deduplicate", "False");
    return post<FileOutput>("/api/files", form);
  },

  // Schedule
  schedule: (bt: number) => get<{ schedule: ScheduleRow[] }>(`/api/schedule/${bt}`).then((r) => r.schedule),
  saveSchedule: (bt: number, rows: ScheduleRowInput[]) =>
    post<{ schedule: ScheduleRow[] }>("/api/schedule", { beamtime_id: bt, schedule: rows }).then((r) => r.schedule),
};

/** Where a file is downloaded (and, for images, shown). */
export function fileUrl(id: number, bust?: number): string {
  return bust === undefined ? `/api/files/${id}` : `/api/files/${id}?t=${bust}`;
}

export type { AmarcordEvent };
