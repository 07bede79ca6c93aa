//! The two databases' migrations (`migrations/sqlite`, `migrations/postgres`) make the
//! same tables with the same columns. The storage layer runs one set of SQL statements on
//! either through sqlx's `Any` driver, which checks no query at compile time: this test
//! stands in for that check, so a column added to one database only fails here rather
//! than in production on the other.

mod common;

use common::Backend;
use std::collections::BTreeMap;

/// Every table of the migrated database `url` and its column names (sqlx's own
/// `_sqlx_migrations` aside).
async fn tables(url: &str, backend: Backend) -> BTreeMap<String, Vec<String>> {
    let db = hoptac_server::storage::Db::connect(url).await.unwrap();
    let rows: Vec<(String, String)> = match backend {
        Backend::Sqlite => {
            sqlx::query_as(
                "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
            )
            .fetch_all(&db.pool)
            .await
            .unwrap()
        }
        Backend::Postgres => {
            sqlx::query_as(
                "SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = 'public'",
            )
            .fetch_all(&db.pool)
            .await
            .unwrap()
        }
    };
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (table, column) in rows {
        if table != "_sqlx_migrations" {
            out.entry(table).or_default().push(column);
        }
    }
    for columns in out.values_mut() {
        columns.sort();
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_databases_have_the_same_tables_and_columns() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = common::fresh_db_url(Backend::Sqlite, dir.path())
        .await
        .unwrap();
    let Some(postgres) = common::fresh_db_url(Backend::Postgres, dir.path()).await else {
        return;
    };
    let (a, b) = (
        tables(&sqlite, Backend::Sqlite).await,
        tables(&postgres, Backend::Postgres).await,
    );
    assert!(a.len() > 10, "the migrations ran: {:?}", a.keys());
    let names = |m: &BTreeMap<String, Vec<String>>| m.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&a), names(&b), "tables: SQLite, then PostgreSQL");
    for (table, columns) in &a {
        assert_eq!(
            columns, &b[table],
            "columns of {table}: SQLite, then PostgreSQL"
        );
    }
}
