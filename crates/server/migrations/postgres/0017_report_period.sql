-- PostgreSQL copy of ../sqlite/ with BIGINT for every integer (sqlx's Any driver reads them as i64).
-- Issue 18: each report's six-month period of its visit date ("2026-H1"), so the review
-- queue filtered by period pages in order from an index (filtering by visit dates made
-- PostgreSQL walk the received-time index through 600,000 reports: 2.3 s on the national
-- dataset; docs/BENCHMARKS.md), and the six-monthly review reads only the period's
-- approved reports, not the whole table. Kept by storage::visits on every write.
ALTER TABLE visit_reports ADD COLUMN period TEXT NOT NULL DEFAULT '';
UPDATE visit_reports SET period = substr(visit_date, 1, 4) || '-H' ||
    CASE WHEN substr(visit_date, 6, 2) <= '06' THEN '1' ELSE '2' END;
CREATE INDEX visit_reports_period_received ON visit_reports(period, received_at DESC, id);
CREATE INDEX visit_reports_status_period ON visit_reports(status, period, received_at DESC, id);
-- The six-monthly review's standing reports (storage::visits::standing_approved), chosen
-- from this index alone: a province's part read as a range of paths, compared byte by
-- byte (storage::scope_range).
CREATE INDEX visit_reports_standing ON visit_reports(status, period, area_path COLLATE "C", cooperative_id, visit_date, revision, id);
