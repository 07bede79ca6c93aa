-- PostgreSQL copy of ../sqlite/ with BIGINT for every integer (sqlx's Any driver reads them as i64).
-- Who registered a cooperative from the field (NULL for reference data loaded by an admin).
ALTER TABLE cooperatives ADD COLUMN created_by TEXT REFERENCES users(id);
