-- Issue 15: accounts an administrator manages, and a registry with its legal identifiers.
--
-- `active` 0 = deactivated (cannot sign in; every session revoked at deactivation; the
-- work already synced stays). `must_change_password` 1 after a temporary password (a new
-- account or a reset): the API answers only the password change until it is changed.
ALTER TABLE users ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_sign_in_at INTEGER;

-- A cooperative's tax code (mã số thuế) and business registration number (số ĐKKD)
-- belong to one legal entity: kept as columns (digits and letters only, upper case) so a
-- second record with the same one is found at once.
ALTER TABLE cooperatives ADD COLUMN tax_code_key TEXT;
ALTER TABLE cooperatives ADD COLUMN registration_key TEXT;
CREATE INDEX cooperatives_tax_code_key ON cooperatives(tax_code_key);
CREATE INDEX cooperatives_registration_key ON cooperatives(registration_key);
UPDATE cooperatives SET
    tax_code_key = NULLIF(UPPER(REPLACE(REPLACE(REPLACE(json_extract(body, '$.tax_code'), ' ', ''), '-', ''), '.', '')), ''),
    registration_key = NULLIF(UPPER(REPLACE(REPLACE(REPLACE(json_extract(body, '$.registration_no'), ' ', ''), '-', ''), '.', '')), '');

-- Two records found to share a tax code or registration number (two tablets registered
-- one cooperative offline): flagged for a supervisor to merge, or to dismiss.
CREATE TABLE cooperative_duplicates (
    cooperative_id TEXT NOT NULL,
    other_id       TEXT NOT NULL,
    field          TEXT NOT NULL,
    value          TEXT NOT NULL,
    found_at       INTEGER NOT NULL,
    PRIMARY KEY (cooperative_id, other_id)
);

-- A merged record's id and the record it became: work still on a tablet for the removed
-- id lands on the kept one.
CREATE TABLE cooperative_merges (
    removed_id TEXT PRIMARY KEY,
    kept_id    TEXT NOT NULL,
    merged_at  INTEGER NOT NULL,
    merged_by  TEXT NOT NULL REFERENCES users(id)
);
