-- Migration 0003: exact types on MySQL/MariaDB (schema.md §10 items 14-17), so
-- values round-trip as on SQLite and PostgreSQL: DOUBLE instead of single
-- precision FLOAT, DATETIME(6) instead of whole seconds, LONGTEXT instead of
-- 64 KiB TEXT, BIGINT for sizes and counts that can pass 2^31.
ALTER TABLE "Beamtime"
  MODIFY comment LONGTEXT NOT NULL,
  MODIFY start DATETIME(6) NOT NULL,
  MODIFY "end" DATETIME(6) NOT NULL,
  MODIFY analysis_output_path LONGTEXT NOT NULL;
ALTER TABLE "File"
  MODIFY size_in_bytes BIGINT NOT NULL,
  MODIFY original_path LONGTEXT,
  MODIFY modified DATETIME(6) NOT NULL,
  MODIFY size_in_bytes_compressed BIGINT;
ALTER TABLE "BeamtimeSchedule"
  MODIFY comment LONGTEXT NOT NULL;
ALTER TABLE "Chemical"
  MODIFY modified DATETIME(6) NOT NULL;
ALTER TABLE "ChemicalHasAttributoValue"
  MODIFY float_value DOUBLE,
  MODIFY string_value LONGTEXT,
  MODIFY datetime_value DATETIME(6);
ALTER TABLE "DataSetHasAttributoValue"
  MODIFY float_value DOUBLE,
  MODIFY string_value LONGTEXT,
  MODIFY datetime_value DATETIME(6);
ALTER TABLE "EventLog"
  MODIFY created DATETIME(6) DEFAULT CURRENT_TIMESTAMP(6) NOT NULL,
  MODIFY text LONGTEXT NOT NULL;
ALTER TABLE "Run"
  MODIFY modified DATETIME(6) NOT NULL,
  MODIFY started DATETIME(6) NOT NULL,
  MODIFY stopped DATETIME(6);
ALTER TABLE "RunHasAttributoValue"
  MODIFY float_value DOUBLE,
  MODIFY string_value LONGTEXT,
  MODIFY datetime_value DATETIME(6);
ALTER TABLE "RunHasFiles"
  MODIFY "glob" LONGTEXT NOT NULL;
ALTER TABLE "Geometry"
  MODIFY content LONGTEXT NOT NULL,
  MODIFY created DATETIME(6) NOT NULL;
ALTER TABLE "IndexingParameters"
  MODIFY command_line LONGTEXT NOT NULL;
ALTER TABLE "UserConfiguration"
  MODIFY created DATETIME(6) NOT NULL;
ALTER TABLE "IndexingResult"
  MODIFY created DATETIME(6) NOT NULL,
  MODIFY stream_file LONGTEXT,
  MODIFY frames BIGINT,
  MODIFY hits BIGINT,
  MODIFY indexed_frames BIGINT NOT NULL,
  MODIFY job_id BIGINT,
  MODIFY job_started DATETIME(6),
  MODIFY job_stopped DATETIME(6);
ALTER TABLE "IndexingResultHasStatistic"
  MODIFY time DATETIME(6) NOT NULL,
  MODIFY frames BIGINT NOT NULL,
  MODIFY hits BIGINT NOT NULL,
  MODIFY indexed_frames BIGINT NOT NULL,
  MODIFY indexed_crystals BIGINT NOT NULL;
ALTER TABLE "AlignDetectorGroup"
  MODIFY x_translation_mm DOUBLE NOT NULL,
  MODIFY y_translation_mm DOUBLE NOT NULL,
  MODIFY z_translation_mm DOUBLE,
  MODIFY x_rotation_deg DOUBLE,
  MODIFY y_rotation_deg DOUBLE;
ALTER TABLE "MergeResult"
  MODIFY created DATETIME(6) NOT NULL,
  MODIFY started DATETIME(6),
  MODIFY stopped DATETIME(6),
  MODIFY job_id BIGINT,
  MODIFY job_error LONGTEXT,
  MODIFY input_rel_b DOUBLE NOT NULL,
  MODIFY input_force_bandwidth DOUBLE,
  MODIFY input_force_radius DOUBLE,
  MODIFY input_force_lambda DOUBLE,
  MODIFY input_max_adu DOUBLE,
  MODIFY input_min_res DOUBLE,
  MODIFY input_push_res DOUBLE,
  MODIFY fom_snr DOUBLE,
  MODIFY fom_wilson DOUBLE,
  MODIFY fom_ln_k DOUBLE,
  MODIFY fom_discarded_reflections BIGINT,
  MODIFY fom_one_over_d_from DOUBLE,
  MODIFY fom_one_over_d_to DOUBLE,
  MODIFY fom_redundancy DOUBLE,
  MODIFY fom_completeness DOUBLE,
  MODIFY fom_measurements_total BIGINT,
  MODIFY fom_reflections_total BIGINT,
  MODIFY fom_reflections_possible BIGINT,
  MODIFY fom_r_split DOUBLE,
  MODIFY fom_r1i DOUBLE,
  MODIFY fom_2 DOUBLE,
  MODIFY fom_cc DOUBLE,
  MODIFY fom_ccstar DOUBLE,
  MODIFY fom_ccano DOUBLE,
  MODIFY fom_crdano DOUBLE,
  MODIFY fom_rano DOUBLE,
  MODIFY fom_rano_over_r_split DOUBLE,
  MODIFY fom_d1sig DOUBLE,
  MODIFY fom_d2sig DOUBLE,
  MODIFY fom_outer_resolution DOUBLE,
  MODIFY fom_outer_ccstar DOUBLE,
  MODIFY fom_outer_r_split DOUBLE,
  MODIFY fom_outer_cc DOUBLE,
  MODIFY fom_outer_unique_reflections BIGINT,
  MODIFY fom_outer_completeness DOUBLE,
  MODIFY fom_outer_redundancy DOUBLE,
  MODIFY fom_outer_snr DOUBLE,
  MODIFY fom_outer_min_res DOUBLE,
  MODIFY fom_outer_max_res DOUBLE,
  MODIFY cutoff_lowres DOUBLE;
ALTER TABLE "MergeResultShellFom"
  MODIFY one_over_d_centre DOUBLE NOT NULL,
  MODIFY nref BIGINT NOT NULL,
  MODIFY d_over_a DOUBLE NOT NULL,
  MODIFY min_res DOUBLE NOT NULL,
  MODIFY max_res DOUBLE NOT NULL,
  MODIFY cc DOUBLE NOT NULL,
  MODIFY ccstar DOUBLE NOT NULL,
  MODIFY r_split DOUBLE NOT NULL,
  MODIFY reflections_possible BIGINT NOT NULL,
  MODIFY completeness DOUBLE NOT NULL,
  MODIFY measurements BIGINT NOT NULL,
  MODIFY redundancy DOUBLE NOT NULL,
  MODIFY snr DOUBLE NOT NULL,
  MODIFY mean_i DOUBLE NOT NULL;
ALTER TABLE "RefinementResult"
  MODIFY r_free DOUBLE NOT NULL,
  MODIFY r_work DOUBLE NOT NULL,
  MODIFY rms_bond_angle DOUBLE NOT NULL,
  MODIFY rms_bond_length DOUBLE NOT NULL;
