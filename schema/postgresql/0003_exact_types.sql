-- Migration 0003: exact types on PostgreSQL (schema.md §10 item 17): sizes and
-- counts that can pass 2^31 become bigint.
ALTER TABLE "File"
  ALTER COLUMN size_in_bytes TYPE bigint,
  ALTER COLUMN size_in_bytes_compressed TYPE bigint;
ALTER TABLE "IndexingResult"
  ALTER COLUMN frames TYPE bigint,
  ALTER COLUMN hits TYPE bigint,
  ALTER COLUMN indexed_frames TYPE bigint,
  ALTER COLUMN job_id TYPE bigint;
ALTER TABLE "IndexingResultHasStatistic"
  ALTER COLUMN frames TYPE bigint,
  ALTER COLUMN hits TYPE bigint,
  ALTER COLUMN indexed_frames TYPE bigint,
  ALTER COLUMN indexed_crystals TYPE bigint;
ALTER TABLE "MergeResult"
  ALTER COLUMN job_id TYPE bigint,
  ALTER COLUMN fom_discarded_reflections TYPE bigint,
  ALTER COLUMN fom_measurements_total TYPE bigint,
  ALTER COLUMN fom_reflections_total TYPE bigint,
  ALTER COLUMN fom_reflections_possible TYPE bigint,
  ALTER COLUMN fom_outer_unique_reflections TYPE bigint;
ALTER TABLE "MergeResultShellFom"
  ALTER COLUMN nref TYPE bigint,
  ALTER COLUMN reflections_possible TYPE bigint,
  ALTER COLUMN measurements TYPE bigint;
