-- Migration 0006: 64-bit integer attributo values and run numbers on MySQL,
-- so they round-trip as on SQLite. (MySQL compares a large id with an INT
-- column without error, so ids keep their type.)
ALTER TABLE "ChemicalHasAttributoValue" MODIFY integer_value BIGINT;
ALTER TABLE "RunHasAttributoValue" MODIFY integer_value BIGINT;
ALTER TABLE "DataSetHasAttributoValue" MODIFY integer_value BIGINT;
ALTER TABLE "Run" MODIFY external_id BIGINT NOT NULL;
-- Attributo names are unique byte for byte, as on SQLite and PostgreSQL:
-- MySQL collations pad with spaces (and may ignore case), so the unique
-- index of 0005 is replaced by one on the name's bytes.
ALTER TABLE "Attributo" ADD COLUMN name_bytes VARBINARY(1020) AS (CAST(name AS BINARY)) STORED;
-- (The new index comes first: InnoDB needs an index on beamtime_id for its
-- foreign key at every moment.)
CREATE UNIQUE INDEX ux_Attributo_beamtime_table_name_bytes ON "Attributo" (beamtime_id, associated_table, name_bytes);
DROP INDEX ux_Attributo_beamtime_table_name ON "Attributo";
