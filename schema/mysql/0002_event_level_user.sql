-- Migration 0002: event log level USER (schema.md §10 item 2). The original
-- writes USER for user-authored entries but never added it to the ENUM.
ALTER TABLE "EventLog" MODIFY level ENUM('INFO','WARNING','ERROR','USER') NOT NULL;
