//! `clients` (one row per installation of the app: its owner and last applied mutation id)
//! and `rejected_mutations`.

use super::{now_ms, WriteTx};
use hoptac_core::sync::Rejection;
use sqlx::Row;

/// A client as the push sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// The user who first pushed or pulled with this client id.
    pub user_id: String,
    pub last_mutation_id: u64,
}

/// The client `client_id`, registered to `user_id` on first contact, locked until commit
/// (PostgreSQL: two pushes of one outbox wait for each other).
pub async fn lock_or_register(
    tx: &mut WriteTx<'_>,
    client_id: &str,
    user_id: &str,
) -> Result<Client, sqlx::Error> {
    let now = now_ms();
    // Two first pushes at once: the second insert waits for the first and does nothing.
    sqlx::query("INSERT INTO clients (client_id, user_id, last_mutation_id, created_at, last_seen_at) VALUES ($1, $2, 0, $3, $3) ON CONFLICT (client_id) DO NOTHING")
        .bind(client_id)
        .bind(user_id)
        .bind(now)
        .execute(tx.conn())
        .await?;
    let sql = format!(
        "SELECT user_id, last_mutation_id FROM clients WHERE client_id = $1{}",
        tx.for_update()
    );
    let r = sqlx::query(&sql)
        .bind(client_id)
        .fetch_one(tx.conn())
        .await?;
    Ok(Client {
        user_id: r.try_get(0)?,
        last_mutation_id: r.try_get::<i64, _>(1)? as u64,
    })
}

/// The client's owner and last applied id, if it ever pushed.
pub async fn get(db: &super::Db, client_id: &str) -> Result<Option<Client>, sqlx::Error> {
    let row = sqlx::query("SELECT user_id, last_mutation_id FROM clients WHERE client_id = $1")
        .bind(client_id)
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| {
        Ok(Client {
            user_id: r.try_get(0)?,
            last_mutation_id: r.try_get::<i64, _>(1)? as u64,
        })
    })
    .transpose()
}

/// Moves the client's last applied mutation id forward.
pub async fn advance(tx: &mut WriteTx<'_>, client_id: &str, last: u64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE clients SET last_mutation_id = $1, last_seen_at = $2 WHERE client_id = $3")
        .bind(last as i64)
        .bind(now_ms())
        .bind(client_id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Keeps a refused mutation (`body`: its JSON) with the reason given to the tablet.
pub async fn record_rejection(
    tx: &mut WriteTx<'_>,
    client_id: &str,
    rejection: &Rejection,
    body: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO rejected_mutations (client_id, mutation_id, record_id, code, message_vi, message_en, body, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (client_id, mutation_id) DO NOTHING",
    )
    .bind(client_id)
    .bind(rejection.mutation_id as i64)
    .bind(&rejection.record_id)
    .bind(rejection.code.as_str())
    .bind(&rejection.message.vi)
    .bind(&rejection.message.en)
    .bind(body)
    .bind(now_ms())
    .execute(tx.conn())
    .await?;
    Ok(())
}
