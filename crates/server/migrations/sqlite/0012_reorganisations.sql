-- Issue 16: areas change. An area keeps its national code and the dates it existed;
-- a closed area stays (reports written in it, reviews of periods before) with the area
-- that replaced it. A reorganisation is stored whole (body: the request as applied);
-- every cooperative it moved is kept in cooperative_moves (the review of a period before
-- it shows the areas of the time); a visit report moved keeps the path of the area it
-- was written in (written_area_path; NULL: area_path).
ALTER TABLE areas ADD COLUMN code TEXT;
ALTER TABLE areas ADD COLUMN opened_on TEXT;
ALTER TABLE areas ADD COLUMN closed_on TEXT;
ALTER TABLE areas ADD COLUMN successor_id TEXT;

CREATE TABLE reorganisations (
    id           TEXT PRIMARY KEY,
    effective_on TEXT NOT NULL,
    decision     TEXT NOT NULL,
    body         TEXT NOT NULL,
    applied_by   TEXT NOT NULL REFERENCES users(id),
    applied_at   INTEGER NOT NULL
);

CREATE TABLE cooperative_moves (
    cooperative_id    TEXT NOT NULL,
    reorganisation_id TEXT NOT NULL REFERENCES reorganisations(id),
    from_area_id      TEXT NOT NULL,
    from_path         TEXT NOT NULL,
    to_area_id        TEXT NOT NULL,
    to_path           TEXT NOT NULL,
    effective_on      TEXT NOT NULL,
    PRIMARY KEY (cooperative_id, reorganisation_id)
);
CREATE INDEX cooperative_moves_from ON cooperative_moves(from_path);

ALTER TABLE visit_reports ADD COLUMN written_area_path TEXT;

-- A reorganisation reads the cooperatives of each closed area and their reports: without
-- these, each of 1,000 areas scanned every cooperative (docs/BENCHMARKS.md). A
-- cooperative's page reads its reports by the second too.
CREATE INDEX cooperatives_area ON cooperatives(area_id);
CREATE INDEX visit_reports_cooperative ON visit_reports(cooperative_id);
