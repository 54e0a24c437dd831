-- Migration 0001: the AMARCORD schema at alembic head 340cda933bab (PostgreSQL; the original cannot migrate PostgreSQL to head, this is its schema with the identifier quoting fixed).
-- Table, column, constraint and enum names are the original's (spec/schema.md),
-- so the Python AMARCORD tool and this server can open the same database.
-- A database that already is at this revision is adopted instead: this
-- migration is then recorded without running.
CREATE TYPE associatedtable AS ENUM ('RUN', 'CHEMICAL');
CREATE TYPE chemicaltype AS ENUM ('CRYSTAL', 'SOLUTION');
CREATE TYPE dbjobstatus AS ENUM ('QUEUED', 'RUNNING', 'DONE');
CREATE TYPE eventloglevel AS ENUM ('INFO', 'WARNING', 'ERROR');
CREATE TYPE geometrytype AS ENUM ('CRYSTFEL_FILE', 'CRYSTFEL_STRING');
CREATE TYPE mergemodel AS ENUM ('UNITY', 'XSPHERE', 'OFFSET', 'GGPM');
CREATE TYPE mergenegativehandling AS ENUM ('IGNORE', 'ZERO');
CREATE TYPE scaleintensities AS ENUM ('OFF', 'NORMAL', 'DEBYE_WALLER');
CREATE TABLE alembic_version (
  version_num VARCHAR(32) NOT NULL,
  CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
);
CREATE TABLE "Beamtime" (
  id SERIAL NOT NULL,
  external_id VARCHAR(255) NOT NULL,
  proposal VARCHAR(255) NOT NULL,
  beamline VARCHAR(255) NOT NULL,
  title VARCHAR(255) NOT NULL,
  comment text NOT NULL,
  start timestamp without time zone NOT NULL,
  "end" timestamp without time zone NOT NULL,
  analysis_output_path text NOT NULL,
  PRIMARY KEY (id)
);
CREATE TABLE "ExperimentType" (
  id SERIAL NOT NULL,
  beamtime_id integer NOT NULL,
  name VARCHAR(255) NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE
);
CREATE TABLE "Attributo" (
  beamtime_id integer NOT NULL,
  id SERIAL NOT NULL,
  name VARCHAR(255) NOT NULL,
  description VARCHAR(255) NOT NULL,
  "group" VARCHAR(255) NOT NULL,
  associated_table associatedtable NOT NULL,
  json_schema json NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE
);
CREATE TABLE "File" (
  id SERIAL NOT NULL,
  type VARCHAR(255) NOT NULL,
  file_name VARCHAR(255) NOT NULL,
  size_in_bytes integer NOT NULL,
  original_path text,
  sha256 VARCHAR(64) NOT NULL,
  modified timestamp without time zone NOT NULL,
  contents bytea NOT NULL,
  description VARCHAR(255),
  size_in_bytes_compressed integer,
  PRIMARY KEY (id)
);
CREATE TABLE "BeamtimeSchedule" (
  id SERIAL NOT NULL,
  beamtime_id integer NOT NULL,
  users VARCHAR(255) NOT NULL,
  td_support VARCHAR(255) NOT NULL,
  comment text NOT NULL,
  shift VARCHAR(255) NOT NULL,
  date VARCHAR(10) NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE
);
CREATE TABLE "Chemical" (
  id SERIAL NOT NULL,
  beamtime_id integer NOT NULL,
  name VARCHAR(255) NOT NULL,
  responsible_person VARCHAR(255) NOT NULL,
  modified timestamp without time zone NOT NULL,
  type chemicaltype NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE
);
CREATE TABLE "ChemicalHasAttributoValue" (
  chemical_id integer NOT NULL,
  attributo_id integer NOT NULL,
  integer_value integer,
  float_value double precision,
  string_value text,
  bool_value boolean,
  datetime_value timestamp without time zone,
  list_value json,
  PRIMARY KEY (chemical_id, attributo_id),
  FOREIGN KEY (chemical_id) REFERENCES "Chemical" (id) ON DELETE CASCADE,
  FOREIGN KEY (attributo_id) REFERENCES "Attributo" (id) ON DELETE CASCADE
);
CREATE TABLE "BeamtimeScheduleHasChemical" (
  beamtime_schedule_id integer NOT NULL,
  chemical_id integer NOT NULL,
  CONSTRAINT "BeamtimeScheduleHasChemical_pk" PRIMARY KEY (beamtime_schedule_id, chemical_id),
  FOREIGN KEY (beamtime_schedule_id) REFERENCES "BeamtimeSchedule" (id) ON DELETE CASCADE,
  FOREIGN KEY (chemical_id) REFERENCES "Chemical" (id) ON DELETE CASCADE
);
CREATE TABLE "ExperimentHasAttributo" (
  experiment_type_id integer NOT NULL,
  attributo_id integer NOT NULL,
  chemical_role chemicaltype NOT NULL,
  FOREIGN KEY (experiment_type_id) REFERENCES "ExperimentType" (id) ON DELETE CASCADE,
  FOREIGN KEY (attributo_id) REFERENCES "Attributo" (id) ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE TABLE "DataSet" (
  id SERIAL NOT NULL,
  experiment_type_id integer NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (experiment_type_id) REFERENCES "ExperimentType" (id) ON DELETE CASCADE
);
CREATE TABLE "DataSetHasAttributoValue" (
  data_set_id integer NOT NULL,
  attributo_id integer NOT NULL,
  integer_value integer,
  float_value double precision,
  string_value text,
  bool_value boolean,
  datetime_value timestamp without time zone,
  list_value json,
  chemical_value integer,
  PRIMARY KEY (data_set_id, attributo_id),
  FOREIGN KEY (data_set_id) REFERENCES "DataSet" (id) ON DELETE CASCADE,
  FOREIGN KEY (attributo_id) REFERENCES "Attributo" (id) ON DELETE CASCADE,
  FOREIGN KEY (chemical_value) REFERENCES "Chemical" (id) ON DELETE CASCADE
);
CREATE TABLE "ChemicalHasFile" (
  chemical_id integer,
  file_id integer,
  FOREIGN KEY (chemical_id) REFERENCES "Chemical" (id) ON DELETE CASCADE,
  FOREIGN KEY (file_id) REFERENCES "File" (id) ON DELETE CASCADE
);
CREATE TABLE "EventLog" (
  id SERIAL NOT NULL,
  beamtime_id integer NOT NULL,
  created timestamp without time zone DEFAULT now() NOT NULL,
  level eventloglevel NOT NULL,
  source VARCHAR(255) NOT NULL,
  text text NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE
);
CREATE TABLE "Run" (
  id SERIAL NOT NULL,
  external_id integer NOT NULL,
  beamtime_id integer NOT NULL,
  modified timestamp without time zone NOT NULL,
  started timestamp without time zone NOT NULL,
  stopped timestamp without time zone,
  experiment_type_id integer NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE,
  CONSTRAINT run_has_experiment_type_fk FOREIGN KEY (experiment_type_id) REFERENCES "ExperimentType" (id)
);
CREATE TABLE "RunHasAttributoValue" (
  run_id integer NOT NULL,
  attributo_id integer NOT NULL,
  integer_value integer,
  float_value double precision,
  string_value text,
  bool_value boolean,
  datetime_value timestamp without time zone,
  list_value json,
  chemical_value integer,
  PRIMARY KEY (run_id, attributo_id),
  FOREIGN KEY (run_id) REFERENCES "Run" (id) ON DELETE CASCADE,
  FOREIGN KEY (attributo_id) REFERENCES "Attributo" (id) ON DELETE CASCADE,
  FOREIGN KEY (chemical_value) REFERENCES "Chemical" (id) ON DELETE CASCADE
);
CREATE TABLE "EventHasFile" (
  event_id integer,
  file_id integer,
  FOREIGN KEY (event_id) REFERENCES "EventLog" (id) ON DELETE CASCADE,
  FOREIGN KEY (file_id) REFERENCES "File" (id) ON DELETE CASCADE
);
CREATE TABLE "RunHasFiles" (
  id SERIAL NOT NULL,
  run_id integer NOT NULL,
  source VARCHAR(255) NOT NULL,
  "glob" text NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT run_has_files_run_id_pk FOREIGN KEY (run_id) REFERENCES "Run" (id) ON DELETE CASCADE
);
CREATE TABLE "Geometry" (
  id SERIAL NOT NULL,
  beamtime_id integer NOT NULL,
  content text NOT NULL,
  hash VARCHAR(64) NOT NULL,
  name VARCHAR(255) NOT NULL,
  created timestamp without time zone NOT NULL,
  geometry_type geometrytype NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT geometry_has_beamtime_id_fk FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE
);
CREATE TABLE "GeometryReferencesAttributo" (
  geometry_id integer NOT NULL,
  attributo_id integer NOT NULL,
  FOREIGN KEY (geometry_id) REFERENCES "Geometry" (id) ON DELETE CASCADE,
  FOREIGN KEY (attributo_id) REFERENCES "Attributo" (id) ON DELETE CASCADE
);
CREATE TABLE "IndexingParameters" (
  id SERIAL NOT NULL,
  is_online boolean NOT NULL,
  cell_description VARCHAR(255),
  command_line text NOT NULL,
  source VARCHAR(255) NOT NULL,
  geometry_id integer,
  PRIMARY KEY (id),
  CONSTRAINT indexing_parameters_geometry_fk FOREIGN KEY (geometry_id) REFERENCES "Geometry" (id) ON DELETE CASCADE
);
CREATE TABLE "UserConfiguration" (
  id SERIAL NOT NULL,
  beamtime_id integer NOT NULL,
  created timestamp without time zone NOT NULL,
  auto_pilot boolean NOT NULL,
  use_online_crystfel boolean NOT NULL,
  current_experiment_type_id integer,
  current_online_indexing_parameters_id integer,
  PRIMARY KEY (id),
  CONSTRAINT user_configuration_has_indexing_parameters FOREIGN KEY (current_online_indexing_parameters_id) REFERENCES "IndexingParameters" (id) ON DELETE CASCADE,
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE,
  FOREIGN KEY (current_experiment_type_id) REFERENCES "ExperimentType" (id) ON DELETE SET NULL
);
CREATE TABLE "IndexingResult" (
  id SERIAL NOT NULL,
  created timestamp without time zone NOT NULL,
  run_id integer,
  stream_file text,
  frames integer,
  hits integer,
  indexed_frames integer NOT NULL,
  job_id integer,
  job_status dbjobstatus NOT NULL,
  job_error text,
  indexing_parameters_id integer NOT NULL,
  program_version VARCHAR(255),
  job_latest_log text,
  job_started timestamp without time zone,
  job_stopped timestamp without time zone,
  unit_cell_histograms_file_id integer,
  generated_geometry_id integer,
  PRIMARY KEY (id),
  CONSTRAINT indexing_result_generated_geometry_fk FOREIGN KEY (generated_geometry_id) REFERENCES "Geometry" (id) ON DELETE CASCADE,
  CONSTRAINT indexing_result_unit_cell_histogram FOREIGN KEY (unit_cell_histograms_file_id) REFERENCES "File" (id) ON DELETE CASCADE,
  CONSTRAINT indexing_result_has_indexing_parameters FOREIGN KEY (indexing_parameters_id) REFERENCES "IndexingParameters" (id) ON DELETE CASCADE,
  FOREIGN KEY (run_id) REFERENCES "Run" (id) ON DELETE CASCADE
);
CREATE TABLE "IndexingResultHasStatistic" (
  indexing_result_id integer,
  time timestamp without time zone NOT NULL,
  frames integer NOT NULL,
  hits integer NOT NULL,
  indexed_frames integer NOT NULL,
  indexed_crystals integer NOT NULL,
  FOREIGN KEY (indexing_result_id) REFERENCES "IndexingResult" (id) ON DELETE CASCADE
);
CREATE TABLE "AlignDetectorGroup" (
  id SERIAL NOT NULL,
  indexing_result_id integer NOT NULL,
  "group" VARCHAR(255) NOT NULL,
  x_translation_mm double precision NOT NULL,
  y_translation_mm double precision NOT NULL,
  z_translation_mm double precision,
  x_rotation_deg double precision,
  y_rotation_deg double precision,
  PRIMARY KEY (id),
  CONSTRAINT idnexing_result_has_align_detector_group_fk FOREIGN KEY (indexing_result_id) REFERENCES "IndexingResult" (id) ON DELETE CASCADE
);
CREATE TABLE "GeometryTemplateReplacement" (
  id SERIAL NOT NULL,
  indexing_result_id integer NOT NULL,
  attributo_id integer NOT NULL,
  replacement VARCHAR(255) NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (indexing_result_id) REFERENCES "IndexingResult" (id) ON DELETE CASCADE,
  FOREIGN KEY (attributo_id) REFERENCES "Attributo" (id) ON DELETE CASCADE
);
CREATE TABLE "MergeResult" (
  id SERIAL NOT NULL,
  created timestamp without time zone NOT NULL,
  recent_log text NOT NULL,
  negative_handling mergenegativehandling,
  job_status dbjobstatus NOT NULL,
  started timestamp without time zone,
  stopped timestamp without time zone,
  point_group VARCHAR(32),
  cell_description VARCHAR(255),
  job_id integer,
  job_error text,
  mtz_file_id integer,
  input_merge_model mergemodel NOT NULL,
  input_scale_intensities scaleintensities NOT NULL,
  input_post_refinement boolean NOT NULL,
  input_iterations integer NOT NULL,
  input_polarisation_angle integer,
  input_polarisation_percent integer,
  input_start_after integer,
  input_stop_after integer,
  input_rel_b double precision NOT NULL,
  input_no_pr boolean NOT NULL,
  input_force_bandwidth double precision,
  input_force_radius double precision,
  input_force_lambda double precision,
  input_no_delta_cc_half boolean NOT NULL,
  input_max_adu double precision,
  input_min_measurements integer NOT NULL,
  input_logs boolean NOT NULL,
  input_min_res double precision,
  input_push_res double precision,
  input_w VARCHAR(255),
  fom_snr double precision,
  fom_wilson double precision,
  fom_ln_k double precision,
  fom_discarded_reflections integer,
  fom_one_over_d_from double precision,
  fom_one_over_d_to double precision,
  fom_redundancy double precision,
  fom_completeness double precision,
  fom_measurements_total integer,
  fom_reflections_total integer,
  fom_reflections_possible integer,
  fom_r_split double precision,
  fom_r1i double precision,
  fom_2 double precision,
  fom_cc double precision,
  fom_ccstar double precision,
  fom_ccano double precision,
  fom_crdano double precision,
  fom_rano double precision,
  fom_rano_over_r_split double precision,
  fom_d1sig double precision,
  fom_d2sig double precision,
  fom_outer_resolution double precision,
  fom_outer_ccstar double precision,
  fom_outer_r_split double precision,
  fom_outer_cc double precision,
  fom_outer_unique_reflections integer,
  fom_outer_completeness double precision,
  fom_outer_redundancy double precision,
  fom_outer_snr double precision,
  fom_outer_min_res double precision,
  fom_outer_max_res double precision,
  space_group VARCHAR(32),
  ambigator_command_line VARCHAR(255),
  ambigator_fg_graph_file_id integer,
  cutoff_lowres double precision,
  cutoff_highres VARCHAR(255),
  PRIMARY KEY (id),
  FOREIGN KEY (mtz_file_id) REFERENCES "File" (id) ON DELETE CASCADE
);
CREATE TABLE "MergeResultShellFom" (
  id SERIAL NOT NULL,
  merge_result_id integer NOT NULL,
  one_over_d_centre double precision NOT NULL,
  nref integer NOT NULL,
  d_over_a double precision NOT NULL,
  min_res double precision NOT NULL,
  max_res double precision NOT NULL,
  cc double precision NOT NULL,
  ccstar double precision NOT NULL,
  r_split double precision NOT NULL,
  reflections_possible integer NOT NULL,
  completeness double precision NOT NULL,
  measurements integer NOT NULL,
  redundancy double precision NOT NULL,
  snr double precision NOT NULL,
  mean_i double precision NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (merge_result_id) REFERENCES "MergeResult" (id) ON DELETE CASCADE
);
CREATE TABLE "MergeResultHasIndexingResult" (
  merge_result_id integer,
  indexing_result_id integer,
  FOREIGN KEY (merge_result_id) REFERENCES "MergeResult" (id) ON DELETE CASCADE,
  FOREIGN KEY (indexing_result_id) REFERENCES "IndexingResult" (id) ON DELETE CASCADE
);
CREATE TABLE "RefinementResult" (
  id SERIAL NOT NULL,
  merge_result_id integer,
  pdb_file_id integer,
  mtz_file_id integer,
  r_free double precision NOT NULL,
  r_work double precision NOT NULL,
  rms_bond_angle double precision NOT NULL,
  rms_bond_length double precision NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (merge_result_id) REFERENCES "MergeResult" (id) ON DELETE CASCADE,
  FOREIGN KEY (pdb_file_id) REFERENCES "File" (id) ON DELETE CASCADE,
  FOREIGN KEY (mtz_file_id) REFERENCES "File" (id) ON DELETE CASCADE
);
INSERT INTO alembic_version (version_num) VALUES ('340cda933bab');
