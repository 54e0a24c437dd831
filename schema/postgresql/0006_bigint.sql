-- Migration 0006: 64-bit integers everywhere on PostgreSQL. Ids, foreign
-- keys, run numbers and integer attributo values become bigint, so that any
-- 64-bit id a client sends is simply "not found" instead of an out-of-range
-- error, and integer values round-trip as on SQLite.
ALTER TABLE "Beamtime"
  ALTER COLUMN id TYPE bigint;
ALTER TABLE "ExperimentType"
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN beamtime_id TYPE bigint;
ALTER TABLE "Attributo"
  ALTER COLUMN beamtime_id TYPE bigint,
  ALTER COLUMN id TYPE bigint;
ALTER TABLE "File"
  ALTER COLUMN id TYPE bigint;
ALTER TABLE "BeamtimeSchedule"
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN beamtime_id TYPE bigint;
ALTER TABLE "Chemical"
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN beamtime_id TYPE bigint;
ALTER TABLE "ChemicalHasAttributoValue"
  ALTER COLUMN chemical_id TYPE bigint,
  ALTER COLUMN attributo_id TYPE bigint,
  ALTER COLUMN integer_value TYPE bigint;
ALTER TABLE "BeamtimeScheduleHasChemical"
  ALTER COLUMN beamtime_schedule_id TYPE bigint,
  ALTER COLUMN chemical_id TYPE bigint;
ALTER TABLE "ExperimentHasAttributo"
  ALTER COLUMN experiment_type_id TYPE bigint,
  ALTER COLUMN attributo_id TYPE bigint;
ALTER TABLE "DataSet"
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN experiment_type_id TYPE bigint;
ALTER TABLE "DataSetHasAttributoValue"
  ALTER COLUMN data_set_id TYPE bigint,
  ALTER COLUMN attributo_id TYPE bigint,
  ALTER COLUMN integer_value TYPE bigint,
  ALTER COLUMN chemical_value TYPE bigint;
ALTER TABLE "ChemicalHasFile"
  ALTER COLUMN chemical_id TYPE bigint,
  ALTER COLUMN file_id TYPE bigint;
ALTER TABLE "EventLog"
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN beamtime_id TYPE bigint;
ALTER TABLE "Run"
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN external_id TYPE bigint,
  ALTER COLUMN beamtime_id TYPE bigint,
  ALTER COLUMN experiment_type_id TYPE bigint;
ALTER TABLE "RunHasAttributoValue"
  ALTER COLUMN run_id TYPE bigint,
  ALTER COLUMN attributo_id TYPE bigint,
  ALTER COLUMN integer_value TYPE bigint,
  ALTER COLUMN chemical_value TYPE bigint;
ALTER TABLE "EventHasFile"
  ALTER COLUMN event_id TYPE bigint,
  ALTER COLUMN file_id TYPE bigint;
ALTER TABLE "RunHasFiles"
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN run_id TYPE bigint;
ALTER TABLE "Geometry"
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN beamtime_id TYPE bigint;
ALTER TABLE "GeometryReferencesAttributo"
  ALTER COLUMN geometry_id TYPE bigint,
  ALTER COLUMN attributo_id TYPE bigint;
ALTER TABLE "IndexingParameters"
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN geometry_id TYPE bigint;
ALTER TABLE "UserConfiguration"
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN beamtime_id TYPE bigint,
  ALTER COLUMN current_experiment_type_id TYPE bigint,
  ALTER COLUMN current_online_indexing_parameters_id TYPE bigint;
ALTER TABLE "IndexingResult"
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN run_id TYPE bigint,
  ALTER COLUMN indexing_parameters_id TYPE bigint,
  ALTER COLUMN unit_cell_histograms_file_id TYPE bigint,
  ALTER COLUMN generated_geometry_id TYPE bigint;
ALTER TABLE "IndexingResultHasStatistic"
  ALTER COLUMN indexing_result_id TYPE bigint;
ALTER TABLE "AlignDetectorGroup"
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN indexing_result_id TYPE bigint;
ALTER TABLE "GeometryTemplateReplacement"
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN indexing_result_id TYPE bigint,
  ALTER COLUMN attributo_id TYPE bigint;
ALTER TABLE "MergeResult"
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN mtz_file_id TYPE bigint,
  ALTER COLUMN input_iterations TYPE bigint,
  ALTER COLUMN input_polarisation_angle TYPE bigint,
  ALTER COLUMN input_polarisation_percent TYPE bigint,
  ALTER COLUMN input_start_after TYPE bigint,
  ALTER COLUMN input_stop_after TYPE bigint,
  ALTER COLUMN input_min_measurements TYPE bigint,
  ALTER COLUMN ambigator_fg_graph_file_id TYPE bigint;
ALTER TABLE "MergeResultShellFom"
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN merge_result_id TYPE bigint;
ALTER TABLE "MergeResultHasIndexingResult"
  ALTER COLUMN merge_result_id TYPE bigint,
  ALTER COLUMN indexing_result_id TYPE bigint;
ALTER TABLE "RefinementResult"
  ALTER COLUMN id TYPE bigint,
  ALTER COLUMN merge_result_id TYPE bigint,
  ALTER COLUMN pdb_file_id TYPE bigint,
  ALTER COLUMN mtz_file_id TYPE bigint;
ALTER SEQUENCE "Beamtime_id_seq" AS bigint;
ALTER SEQUENCE "ExperimentType_id_seq" AS bigint;
ALTER SEQUENCE "Attributo_id_seq" AS bigint;
ALTER SEQUENCE "File_id_seq" AS bigint;
ALTER SEQUENCE "BeamtimeSchedule_id_seq" AS bigint;
ALTER SEQUENCE "Chemical_id_seq" AS bigint;
ALTER SEQUENCE "DataSet_id_seq" AS bigint;
ALTER SEQUENCE "EventLog_id_seq" AS bigint;
ALTER SEQUENCE "Run_id_seq" AS bigint;
ALTER SEQUENCE "RunHasFiles_id_seq" AS bigint;
ALTER SEQUENCE "Geometry_id_seq" AS bigint;
ALTER SEQUENCE "IndexingParameters_id_seq" AS bigint;
ALTER SEQUENCE "UserConfiguration_id_seq" AS bigint;
ALTER SEQUENCE "IndexingResult_id_seq" AS bigint;
ALTER SEQUENCE "AlignDetectorGroup_id_seq" AS bigint;
ALTER SEQUENCE "GeometryTemplateReplacement_id_seq" AS bigint;
ALTER SEQUENCE "MergeResult_id_seq" AS bigint;
ALTER SEQUENCE "MergeResultShellFom_id_seq" AS bigint;
ALTER SEQUENCE "RefinementResult_id_seq" AS bigint;
