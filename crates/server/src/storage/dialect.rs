//! Where SQLite and PostgreSQL differ: every SQL fragment the storage modules write in two
//! ways is chosen here, once, by [`DbKind`]. The rest of the SQL is written once and runs
//! on both (sqlx's `Any` driver; `$1` placeholders, `UPDATE … FROM`, `ON CONFLICT`, window
//! functions). Connecting (pragmas, pool sizes) and the migration folders stay with
//! [`super::Db`]; `crates/server/tests/schema.rs` holds the two folders to the same tables.

/// The database behind a [`super::Db`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

impl DbKind {
    /// "sqlite" or "postgres": the migration folder and what `/api/health` reports.
    pub fn name(self) -> &'static str {
        match self {
            DbKind::Sqlite => "sqlite",
            DbKind::Postgres => "postgres",
        }
    }

    /// `" FOR UPDATE"` on PostgreSQL in a write transaction (a row lock held to commit);
    /// nothing on SQLite, whose writers are serialised already, nor in a read-only one.
    pub fn for_update(self, read_only: bool) -> &'static str {
        match self {
            DbKind::Postgres if !read_only => " FOR UPDATE",
            _ => "",
        }
    }

    /// What starts a read-only transaction on one snapshot (PostgreSQL: REPEATABLE READ,
    /// READ ONLY); SQLite's read transaction is one already.
    pub fn read_only_snapshot(self) -> Option<&'static str> {
        match self {
            DbKind::Postgres => Some("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"),
            DbKind::Sqlite => None,
        }
    }

    /// A transaction-scoped lock on `key` that one writer at a time holds (PostgreSQL's
    /// advisory lock); SQLite's writers are serialised already.
    pub fn exclusive_lock(self, key: i64) -> Option<String> {
        match self {
            DbKind::Postgres => Some(format!("SELECT pg_advisory_xact_lock({key})")),
            DbKind::Sqlite => None,
        }
    }

    /// `column` compared byte by byte, as the indexes on area paths are built
    /// (`COLLATE "C"` on PostgreSQL; SQLite compares bytes already).
    pub fn bytewise(self, column: &str) -> String {
        match self {
            DbKind::Postgres => format!("{column} COLLATE \"C\""),
            DbKind::Sqlite => column.to_string(),
        }
    }

    /// The text at top-level key `key` of the JSON text in `column`.
    pub fn json_text(self, column: &str, key: &str) -> String {
        match self {
            DbKind::Postgres => format!("CAST({column} AS json)->>'{key}'"),
            DbKind::Sqlite => format!("json_extract({column}, '$.{key}')"),
        }
    }

    /// The statements that drop a temporary table `name` if this connection has one, and
    /// the clause that ends its `CREATE TEMP TABLE` (PostgreSQL drops it at commit).
    pub fn temp_table(self, name: &str) -> (String, &'static str) {
        match self {
            DbKind::Sqlite => (format!("DROP TABLE IF EXISTS temp.{name}"), ""),
            DbKind::Postgres => (
                format!("DROP TABLE IF EXISTS pg_temp.{name}"),
                " ON COMMIT DROP",
            ),
        }
    }

    /// What gives a temporary table `name` its statistics after it is filled (PostgreSQL
    /// plans a join with an unanalysed temporary table for a handful of rows; SQLite plans
    /// without them).
    pub fn analyse_temp_table(self, name: &str) -> Option<String> {
        match self {
            DbKind::Postgres => Some(format!("ANALYZE {name}")),
            DbKind::Sqlite => None,
        }
    }
}
