-- Issue 18: the review queue served by the server, paged by a stable cursor (received_at
-- descending, then id) and searched without diacritics (hoptac_core::text::normalize):
-- a report's searchable text (officer's name, note, id) and a cooperative's name, folded;
-- filled for older rows at start-up (storage::backfill_search).
ALTER TABLE visit_reports ADD COLUMN search TEXT NOT NULL DEFAULT '';
ALTER TABLE cooperatives ADD COLUMN name_search TEXT NOT NULL DEFAULT '';
CREATE INDEX visit_reports_received ON visit_reports(received_at DESC, id);
CREATE INDEX visit_reports_author ON visit_reports(author_id, received_at DESC, id);
CREATE INDEX visit_reports_status_received ON visit_reports(status, received_at DESC, id);
