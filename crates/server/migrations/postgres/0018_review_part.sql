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
