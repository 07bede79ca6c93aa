-- PostgreSQL copy of ../sqlite/ with BIGINT for every integer (sqlx's Any driver reads them as i64).
-- Issue 18: what the six-monthly review reads of each report
-- (hoptac_core::six_month::ReviewPart: ~200 bytes of JSON against a body of ~1 KB), so
-- the review of the whole country reads and decodes a fifth of what it did
-- (docs/BENCHMARKS.md). Kept by storage::visits on every write of a report; filled for
-- older reports at the next start (storage::Db::run_pending_backfills), and a report
-- still without one (written by an older server during a rolling upgrade) is read from
-- its body.
ALTER TABLE visit_reports ADD COLUMN review_part TEXT NOT NULL DEFAULT '';
INSERT INTO pending_backfills (name) VALUES ('review_part');
-- The standing reports' index carries the part too: the review of a country reads it
-- from the index alone, not from 100,000 heap pages (docs/BENCHMARKS.md). A part longer
-- than storage::visits::REVIEW_PART_MAX is not stored (the body is read instead), so the
-- index's rows stay small.
DROP INDEX visit_reports_standing;
CREATE INDEX visit_reports_standing ON visit_reports(status, period, area_path COLLATE "C", cooperative_id, visit_date, revision, id) INCLUDE (review_part);
-- A cooperative's date of establishment as a column, for the review's count of new HTX
-- and THT (storage::cooperatives::review_parts_in_paths): the version of the record it
-- was copied from beside it, so a row an older server changed (its version moved on, the
-- column did not) is read from its body.
ALTER TABLE cooperatives ADD COLUMN founded_on TEXT;
ALTER TABLE cooperatives ADD COLUMN founded_version BIGINT NOT NULL DEFAULT -1;
UPDATE cooperatives SET founded_on = CAST(body AS json)->>'established_on', founded_version = version;
