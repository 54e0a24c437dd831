-- Migration 0004: indexes for the lookups the server makes on every request
-- (schema.md §10 item 12). The original has none besides primary keys, so
-- each of these turns a table scan into an index lookup; child-side foreign
-- key columns also make ON DELETE CASCADE cheap on SQLite and PostgreSQL.
-- Adding indexes changes no behaviour; the Python tool ignores them.
CREATE INDEX ix_Run_beamtime_started ON "Run" (beamtime_id, started);
CREATE INDEX ix_Run_experiment_type ON "Run" (experiment_type_id);
CREATE INDEX ix_File_file_name ON "File" (file_name);
CREATE INDEX ix_File_sha256_file_name ON "File" (sha256, file_name);
CREATE INDEX ix_EventLog_beamtime_created ON "EventLog" (beamtime_id, created);
CREATE INDEX ix_UserConfiguration_beamtime_id ON "UserConfiguration" (beamtime_id, id);
CREATE INDEX ix_UserConfiguration_experiment_type ON "UserConfiguration" (current_experiment_type_id);
CREATE INDEX ix_UserConfiguration_parameters ON "UserConfiguration" (current_online_indexing_parameters_id);
CREATE INDEX ix_IndexingResult_job_status ON "IndexingResult" (job_status);
CREATE INDEX ix_IndexingResult_run ON "IndexingResult" (run_id);
CREATE INDEX ix_IndexingResult_parameters ON "IndexingResult" (indexing_parameters_id);
CREATE INDEX ix_IndexingResult_histograms ON "IndexingResult" (unit_cell_histograms_file_id);
CREATE INDEX ix_IndexingResult_generated_geometry ON "IndexingResult" (generated_geometry_id);
CREATE INDEX ix_IndexingResultHasStatistic_result ON "IndexingResultHasStatistic" (indexing_result_id, "time");
CREATE INDEX ix_MergeResult_job_status ON "MergeResult" (job_status);
CREATE INDEX ix_MergeResult_mtz_file ON "MergeResult" (mtz_file_id);
CREATE INDEX ix_Chemical_beamtime ON "Chemical" (beamtime_id);
CREATE INDEX ix_ExperimentType_beamtime ON "ExperimentType" (beamtime_id);
CREATE INDEX ix_Geometry_beamtime ON "Geometry" (beamtime_id);
CREATE INDEX ix_BeamtimeSchedule_beamtime ON "BeamtimeSchedule" (beamtime_id);
CREATE INDEX ix_DataSet_experiment_type ON "DataSet" (experiment_type_id);
CREATE INDEX ix_ChemicalHasAttributoValue_attributo ON "ChemicalHasAttributoValue" (attributo_id);
CREATE INDEX ix_RunHasAttributoValue_attributo ON "RunHasAttributoValue" (attributo_id);
CREATE INDEX ix_RunHasAttributoValue_chemical ON "RunHasAttributoValue" (chemical_value);
CREATE INDEX ix_DataSetHasAttributoValue_attributo ON "DataSetHasAttributoValue" (attributo_id);
CREATE INDEX ix_DataSetHasAttributoValue_chemical ON "DataSetHasAttributoValue" (chemical_value);
CREATE INDEX ix_BeamtimeScheduleHasChemical_chemical ON "BeamtimeScheduleHasChemical" (chemical_id);
CREATE INDEX ix_ChemicalHasFile_chemical ON "ChemicalHasFile" (chemical_id);
CREATE INDEX ix_ChemicalHasFile_file ON "ChemicalHasFile" (file_id);
CREATE INDEX ix_EventHasFile_event ON "EventHasFile" (event_id);
CREATE INDEX ix_EventHasFile_file ON "EventHasFile" (file_id);
CREATE INDEX ix_ExperimentHasAttributo_type ON "ExperimentHasAttributo" (experiment_type_id);
CREATE INDEX ix_ExperimentHasAttributo_attributo ON "ExperimentHasAttributo" (attributo_id);
CREATE INDEX ix_GeometryReferencesAttributo_geometry ON "GeometryReferencesAttributo" (geometry_id);
CREATE INDEX ix_GeometryReferencesAttributo_attributo ON "GeometryReferencesAttributo" (attributo_id);
CREATE INDEX ix_GeometryTemplateReplacement_result ON "GeometryTemplateReplacement" (indexing_result_id);
CREATE INDEX ix_GeometryTemplateReplacement_attributo ON "GeometryTemplateReplacement" (attributo_id);
CREATE INDEX ix_IndexingParameters_geometry ON "IndexingParameters" (geometry_id);
CREATE INDEX ix_AlignDetectorGroup_result ON "AlignDetectorGroup" (indexing_result_id);
CREATE INDEX ix_MergeResultHasIndexingResult_merge ON "MergeResultHasIndexingResult" (merge_result_id);
CREATE INDEX ix_MergeResultHasIndexingResult_result ON "MergeResultHasIndexingResult" (indexing_result_id);
CREATE INDEX ix_MergeResultShellFom_merge ON "MergeResultShellFom" (merge_result_id);
CREATE INDEX ix_RefinementResult_merge ON "RefinementResult" (merge_result_id);
CREATE INDEX ix_RefinementResult_pdb ON "RefinementResult" (pdb_file_id);
CREATE INDEX ix_RefinementResult_mtz ON "RefinementResult" (mtz_file_id);
CREATE INDEX ix_RunHasFiles_run ON "RunHasFiles" (run_id);
