-- Migration 0001: the AMARCORD schema at alembic head 340cda933bab (MySQL/MariaDB; requires ANSI_QUOTES, which every session sets).
-- Table, column, constraint and enum names are the original's (spec/schema.md),
-- so the Python AMARCORD tool and this server can open the same database.
-- A database that already is at this revision is adopted instead: this
-- migration is then recorded without running.
CREATE TABLE alembic_version (
  version_num VARCHAR(32) NOT NULL,
  CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "Beamtime" (
  id INT NOT NULL AUTO_INCREMENT,
  external_id VARCHAR(255) NOT NULL,
  proposal VARCHAR(255) NOT NULL,
  beamline VARCHAR(255) NOT NULL,
  title VARCHAR(255) NOT NULL,
  comment TEXT NOT NULL,
  start DATETIME NOT NULL,
  "end" DATETIME NOT NULL,
  analysis_output_path TEXT NOT NULL,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "ExperimentType" (
  id INT NOT NULL AUTO_INCREMENT,
  beamtime_id INT NOT NULL,
  name VARCHAR(255) NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "Attributo" (
  beamtime_id INT NOT NULL,
  id INT NOT NULL AUTO_INCREMENT,
  name VARCHAR(255) NOT NULL,
  description VARCHAR(255) NOT NULL,
  "group" VARCHAR(255) NOT NULL,
  associated_table ENUM('RUN','CHEMICAL') NOT NULL,
  json_schema JSON NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "File" (
  id INT NOT NULL AUTO_INCREMENT,
  type VARCHAR(255) NOT NULL,
  file_name VARCHAR(255) NOT NULL,
  size_in_bytes INT NOT NULL,
  original_path TEXT,
  sha256 VARCHAR(64) NOT NULL,
  modified DATETIME NOT NULL,
  contents LONGBLOB NOT NULL,
  description VARCHAR(255),
  size_in_bytes_compressed INT,
  PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "BeamtimeSchedule" (
  id INT NOT NULL AUTO_INCREMENT,
  beamtime_id INT NOT NULL,
  users VARCHAR(255) NOT NULL,
  td_support VARCHAR(255) NOT NULL,
  comment TEXT NOT NULL,
  shift VARCHAR(255) NOT NULL,
  date VARCHAR(10) NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "Chemical" (
  id INT NOT NULL AUTO_INCREMENT,
  beamtime_id INT NOT NULL,
  name VARCHAR(255) NOT NULL,
  responsible_person VARCHAR(255) NOT NULL,
  modified DATETIME NOT NULL,
  type ENUM('CRYSTAL','SOLUTION') NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "ChemicalHasAttributoValue" (
  chemical_id INT NOT NULL,
  attributo_id INT NOT NULL,
  integer_value INT,
  float_value FLOAT,
  string_value TEXT,
  bool_value BOOL,
  datetime_value DATETIME,
  list_value JSON,
  PRIMARY KEY (chemical_id, attributo_id),
  FOREIGN KEY (chemical_id) REFERENCES "Chemical" (id) ON DELETE CASCADE,
  FOREIGN KEY (attributo_id) REFERENCES "Attributo" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "BeamtimeScheduleHasChemical" (
  beamtime_schedule_id INT NOT NULL,
  chemical_id INT NOT NULL,
  CONSTRAINT "BeamtimeScheduleHasChemical_pk" PRIMARY KEY (beamtime_schedule_id, chemical_id),
  FOREIGN KEY (beamtime_schedule_id) REFERENCES "BeamtimeSchedule" (id) ON DELETE CASCADE,
  FOREIGN KEY (chemical_id) REFERENCES "Chemical" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "ExperimentHasAttributo" (
  experiment_type_id INT NOT NULL,
  attributo_id INT NOT NULL,
  chemical_role ENUM('CRYSTAL','SOLUTION') NOT NULL,
  FOREIGN KEY (experiment_type_id) REFERENCES "ExperimentType" (id) ON DELETE CASCADE,
  FOREIGN KEY (attributo_id) REFERENCES "Attributo" (id) ON DELETE CASCADE ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "DataSet" (
  id INT NOT NULL AUTO_INCREMENT,
  experiment_type_id INT NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (experiment_type_id) REFERENCES "ExperimentType" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "DataSetHasAttributoValue" (
  data_set_id INT NOT NULL,
  attributo_id INT NOT NULL,
  integer_value INT,
  float_value FLOAT,
  string_value TEXT,
  bool_value BOOL,
  datetime_value DATETIME,
  list_value JSON,
  chemical_value INT,
  PRIMARY KEY (data_set_id, attributo_id),
  FOREIGN KEY (data_set_id) REFERENCES "DataSet" (id) ON DELETE CASCADE,
  FOREIGN KEY (attributo_id) REFERENCES "Attributo" (id) ON DELETE CASCADE,
  FOREIGN KEY (chemical_value) REFERENCES "Chemical" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "ChemicalHasFile" (
  chemical_id INT,
  file_id INT,
  FOREIGN KEY (chemical_id) REFERENCES "Chemical" (id) ON DELETE CASCADE,
  FOREIGN KEY (file_id) REFERENCES "File" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "EventLog" (
  id INT NOT NULL AUTO_INCREMENT,
  beamtime_id INT NOT NULL,
  created DATETIME DEFAULT CURRENT_TIMESTAMP NOT NULL,
  level ENUM('INFO','WARNING','ERROR') NOT NULL,
  source VARCHAR(255) NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "Run" (
  id INT NOT NULL AUTO_INCREMENT,
  external_id INT NOT NULL,
  beamtime_id INT NOT NULL,
  modified DATETIME NOT NULL,
  started DATETIME NOT NULL,
  stopped DATETIME,
  experiment_type_id INT NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE,
  CONSTRAINT run_has_experiment_type_fk FOREIGN KEY (experiment_type_id) REFERENCES "ExperimentType" (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "RunHasAttributoValue" (
  run_id INT NOT NULL,
  attributo_id INT NOT NULL,
  integer_value INT,
  float_value FLOAT,
  string_value TEXT,
  bool_value BOOL,
  datetime_value DATETIME,
  list_value JSON,
  chemical_value INT,
  PRIMARY KEY (run_id, attributo_id),
  FOREIGN KEY (run_id) REFERENCES "Run" (id) ON DELETE CASCADE,
  FOREIGN KEY (attributo_id) REFERENCES "Attributo" (id) ON DELETE CASCADE,
  FOREIGN KEY (chemical_value) REFERENCES "Chemical" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "EventHasFile" (
  event_id INT,
  file_id INT,
  FOREIGN KEY (event_id) REFERENCES "EventLog" (id) ON DELETE CASCADE,
  FOREIGN KEY (file_id) REFERENCES "File" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "RunHasFiles" (
  id INT NOT NULL AUTO_INCREMENT,
  run_id INT NOT NULL,
  source VARCHAR(255) NOT NULL,
  "glob" TEXT NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT run_has_files_run_id_pk FOREIGN KEY (run_id) REFERENCES "Run" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "Geometry" (
  id INT NOT NULL AUTO_INCREMENT,
  beamtime_id INT NOT NULL,
  content TEXT NOT NULL,
  hash VARCHAR(64) NOT NULL,
  name VARCHAR(255) NOT NULL,
  created DATETIME NOT NULL,
  geometry_type ENUM('CRYSTFEL_FILE','CRYSTFEL_STRING') NOT NULL,
  PRIMARY KEY (id),
  CONSTRAINT geometry_has_beamtime_id_fk FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "GeometryReferencesAttributo" (
  geometry_id INT NOT NULL,
  attributo_id INT NOT NULL,
  FOREIGN KEY (geometry_id) REFERENCES "Geometry" (id) ON DELETE CASCADE,
  FOREIGN KEY (attributo_id) REFERENCES "Attributo" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "IndexingParameters" (
  id INT NOT NULL AUTO_INCREMENT,
  is_online BOOL NOT NULL,
  cell_description VARCHAR(255),
  command_line TEXT NOT NULL,
  source VARCHAR(255) NOT NULL,
  geometry_id INT,
  PRIMARY KEY (id),
  CONSTRAINT indexing_parameters_geometry_fk FOREIGN KEY (geometry_id) REFERENCES "Geometry" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "UserConfiguration" (
  id INT NOT NULL AUTO_INCREMENT,
  beamtime_id INT NOT NULL,
  created DATETIME NOT NULL,
  auto_pilot BOOL NOT NULL,
  use_online_crystfel BOOL NOT NULL,
  current_experiment_type_id INT,
  current_online_indexing_parameters_id INT,
  PRIMARY KEY (id),
  CONSTRAINT user_configuration_has_indexing_parameters FOREIGN KEY (current_online_indexing_parameters_id) REFERENCES "IndexingParameters" (id) ON DELETE CASCADE,
  FOREIGN KEY (beamtime_id) REFERENCES "Beamtime" (id) ON DELETE CASCADE,
  FOREIGN KEY (current_experiment_type_id) REFERENCES "ExperimentType" (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "IndexingResult" (
  id INT NOT NULL AUTO_INCREMENT,
  created DATETIME NOT NULL,
  run_id INT,
  stream_file TEXT,
  frames INT,
  hits INT,
  indexed_frames INT NOT NULL,
  job_id INT,
  job_status ENUM('QUEUED','RUNNING','DONE') NOT NULL,
  job_error LONGTEXT,
  indexing_parameters_id INT NOT NULL,
  program_version VARCHAR(255),
  job_latest_log LONGTEXT,
  job_started DATETIME,
  job_stopped DATETIME,
  unit_cell_histograms_file_id INT,
  generated_geometry_id INT,
  PRIMARY KEY (id),
  CONSTRAINT indexing_result_generated_geometry_fk FOREIGN KEY (generated_geometry_id) REFERENCES "Geometry" (id) ON DELETE CASCADE,
  CONSTRAINT indexing_result_unit_cell_histogram FOREIGN KEY (unit_cell_histograms_file_id) REFERENCES "File" (id) ON DELETE CASCADE,
  CONSTRAINT indexing_result_has_indexing_parameters FOREIGN KEY (indexing_parameters_id) REFERENCES "IndexingParameters" (id) ON DELETE CASCADE,
  FOREIGN KEY (run_id) REFERENCES "Run" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "IndexingResultHasStatistic" (
  indexing_result_id INT,
  time DATETIME NOT NULL,
  frames INT NOT NULL,
  hits INT NOT NULL,
  indexed_frames INT NOT NULL,
  indexed_crystals INT NOT NULL,
  FOREIGN KEY (indexing_result_id) REFERENCES "IndexingResult" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "AlignDetectorGroup" (
  id INT NOT NULL AUTO_INCREMENT,
  indexing_result_id INT NOT NULL,
  "group" VARCHAR(255) NOT NULL,
  x_translation_mm FLOAT NOT NULL,
  y_translation_mm FLOAT NOT NULL,
  z_translation_mm FLOAT,
  x_rotation_deg FLOAT,
  y_rotation_deg FLOAT,
  PRIMARY KEY (id),
  CONSTRAINT idnexing_result_has_align_detector_group_fk FOREIGN KEY (indexing_result_id) REFERENCES "IndexingResult" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "GeometryTemplateReplacement" (
  id INT NOT NULL AUTO_INCREMENT,
  indexing_result_id INT NOT NULL,
  attributo_id INT NOT NULL,
  replacement VARCHAR(255) NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (indexing_result_id) REFERENCES "IndexingResult" (id) ON DELETE CASCADE,
  FOREIGN KEY (attributo_id) REFERENCES "Attributo" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "MergeResult" (
  id INT NOT NULL AUTO_INCREMENT,
  created DATETIME NOT NULL,
  recent_log LONGTEXT,
  negative_handling ENUM('IGNORE','ZERO'),
  job_status ENUM('QUEUED','RUNNING','DONE') NOT NULL,
  started DATETIME,
  stopped DATETIME,
  point_group VARCHAR(32),
  cell_description VARCHAR(255),
  job_id INT,
  job_error TEXT,
  mtz_file_id INT,
  input_merge_model ENUM('UNITY','XSPHERE','OFFSET','GGPM') NOT NULL,
  input_scale_intensities ENUM('OFF','NORMAL','DEBYE_WALLER') NOT NULL,
  input_post_refinement BOOL NOT NULL,
  input_iterations INT NOT NULL,
  input_polarisation_angle INT,
  input_polarisation_percent INT,
  input_start_after INT,
  input_stop_after INT,
  input_rel_b FLOAT NOT NULL,
  input_no_pr BOOL NOT NULL,
  input_force_bandwidth FLOAT,
  input_force_radius FLOAT,
  input_force_lambda FLOAT,
  input_no_delta_cc_half BOOL NOT NULL,
  input_max_adu FLOAT,
  input_min_measurements INT NOT NULL,
  input_logs BOOL NOT NULL,
  input_min_res FLOAT,
  input_push_res FLOAT,
  input_w VARCHAR(255),
  fom_snr FLOAT,
  fom_wilson FLOAT,
  fom_ln_k FLOAT,
  fom_discarded_reflections INT,
  fom_one_over_d_from FLOAT,
  fom_one_over_d_to FLOAT,
  fom_redundancy FLOAT,
  fom_completeness FLOAT,
  fom_measurements_total INT,
  fom_reflections_total INT,
  fom_reflections_possible INT,
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
  fom_outer_unique_reflections INT,
  fom_outer_completeness FLOAT,
  fom_outer_redundancy FLOAT,
  fom_outer_snr FLOAT,
  fom_outer_min_res FLOAT,
  fom_outer_max_res FLOAT,
  space_group VARCHAR(32),
  ambigator_command_line VARCHAR(255),
  ambigator_fg_graph_file_id INT,
  cutoff_lowres FLOAT,
  cutoff_highres VARCHAR(255),
  PRIMARY KEY (id),
  FOREIGN KEY (mtz_file_id) REFERENCES "File" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "MergeResultShellFom" (
  id INT NOT NULL AUTO_INCREMENT,
  merge_result_id INT NOT NULL,
  one_over_d_centre FLOAT NOT NULL,
  nref INT NOT NULL,
  d_over_a FLOAT NOT NULL,
  min_res FLOAT NOT NULL,
  max_res FLOAT NOT NULL,
  cc FLOAT NOT NULL,
  ccstar FLOAT NOT NULL,
  r_split FLOAT NOT NULL,
  reflections_possible INT NOT NULL,
  completeness FLOAT NOT NULL,
  measurements INT NOT NULL,
  redundancy FLOAT NOT NULL,
  snr FLOAT NOT NULL,
  mean_i FLOAT NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (merge_result_id) REFERENCES "MergeResult" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "MergeResultHasIndexingResult" (
  merge_result_id INT,
  indexing_result_id INT,
  FOREIGN KEY (merge_result_id) REFERENCES "MergeResult" (id) ON DELETE CASCADE,
  FOREIGN KEY (indexing_result_id) REFERENCES "IndexingResult" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE "RefinementResult" (
  id INT NOT NULL AUTO_INCREMENT,
  merge_result_id INT,
  pdb_file_id INT,
  mtz_file_id INT,
  r_free FLOAT NOT NULL,
  r_work FLOAT NOT NULL,
  rms_bond_angle FLOAT NOT NULL,
  rms_bond_length FLOAT NOT NULL,
  PRIMARY KEY (id),
  FOREIGN KEY (merge_result_id) REFERENCES "MergeResult" (id) ON DELETE CASCADE,
  FOREIGN KEY (pdb_file_id) REFERENCES "File" (id) ON DELETE CASCADE,
  FOREIGN KEY (mtz_file_id) REFERENCES "File" (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO alembic_version (version_num) VALUES ('340cda933bab');
