// The wire JSON of the AMARCORD API (spec api-core.md §4, api-runs-events-files.md §2),
// with the spec's field names. Optional fields are absent (omit-defaults) or null.

/** Milliseconds since the epoch. `*_local` values are wall-clock times encoded as UTC. */
export type Millis = number;

export interface Beamtime {
  id: number;
  external_id: string;
  proposal: string;
  beamline: string;
  title: string;
  comment: string;
  start: Millis;
  start_local: Millis;
  end: Millis;
  end_local: Millis;
  chemical_names: string[];
  analysis_output_path: string;
}

export interface BeamtimeInput {
  id: number;
  external_id: string;
  proposal: string;
  beamline: string;
  title: string;
  comment: string;
  start_local: Millis;
  end_local: Millis;
  analysis_output_path: string;
}

export type AssociatedTable = "run" | "chemical";

export interface SchemaInteger {
  type: "integer";
  format?: "date-time" | "chemical-id" | null;
}
export interface SchemaNumber {
  type: "number";
  minimum?: number | null;
  maximum?: number | null;
  exclusiveMinimum?: number | null;
  exclusiveMaximum?: number | null;
  suffix?: string | null;
  format?: "standard-unit" | null;
  tolerance?: number | null;
  toleranceIsAbsolute?: boolean;
}
export interface SchemaString {
  type: "string";
  enum?: string[] | null;
}
export interface SchemaBoolean {
  type: "boolean";
}
export type ArrayItemType = "string" | "bool" | "number";
export interface SchemaArray {
  type: "array";
  item_type: ArrayItemType;
  minItems?: number | null;
  maxItems?: number | null;
}

/** The five type keys of JsonAttributo; exactly one is present. */
export interface AttributoTypeFields {
  attributo_type_integer?: SchemaInteger | null;
  attributo_type_number?: SchemaNumber | null;
  attributo_type_string?: SchemaString | null;
  attributo_type_array?: SchemaArray | null;
  attributo_type_boolean?: SchemaBoolean | null;
}

export interface Attributo extends AttributoTypeFields {
  id: number;
  name: string;
  description: string;
  group: string;
  associated_table: AssociatedTable;
}

export interface AttributoCreateInput extends AttributoTypeFields {
  beamtime_id: number;
  name: string;
  description: string;
  group: string;
  associated_table: AssociatedTable;
}

export interface AttributoValue {
  attributo_id: number;
  attributo_value_str?: string | null;
  attributo_value_int?: number | null;
  attributo_value_chemical?: number | null;
  attributo_value_datetime?: Millis | null;
  attributo_value_datetime_local?: Millis | null;
  attributo_value_float?: number | null;
  attributo_value_bool?: boolean | null;
  attributo_value_list_str?: string[] | null;
  attributo_value_list_float?: number[] | null;
  attributo_value_list_bool?: boolean[] | null;
}

export interface FileOutput {
  id: number;
  description: string;
  type_: string;
  original_path?: string | null;
  file_name: string;
  size_in_bytes: number;
  size_in_bytes_compressed?: number | null;
}

export type ChemicalType = "crystal" | "solution";

export interface Chemical {
  id: number;
  beamtime_id: number;
  name: string;
  responsible_person: string;
  chemical_type: ChemicalType;
  attributi: AttributoValue[];
  files: FileOutput[];
}

export interface ChemicalInput {
  beamtime_id: number;
  name: string;
  responsible_person: string;
  chemical_type: ChemicalType;
  attributi: AttributoValue[];
  file_ids: number[];
}

export interface ReadChemicals {
  chemicals: Chemical[];
  attributi: Attributo[];
}

export interface ReadAllChemicals {
  chemicals: Chemical[];
  beamtimes: Beamtime[];
  attributi_names: { id: number; name: string }[];
}

export type ChemicalRole = "crystal" | "solution";

export interface ExperimentType {
  id: number;
  name: string;
  attributi: { id: number; role: ChemicalRole }[];
}

export interface ReadExperimentTypes {
  experiment_types: ExperimentType[];
  attributi: Attributo[];
  experiment_type_id_to_run: { id: number; runs: string[]; number_of_runs: number }[];
  current_experiment_type_id?: number | null;
}

export interface DataSet {
  id: number;
  experiment_type_id: number;
  beamtime_id: number;
  attributi: AttributoValue[];
}

export interface ReadDataSets {
  data_sets: DataSet[];
  chemicals: Chemical[];
  attributi: Attributo[];
  experiment_types: ExperimentType[];
}

export interface RunFile {
  id: number;
  glob: string;
  source: string;
}

export interface IndexingFom {
  hit_rate: number;
  indexing_rate: number;
  indexed_frames: number;
  align_detector_groups: unknown[];
}

export interface Run {
  id: number;
  external_id: number;
  attributi: AttributoValue[];
  started: Millis;
  started_local: Millis;
  stopped?: Millis | null;
  stopped_local?: Millis | null;
  files: RunFile[];
  summary: IndexingFom;
  experiment_type_id: number;
}

export type EventLevel = "info" | "warning" | "error" | "user";

export interface AmarcordEvent {
  id: number;
  source: string;
  text: string;
  created: Millis;
  created_local: Millis;
  level: EventLevel;
  files: FileOutput[];
}

export interface ReadRuns {
  filter_dates: string[];
  runs: Run[];
  attributi: Attributo[];
  experiment_types: ExperimentType[];
  events: AmarcordEvent[];
  chemicals: Chemical[];
}

export interface ReadEvents {
  events: AmarcordEvent[];
  filter_dates: string[];
}

export interface LiveStream {
  file_id: number;
  modified: Millis;
  modified_local: Millis;
}

export interface UserConfig {
  online_crystfel: boolean;
  auto_pilot: boolean;
  current_experiment_type_id?: number | null;
  current_online_indexing_parameters_id?: number | null;
}

export interface IndexingStatistic {
  time: number;
  frames: number;
  hits: number;
  indexed: number;
  crystals: number;
}

export interface RunAnalysisIndexingResult {
  indexing_result_id: number;
  run_id: number;
  foms: IndexingFom;
  indexing_statistics: IndexingStatistic[];
  running: boolean;
  frames?: number | null;
  total_frames?: number | null;
}

export interface ReadRunsOverview {
  live_stream?: LiveStream | null;
  attributi: Attributo[];
  latest_indexing_result?: RunAnalysisIndexingResult | null;
  latest_run?: Run | null;
  foms_for_this_data_set?: { data_set: DataSet; fom: IndexingFom } | null;
  experiment_types: ExperimentType[];
  events: AmarcordEvent[];
  chemicals: Chemical[];
  user_config: UserConfig;
  current_beamtime_user?: string | null;
}

export interface ScheduleRowInput {
  users: string;
  date: string;
  shift: string;
  comment: string;
  td_support: string;
  chemicals: number[];
}

export interface ScheduleRow extends ScheduleRowInput {
  start: Millis;
  start_local: Millis;
  stop: Millis;
  stop_local: Millis;
}

export interface UnitCheck {
  input: string;
  error?: string | null;
  normalized?: string | null;
}

/** One entry of a 422 answer's `detail` list (pydantic's validation error). */
export interface ValidationErrorItem {
  type: string;
  loc: (string | number)[];
  msg: string;
  input?: unknown;
}
