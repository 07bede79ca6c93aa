-- PostgreSQL copy of ../sqlite/ with BIGINT for every integer (sqlx's Any driver reads them as i64).
-- Issue 18: the sign-in brake in the database, shared by every server instance (it was in
-- one process's memory): failed sign-ins per key ("name:<user name>" or "addr:<address>")
-- in a window from `since` (ms since epoch). Rows whose window has passed are deleted by
-- the hourly sweep.
CREATE TABLE sign_in_failures (
    key      TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    since    BIGINT NOT NULL
);
