-- PostgreSQL copy of ../sqlite/ with BIGINT for every integer (sqlx's Any driver reads them as i64).
-- A cooperative profile field changed to two values by two officers (issue 4's merge).
-- The whole conflict (both records, who, when, the resolution) is in body as JSON; the
-- columns are for lookups. Nothing is deleted: a resolved conflict keeps its row.
CREATE TABLE conflicts (
    id             TEXT PRIMARY KEY,
    cooperative_id TEXT NOT NULL REFERENCES cooperatives(id),
    area_path      TEXT NOT NULL,
    field          TEXT NOT NULL,
    author_id      TEXT NOT NULL REFERENCES users(id),
    created_at     BIGINT NOT NULL,
    resolved_at    BIGINT,
    resolved_by    TEXT REFERENCES users(id),
    body           TEXT NOT NULL
);
CREATE INDEX conflicts_cooperative ON conflicts(cooperative_id);
