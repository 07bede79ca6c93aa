-- Issue 5: previous revisions of visit reports, and the audit trail of every change.
-- Nothing is deleted: a report's old revisions stay; removal would be a mark.
CREATE TABLE report_revisions (
    report_id  TEXT NOT NULL REFERENCES visit_reports(id),
    revision   INTEGER NOT NULL,
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (report_id, revision)
);

-- Who changed which record, when, from which device, and the record before and after
-- (JSON; the API turns the pair into field-by-field changes). seq is the change's
-- sync_log sequence number, so entries are in commit order.
CREATE TABLE audit_log (
    seq        INTEGER PRIMARY KEY,
    entity     TEXT NOT NULL,
    record_id  TEXT NOT NULL,
    action     TEXT NOT NULL,
    actor_id   TEXT NOT NULL REFERENCES users(id),
    actor_name TEXT NOT NULL,
    client_id  TEXT,
    at         INTEGER NOT NULL,
    old_body   TEXT,
    new_body   TEXT NOT NULL
);
CREATE INDEX audit_log_record ON audit_log(entity, record_id);
