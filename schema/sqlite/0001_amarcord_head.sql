-- Migration 0001: the AMARCORD schema at alembic head 340cda933bab (SQLite).
-- Table, column, constraint and enum names are the original's (spec/schema.md),
-- so the Python AMARCORD tool and this server can open the same database.
-- A database that already is at this revision is adopted instead: this
-- migration is then recorded without running.
CREATE TABLE alembic_version (
  version_num VARCHAR(32) NOT NULL,
  CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
CREATE TABLE "Beamtime" (
  id INTEGER NOT NULL,
  external_id VARCHAR(255) NOT NULL,
  proposal VARCHAR(255) NOT NULL,
  beamline VARCHAR(255) NOT NULL,
  title VARCHAR(255) NOT NULL,
  comment TEXT NOT NULL,
  start DATETIME NOT NULL,
  "end" DATETIME NOT NULL,
  analysis_output_path TEXT NOT NULL,
  PRIMARY KEY (id)
);
CREATE TABLE "ExperimentType" (
  id INTEGER NOT NULL,
  beamtime_id INTEGER NOT NULL,
  name VARCHAR(255) NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE
);
CREATE TABLE "Attributo" (
  beamtime_id INTEGER NOT NULL,
  id INTEGER NOT NULL,
  name VARCHAR(255) NOT NULL,
  description VARCHAR(255) NOT NULL,
  "group" VARCHAR(255) NOT NULL,
  associated_table VARCHAR(8) NOT NULL,
  json_schema JSON NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE
);
CREATE TABLE "File" (
  id INTEGER NOT NULL,
  type VARCHAR(255) NOT NULL,
  file_name VARCHAR(255) NOT NULL,
  size_in_bytes INTEGER NOT NULL,
  original_path TEXT,
  sha256 VARCHAR(64) NOT NULL,
  modified DATETIME NOT NULL,
  contents BLOB NOT NULL,
  description VARCHAR(255),
  size_in_bytes_compressed INTEGER,
  PRIMARY KEY (id)
);
CREATE TABLE "BeamtimeSchedule" (
  id INTEGER NOT NULL,
  beamtime_id INTEGER NOT NULL,
  users VARCHAR(255) NOT NULL,
  td_support VARCHAR(255) NOT NULL,
  comment TEXT NOT NULL,
  shift VARCHAR(255) NOT NULL,
  date VARCHAR(10) NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE
);
CREATE TABLE "Chemical" (
  id INTEGER NOT NULL,
  beamtime_id INTEGER NOT NULL,
  name VARCHAR(255) NOT NULL,
  responsible_person VARCHAR(255) NOT NULL,
  modified DATETIME NOT NULL,
  type VARCHAR(8) NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE
);
CREATE TABLE "ChemicalHasAttributoValue" (
  chemical_id INTEGER NOT NULL,
  attributo_id INTEGER NOT NULL,
  integer_value INTEGER,
  float_value FLOAT,
  string_value TEXT,
  bool_value BOOLEAN,
  datetime_value DATETIME,
  list_value JSON,
  PRIMARY KEY (chemical_id, attributo_id),
  FOREIGN KEY (chemical_id) REFERENCES "Chemical" (id) ON DELETE CASCADE,
  FOREIGN KEY (attributo_id) REFERENCES "Attributo" (id) ON DELETE CASCADE
);
CREATE TABLE "BeamtimeScheduleHasChemical" (
  beamtime_schedule_id INTEGER NOT NULL,
  chemical_id INTEGER NOT NULL,
  CONSTRAINT "BeamtimeScheduleHasChemical_pk" PRIMARY KEY (beamtime_schedule_id, chemical_id),
  FOREIGN KEY (beamtime_schedule_id) REFERENCES "BeamtimeSchedule" (id) ON DELETE CASCADE,
  FOREIGN KEY (chemical_id) REFERENCES "Chemical" (id) ON DELETE CASCADE
);
CREATE TABLE "ExperimentHasAttributo" (
  experiment_type_id INTEGER NOT NULL,
  attributo_id INTEGER NOT NULL,
  chemical_role VARCHAR(8) NOT NULL,
  FOREIGN KEY (experiment_type_id) REFERENCES "ExperimentType" (id) ON DELETE CASCADE,
  FOREIGN KEY (attributo_id) REFERENCES "Attributo" (id) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE TABLE "DataSet" (
  id INTEGER NOT NULL,
  experiment_type_id INTEGER NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (experiment_type_id) REFERENCES "ExperimentType" (id) ON DELETE CASCADE
);
CREATE TABLE "DataSetHasAttributoValue" (
  data_set_id INTEGER NOT NULL,
  attributo_id INTEGER NOT NULL,
  integer_value INTEGER,
  float_value FLOAT,
  string_value TEXT,
  bool_value BOOLEAN,
  datetime_value DATETIME,
  list_value JSON,
  chemical_value INTEGER,
  PRIMARY KEY (data_set_id, attributo_id),
  FOREIGN KEY (data_set_id) REFERENCES "DataSet" (id) ON DELETE CASCADE,
  FOREIGN KEY (attributo_id) REFERENCES "Attributo" (id) ON DELETE CASCADE,
  FOREIGN KEY (chemical_value) REFERENCES "Chemical" (id) ON DELETE CASCADE
);
CREATE TABLE "ChemicalHasFile" (
  chemical_id INTEGER,
  file_id INTEGER,
  FOREIGN KEY (chemical_id) REFERENCES "Chemical" (id) ON DELETE CASCADE,
  FOREIGN KEY (file_id) REFERENCES "File" (id) ON DELETE CASCADE
);
CREATE TABLE "EventLog" (
  id INTEGER NOT NULL,
  beamtime_id INTEGER NOT NULL,
  created DATETIME DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
  level VARCHAR(7) NOT NULL,
  source VARCHAR(255) NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE
);
CREATE TABLE "Run" (
  id INTEGER NOT NULL,
  external_id INTEGER NOT NULL,
  beamtime_id INTEGER NOT NULL,
  modified DATETIME NOT NULL,
  started DATETIME NOT NULL,
  stopped DATETIME,
  experiment_type_id INTEGER NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE,
  CONSTRAINT run_has_experiment_type_fk FOREIGN KEY (experiment_type_id) REFERENCES "ExperimentType" (id)
);
CREATE TABLE "RunHasAttributoValue" (
  run_id INTEGER NOT NULL,
  attributo_id INTEGER NOT NULL,
  integer_value INTEGER,
  float_value FLOAT,
  string_value TEXT,
  bool_value BOOLEAN,
  datetime_value DATETIME,
  list_value JSON,
  chemical_value INTEGER,
  PRIMARY KEY (run_id, attributo_id),
  FOREIGN KEY (run_id) REFERENCES "Run" (id) ON DELETE CASCADE,
  FOREIGN KEY (attributo_id) REFERENCES "Attributo" (id) ON DELETE CASCADE,
  FOREIGN KEY (chemical_value) REFERENCES "Chemical" (id) ON DELETE CASCADE
);
CREATE TABLE "EventHasFile" (
  event_id INTEGER,
  file_id INTEGER,
  FOREIGN KEY (event_id) REFERENCES "EventLog" (id) ON DELETE CASCADE,
  FOREIGN KEY (file_id) REFERENCES "File" (id) ON DELETE CASCADE
);
CREATE TABLE "RunHasFiles" (
  id INTEGER NOT NULL,
  run_id INTEGER NOT NULL,
  source VARCHAR(255) NOT NULL,
  "glob" TEXT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT run_has_files_run_id_pk FOREIGN KEY (run_id) REFERENCES "Run" (id) ON DELETE CASCADE
);
CREATE TABLE "Geometry" (
  id INTEGER NOT NULL,
  beamtime_id INTEGER NOT NULL,
  content TEXT NOT NULL,
  hash VARCHAR(64) NOT NULL,
  name VARCHAR(255) NOT NULL,
  created DATETIME NOT NULL,
  geometry_type VARCHAR(15) NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT geometry_has_beamtime_id_fk FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE
);
CREATE TABLE "GeometryReferencesAttributo" (
  geometry_id INTEGER NOT NULL,
  attributo_id INTEGER NOT NULL,
  FOREIGN KEY (geometry_id) REFERENCES "Geometry" (id) ON DELETE CASCADE,
  FOREIGN KEY (attributo_id) REFERENCES "Attributo" (id) ON DELETE CASCADE
);
CREATE TABLE "IndexingParameters" (
  id INTEGER NOT NULL,
  is_online BOOLEAN NOT NULL,
  cell_description VARCHAR(255),
  command_line TEXT NOT NULL,
  source VARCHAR(255) NOT NULL,
  geometry_id INTEGER,
  PRIMARY KEY (id),
  CONSTRAINT indexing_parameters_geometry_fk FOREIGN KEY (geometry_id) REFERENCES "Geometry" (id) ON DELETE CASCADE
);
CREATE TABLE "UserConfiguration" (
  id INTEGER NOT NULL,
  beamtime_id INTEGER NOT NULL,
  created DATETIME NOT NULL,
  auto_pilot BOOLEAN NOT NULL,
  use_online_crystfel BOOLEAN NOT NULL,
  current_experiment_type_id INTEGER,
  current_online_indexing_parameters_id INTEGER,
  PRIMARY KEY (id),
  CONSTRAINT user_configuration_has_indexing_parameters FOREIGN KEY (current_online_indexing_parameters_id) REFERENCES "IndexingParameters" (id) ON DELETE CASCADE,
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE,
  FOREIGN KEY (current_experiment_type_id) REFERENCES "ExperimentType" (id) ON DELETE SET NULL
);
CREATE TABLE "IndexingResult" (
  id INTEGER NOT NULL,
  created DATETIME NOT NULL,
  run_id INTEGER,
  stream_file TEXT,
  frames INTEGER,
  hits INTEGER,
  indexed_frames INTEGER NOT NULL,
  job_id INTEGER,
  job_status VARCHAR(7) NOT NULL,
  job_error TEXT,
  indexing_parameters_id INTEGER NOT NULL,
  program_version VARCHAR(255),
  job_latest_log TEXT,
  job_started DATETIME,
  job_stopped DATETIME,
  unit_cell_histograms_file_id INTEGER,
  generated_geometry_id INTEGER,
  PRIMARY KEY (id),
  CONSTRAINT indexing_result_generated_geometry_fk FOREIGN KEY (generated_geometry_id) REFERENCES "Geometry" (id) ON DELETE CASCADE,
  CONSTRAINT indexing_result_unit_cell_histogram FOREIGN KEY (unit_cell_histograms_file_id) REFERENCES "File" (id) ON DELETE CASCADE,
  CONSTRAINT indexing_result_has_indexing_parameters FOREIGN KEY (indexing_parameters_id) REFERENCES "IndexingParameters" (id) ON DELETE CASCADE,
  FOREIGN KEY (run_id) REFERENCES "Run" (id) ON DELETE CASCADE
);
CREATE TABLE "IndexingResultHasStatistic" (
  indexing_result_id INTEGER,
  time DATETIME NOT NULL,
  frames INTEGER NOT NULL,
  hits INTEGER NOT NULL,
  indexed_frames INTEGER NOT NULL,
  indexed_crystals INTEGER NOT NULL,
  FOREIGN KEY (indexing_result_id) REFERENCES "IndexingResult" (id) ON DELETE CASCADE
);
CREATE TABLE "AlignDetectorGroup" (
  id INTEGER NOT NULL,
  indexing_result_id INTEGER NOT NULL,
  "group" VARCHAR(255) NOT NULL,
  x_translation_mm FLOAT NOT NULL,
  y_translation_mm FLOAT NOT NULL,
  z_translation_mm FLOAT,
  x_rotation_deg FLOAT,
  y_rotation_deg FLOAT,
  PRIMARY KEY (id),
  CONSTRAINT idnexing_result_has_align_detector_group_fk FOREIGN KEY (indexing_result_id) REFERENCES "IndexingResult" (id) ON DELETE CASCADE
);
CREATE TABLE "GeometryTemplateReplacement" (
  id INTEGER NOT NULL,
  indexing_result_id INTEGER NOT NULL,
  attributo_id INTEGER NOT NULL,
  replacement VARCHAR(255) NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (indexing_result_id) REFERENCES "IndexingResult" (id) ON DELETE CASCADE,
  FOREIGN KEY (attributo_id) REFERENCES "Attributo" (id) ON DELETE CASCADE
);
CREATE TABLE "MergeResult" (
  id INTEGER NOT NULL,
  created DATETIME NOT NULL,
  recent_log TEXT NOT NULL,
  negative_handling VARCHAR(6),
  job_status VARCHAR(7) NOT NULL,
  started DATETIME,
  stopped DATETIME,
  point_group VARCHAR(32),
  cell_description VARCHAR(255),
  job_id INTEGER,
  job_error TEXT,
  mtz_file_id INTEGER,
  input_merge_model VARCHAR(7) NOT NULL,
  input_scale_intensities VARCHAR(12) NOT NULL,
  input_post_refinement BOOLEAN NOT NULL,
  input_iterations INTEGER NOT NULL,
  input_polarisation_angle INTEGER,
  input_polarisation_percent INTEGER,
  input_start_after INTEGER,
  input_stop_after INTEGER,
  input_rel_b FLOAT NOT NULL,
  input_no_pr BOOLEAN NOT NULL,
  input_force_bandwidth FLOAT,
  input_force_radius FLOAT,
  input_force_lambda FLOAT,
  input_no_delta_cc_half BOOLEAN NOT NULL,
  input_max_adu FLOAT,
  input_min_measurements INTEGER NOT NULL,
  input_logs BOOLEAN NOT NULL,
  input_min_res FLOAT,
  input_push_res FLOAT,
  input_w VARCHAR(255),
  fom_snr FLOAT,
  fom_wilson FLOAT,
  fom_ln_k FLOAT,
  fom_discarded_reflections INTEGER,
  fom_one_over_d_from FLOAT,
  fom_one_over_d_to FLOAT,
  fom_redundancy FLOAT,
  fom_completeness FLOAT,
  fom_measurements_total INTEGER,
  fom_reflections_total INTEGER,
  fom_reflections_possible INTEGER,
  fom_r_split FLOAT,
  fom_r1i FLOAT,
  fom_2 FLOAT,
  fom_cc FLOAT,
  fom_ccstar FLOAT,
  fom_ccano FLOAT,
  fom_crdano FLOAT,
  fom_rano FLOAT,
  fom_rano_over_r_split FLOAT,
  fom_d1sig FLOAT,
  fom_d2sig FLOAT,
  fom_outer_resolution FLOAT,
  fom_outer_ccstar FLOAT,
  fom_outer_r_split FLOAT,
  fom_outer_cc FLOAT,
  fom_outer_unique_reflections INTEGER,
  fom_outer_completeness FLOAT,
  fom_outer_redundancy FLOAT,
  fom_outer_snr FLOAT,
  fom_outer_min_res FLOAT,
  fom_outer_max_res FLOAT,
  space_group VARCHAR(32),
  ambigator_command_line VARCHAR(255),
  ambigator_fg_graph_file_id INTEGER,
  cutoff_lowres FLOAT,
  cutoff_highres VARCHAR(255),
  PRIMARY KEY (id),
  FOREIGN KEY (mtz_file_id) REFERENCES "File" (id) ON DELETE CASCADE
);
CREATE TABLE "MergeResultShellFom" (
  id INTEGER NOT NULL,
  merge_result_id INTEGER NOT NULL,
  one_over_d_centre FLOAT NOT NULL,
  nref INTEGER NOT NULL,
  d_over_a FLOAT NOT NULL,
  min_res FLOAT NOT NULL,
  max_res FLOAT NOT NULL,
  cc FLOAT NOT NULL,
  ccstar FLOAT NOT NULL,
  r_split FLOAT NOT NULL,
  reflections_possible INTEGER NOT NULL,
  completeness FLOAT NOT NULL,
  measurements INTEGER NOT NULL,
  redundancy FLOAT NOT NULL,
  snr FLOAT NOT NULL,
  mean_i FLOAT NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (merge_result_id) REFERENCES "MergeResult" (id) ON DELETE CASCADE
);
CREATE TABLE "MergeResultHasIndexingResult" (
  merge_result_id INTEGER,
  indexing_result_id INTEGER,
  FOREIGN KEY (merge_result_id) REFERENCES "MergeResult" (id) ON DELETE CASCADE,
  FOREIGN KEY (indexing_result_id) REFERENCES "IndexingResult" (id) ON DELETE CASCADE
);
CREATE TABLE "RefinementResult" (
  id INTEGER NOT NULL,
  merge_result_id INTEGER,
  pdb_file_id INTEGER,
  mtz_file_id INTEGER,
  r_free FLOAT NOT NULL,
  r_work FLOAT NOT NULL,
  rms_bond_angle FLOAT NOT NULL,
  rms_bond_length FLOAT NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (merge_result_id) REFERENCES "MergeResult" (id) ON DELETE CASCADE,
  FOREIGN KEY (pdb_file_id) REFERENCES "File" (id) ON DELETE CASCADE,
  FOREIGN KEY (mtz_file_id) REFERENCES "File" (id) ON DELETE CASCADE
);
INSERT INTO alembic_version (version_num) VALUES ('340cda933bab');
