-- Issue 5: the six-monthly review. Targets per period ("2021-H2") and area, set by a
-- supervisor or administrator; a review of a larger area adds up the targets beneath it
-- when it has none of its own. Changes are kept in audit_log (entity "targets").
CREATE TABLE targets (
    period            TEXT NOT NULL,
    area_id           TEXT NOT NULL REFERENCES areas(id),
    new_htx           INTEGER,
    new_tht           INTEGER,
    works_handed_over INTEGER,
    set_by            TEXT NOT NULL REFERENCES users(id),
    set_at            INTEGER NOT NULL,
    PRIMARY KEY (period, area_id)
);

-- The review reads the approved reports of one half-year.
CREATE INDEX visit_reports_status_date ON visit_reports(status, visit_date);
