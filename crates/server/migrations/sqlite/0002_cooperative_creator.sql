-- Who registered a cooperative from the field (NULL for reference data loaded by an admin).
ALTER TABLE cooperatives ADD COLUMN created_by TEXT REFERENCES users(id);
