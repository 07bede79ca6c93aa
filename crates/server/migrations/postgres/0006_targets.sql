-- PostgreSQL copy of ../sqlite/ with BIGINT for every integer (sqlx's Any driver reads them as i64).
-- Issue 5: the six-monthly review. Targets per period ("2021-H2") and area, set by a
-- supervisor or administrator; a review of a larger area adds up the targets beneath it
-- when it has none of its own. Changes are kept in audit_log (entity "targets").
CREATE TABLE targets (
    period            TEXT NOT NULL,
    area_id           TEXT NOT NULL REFERENCES areas(id),
    new_htx           BIGINT,
    new_tht           BIGINT,
    works_handed_over BIGINT,
    set_by            TEXT NOT NULL REFERENCES users(id),
    set_at            BIGINT NOT NULL,
    PRIMARY KEY (period, area_id)
);

-- The review reads the approved reports of one half-year.
CREATE INDEX visit_reports_status_date ON visit_reports(status, visit_date);
