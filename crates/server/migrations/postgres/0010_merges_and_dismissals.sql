-- PostgreSQL copy of ../sqlite/ with BIGINT for every integer (sqlx's Any driver reads them as i64).
-- Issue 15, after an attacker's review: a merged record's area, so that work written for
-- it while an officer covered that area is still theirs to send after a merge into a
-- record of another commune; and dismissed duplicate flags kept (a later edit of either
-- record does not raise the same flag again).
ALTER TABLE cooperative_merges ADD COLUMN removed_area_path TEXT;
ALTER TABLE cooperative_duplicates ADD COLUMN dismissed_at BIGINT;
