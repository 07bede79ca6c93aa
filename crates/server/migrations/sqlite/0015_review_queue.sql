-- Issue 18: the review queue served by the server, paged by a stable cursor (received_at
-- descending, then id) and searched without diacritics (hoptac_core::text::normalize):
-- a report's searchable text (officer's name, note, id) and a cooperative's name, folded;
-- filled for older rows at the next start (storage::Db::run_pending_backfills).
ALTER TABLE visit_reports ADD COLUMN search TEXT NOT NULL DEFAULT '';
ALTER TABLE cooperatives ADD COLUMN name_search TEXT NOT NULL DEFAULT '';
CREATE INDEX visit_reports_received ON visit_reports(received_at DESC, id);
CREATE INDEX visit_reports_author ON visit_reports(author_id, received_at DESC, id);
CREATE INDEX visit_reports_status_received ON visit_reports(status, received_at DESC, id);
-- Fills that run once, at the next start after their migration (storage::Db::connect
-- deletes the row when done): not a scan of every report at every start.
CREATE TABLE pending_backfills (name TEXT PRIMARY KEY);
INSERT INTO pending_backfills (name) VALUES ('search');
