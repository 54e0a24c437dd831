-- Migration 0005: uniqueness the application relies on (schema.md §10 item 13).
-- The original assumes one run per number, one attributo per name and one
-- live-stream image per beamtime but never enforces it; duplicates break its
-- lookups. Each precheck refuses, naming the offending rows, before anything
-- changes.
-- @precheck Run numbers must be unique within a beamtime, but beamtime {0} has run {1} {2} times. Renumber or delete the duplicate runs, then start amarcord-server again.
SELECT beamtime_id, external_id, COUNT(*) FROM "Run" GROUP BY beamtime_id, external_id HAVING COUNT(*) > 1;
CREATE UNIQUE INDEX ux_Run_beamtime_external_id ON "Run" (beamtime_id, external_id);
-- @precheck Attributo names must be unique per beamtime and kind, but beamtime {0} has {2} {1} attributi named "{3}". Rename or delete the duplicates, then start amarcord-server again.
SELECT beamtime_id, CAST(associated_table AS TEXT), COUNT(*), name FROM "Attributo" GROUP BY beamtime_id, associated_table, name HAVING COUNT(*) > 1;
CREATE UNIQUE INDEX ux_Attributo_beamtime_table_name ON "Attributo" (beamtime_id, associated_table, name);
-- @precheck There must be one live-stream image per beamtime, but {1} files are named {0}. Delete all but one of them, then start amarcord-server again.
SELECT file_name, COUNT(*) FROM "File" WHERE file_name ~ '^live-stream-image-[0-9]+$' GROUP BY file_name HAVING COUNT(*) > 1;
CREATE UNIQUE INDEX ux_File_live_stream_image ON "File" (file_name) WHERE file_name ~ '^live-stream-image-[0-9]+$';
