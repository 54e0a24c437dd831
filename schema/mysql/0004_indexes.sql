-- Migration 0004: indexes for the lookups the server makes on every request
-- (schema.md §10 item 12). InnoDB already indexes every foreign key column,
-- so only the composite and non-key lookups are added here.
CREATE INDEX ix_Run_beamtime_started ON "Run" (beamtime_id, started);
CREATE INDEX ix_File_file_name ON "File" (file_name);
CREATE INDEX ix_File_sha256_file_name ON "File" (sha256, file_name);
CREATE INDEX ix_EventLog_beamtime_created ON "EventLog" (beamtime_id, created);
CREATE INDEX ix_UserConfiguration_beamtime_id ON "UserConfiguration" (beamtime_id, id);
CREATE INDEX ix_IndexingResult_job_status ON "IndexingResult" (job_status);
CREATE INDEX ix_IndexingResultHasStatistic_result ON "IndexingResultHasStatistic" (indexing_result_id, "time");
CREATE INDEX ix_MergeResult_job_status ON "MergeResult" (job_status);
