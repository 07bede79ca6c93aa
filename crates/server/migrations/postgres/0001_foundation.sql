-- PostgreSQL copy of ../sqlite/ with BIGINT for every integer (sqlx's Any driver reads them as i64).
-- The foundation schema. Times are Unix milliseconds (BIGINT); records that travel to
-- tablets keep their full JSON in `body` beside the columns that queries filter on.

CREATE TABLE areas (
    id        TEXT PRIMARY KEY,
    parent_id TEXT REFERENCES areas(id),
    level     TEXT NOT NULL,
    name      TEXT NOT NULL,
    path      TEXT NOT NULL UNIQUE
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    role          TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

-- Which areas a user may see (an officer: districts or communes; a supervisor: the province).
CREATE TABLE assignments (
    user_id TEXT NOT NULL REFERENCES users(id),
    area_id TEXT NOT NULL REFERENCES areas(id),
    PRIMARY KEY (user_id, area_id)
);

-- Session tokens, stored as SHA-256 hashes, so several server instances can share them.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE cooperatives (
    id        TEXT PRIMARY KEY,
    area_id   TEXT NOT NULL REFERENCES areas(id),
    area_path TEXT NOT NULL,
    kind      TEXT NOT NULL,
    name      TEXT NOT NULL,
    status    TEXT NOT NULL,
    version   BIGINT NOT NULL,
    body      TEXT NOT NULL
);

CREATE TABLE visit_reports (
    id             TEXT PRIMARY KEY,
    cooperative_id TEXT NOT NULL REFERENCES cooperatives(id),
    author_id      TEXT NOT NULL REFERENCES users(id),
    client_id      TEXT NOT NULL,
    area_path      TEXT NOT NULL,
    visit_date     TEXT NOT NULL,
    status         TEXT NOT NULL,
    revision       BIGINT NOT NULL,
    received_at    BIGINT NOT NULL,
    body           TEXT NOT NULL
);
CREATE INDEX visit_reports_area ON visit_reports(area_path);

-- One row per installation of the app: the last mutation id applied from it.
CREATE TABLE clients (
    client_id        TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users(id),
    last_mutation_id BIGINT NOT NULL,
    created_at       BIGINT NOT NULL,
    last_seen_at     BIGINT NOT NULL
);

-- Mutations that can never apply, with the reason shown to the officer.
CREATE TABLE rejected_mutations (
    client_id   TEXT NOT NULL,
    mutation_id BIGINT NOT NULL,
    record_id   TEXT NOT NULL,
    code        TEXT NOT NULL,
    message_vi  TEXT NOT NULL,
    message_en  TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (client_id, mutation_id)
);

-- The latest state of every record that travels to tablets, with the sequence number of
-- its last change and the area path that decides who receives it. Pull reads this table
-- by `seq`. Numbers come from sync_counter, bumped inside the writing transaction, so
-- they are handed out in commit order (SQLite serialises writers; PostgreSQL holds the
-- counter row's lock until commit).
CREATE TABLE sync_log (
    entity     TEXT NOT NULL,
    id         TEXT NOT NULL,
    seq        BIGINT NOT NULL UNIQUE,
    scope_path TEXT NOT NULL,
    body       TEXT NOT NULL,
    PRIMARY KEY (entity, id)
);

CREATE TABLE sync_counter (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    last_seq BIGINT NOT NULL
);
INSERT INTO sync_counter (id, last_seq) VALUES (1, 0);
