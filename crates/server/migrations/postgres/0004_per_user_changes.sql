-- PostgreSQL copy of ../sqlite/ with BIGINT for every integer (sqlx's Any driver reads them as i64).
-- Changes addressed to one user rather than to an area (e.g. "this area was taken from
-- you"): delivered by pull to that user whatever their scope. NULL for ordinary rows.
ALTER TABLE sync_log ADD COLUMN for_user TEXT REFERENCES users(id);
CREATE INDEX sync_log_for_user ON sync_log(for_user) WHERE for_user IS NOT NULL;
