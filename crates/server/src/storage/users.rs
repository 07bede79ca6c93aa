//! `users`, `sessions` (token hashes with an expiry), `assignments` (who may see which
//! areas now) and `assignment_history` (who covered which area when).

use super::{now_ms, Db, WriteTx};
use hoptac_core::keyed::Keyed;
use hoptac_core::model::{Role, UserInfo};
use sqlx::Row;

/// The id of the server's own account (migration 0014): the actor of what the server
/// does by itself. It cannot sign in, is never listed and cannot be changed.
pub const SYSTEM_ID: &str = "system";

/// The number of people's accounts (an empty database has none; the server's own account
/// is not counted).
pub async fn count(db: &Db) -> Result<i64, sqlx::Error> {
    sqlx::query("SELECT COUNT(*) FROM users WHERE id <> 'system'")
        .fetch_one(&db.pool)
        .await?
        .try_get(0)
}

/// A new account (password already hashed with argon2).
pub struct NewUser<'a> {
    pub id: &'a str,
    pub username: &'a str,
    pub password_hash: &'a str,
    pub display_name: &'a str,
    pub role: Role,
    /// True for a temporary password its owner must change at first sign-in.
    pub must_change_password: bool,
}

/// Stores a new account; false when the user name is taken.
pub async fn insert(tx: &mut WriteTx<'_>, u: &NewUser<'_>) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("INSERT INTO users (id, username, password_hash, display_name, role, created_at, must_change_password) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING")
        .bind(u.id)
        .bind(u.username)
        .bind(u.password_hash)
        .bind(u.display_name)
        .bind(u.role.key())
        .bind(now_ms())
        .bind(i64::from(u.must_change_password))
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// What signing in needs to know of an account.
pub struct Credentials {
    pub id: String,
    pub password_hash: String,
    pub active: bool,
}

/// The credentials of the account named `username` (lower case).
pub async fn credentials(db: &Db, username: &str) -> Result<Option<Credentials>, sqlx::Error> {
    let row = sqlx::query("SELECT id, password_hash, active FROM users WHERE username = $1")
        .bind(username)
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| {
        Ok(Credentials {
            id: r.try_get(0)?,
            password_hash: r.try_get(1)?,
            active: r.try_get::<i64, _>(2)? != 0,
        })
    })
    .transpose()
}

/// The password hash of user `id`.
pub async fn password_hash(db: &Db, id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await
}

/// Sets user `id`'s password hash and whether it is temporary.
pub async fn set_password(
    tx: &mut WriteTx<'_>,
    id: &str,
    password_hash: &str,
    temporary: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(i64::from(temporary))
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Activates or deactivates user `id`.
pub async fn set_active(tx: &mut WriteTx<'_>, id: &str, active: bool) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
        .bind(i64::from(active))
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Ends every session of user `id`, except the one whose hash is `keep`.
pub async fn revoke_sessions(
    tx: &mut WriteTx<'_>,
    id: &str,
    keep: Option<&str>,
) -> Result<u64, sqlx::Error> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(id)
        .bind(keep.unwrap_or(""))
        .execute(tx.conn())
        .await?;
    Ok(done.rows_affected())
}

/// Notes a successful sign-in of user `id` at `at` (ms since epoch).
pub async fn signed_in(tx: &mut WriteTx<'_>, id: &str, at: i64) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE users SET last_sign_in_at = $1 WHERE id = $2")
        .bind(at)
        .bind(id)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// An account with what the administrator's list shows, locked until commit when read
/// inside a write.
pub async fn account_in(
    tx: &mut WriteTx<'_>,
    id: &str,
) -> Result<Option<hoptac_core::accounts::Account>, sqlx::Error> {
    let sql = format!(
        "SELECT {ACCOUNT_COLUMNS} FROM users WHERE id = $1 AND id <> 'system'{}",
        tx.for_update()
    );
    let row = sqlx::query(&sql).bind(id).fetch_optional(tx.conn()).await?;
    let Some(row) = row else { return Ok(None) };
    let mut a = account_row(&row)?;
    fill_scopes(tx.conn(), std::slice::from_mut(&mut a)).await?;
    Ok(Some(a))
}

const ACCOUNT_COLUMNS: &str =
    "id, username, display_name, role, active, must_change_password, last_sign_in_at, created_at";

fn account_row(r: &sqlx::any::AnyRow) -> Result<hoptac_core::accounts::Account, sqlx::Error> {
    let role: String = r.try_get(3)?;
    Ok(hoptac_core::accounts::Account {
        id: r.try_get(0)?,
        username: r.try_get(1)?,
        display_name: r.try_get(2)?,
        role: Role::from_key(&role).unwrap_or(Role::Officer),
        scopes: Vec::new(),
        scope_names: Vec::new(),
        active: r.try_get::<i64, _>(4)? != 0,
        must_change_password: r.try_get::<i64, _>(5)? != 0,
        last_sign_in_at: r.try_get(6)?,
        created_at: r.try_get(7)?,
    })
}

async fn fill_scopes(
    conn: &mut super::Conn,
    accounts: &mut [hoptac_core::accounts::Account],
) -> Result<(), sqlx::Error> {
    for a in accounts.iter_mut() {
        let rows = sqlx::query("SELECT a.path, a.name FROM assignments s JOIN areas a ON a.id = s.area_id WHERE s.user_id = $1 ORDER BY a.path")
            .bind(&a.id)
            .fetch_all(&mut *conn)
            .await?;
        for r in rows {
            a.scopes.push(r.try_get(0)?);
            a.scope_names.push(r.try_get(1)?);
        }
    }
    Ok(())
}

/// Accounts whose user name or display name contains `search` (compared without case or
/// diacritics: "dinh" finds "Đinh"), visible to an administrator covering `scopes`: an
/// account is visible when every area it covers lies inside them (an account with no area
/// yet is visible to every administrator), as for changing it. At most `limit`, by user
/// name, and the total. (A province has hundreds of accounts, the country a few
/// thousand: they are filtered here rather than by SQL, whose LOWER() is ASCII-only on
/// SQLite.)
pub async fn list(
    db: &Db,
    scopes: &[String],
    with_unassigned: bool,
    search: &str,
    limit: i64,
) -> Result<(Vec<hoptac_core::accounts::Account>, u64), sqlx::Error> {
    let mut visible = format!(
        "NOT EXISTS (SELECT 1 FROM assignments s JOIN areas a ON a.id = s.area_id WHERE s.user_id = u.id AND NOT {})",
        super::scope_clause("a.path", 1, scopes.len())
    );
    if !with_unassigned {
        visible.push_str(" AND EXISTS (SELECT 1 FROM assignments s WHERE s.user_id = u.id)");
    }
    let sql = format!(
        "SELECT {} FROM users u WHERE u.id <> 'system' AND {visible} ORDER BY u.username",
        ACCOUNT_COLUMNS
            .split(", ")
            .map(|c| format!("u.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut conn = db.pool.acquire().await?;
    let mut q = sqlx::query(&sql);
    for s in scopes {
        q = q.bind(s);
    }
    let rows = q.fetch_all(&mut *conn).await?;
    let query = hoptac_core::text::Query::new(search);
    let mut matching = Vec::new();
    for r in &rows {
        let a = account_row(r)?;
        let hay = hoptac_core::text::normalize(&format!("{} {}", a.username, a.display_name));
        if query.matches(&hay) {
            matching.push(a);
        }
    }
    let total = matching.len() as u64;
    matching.truncate(limit.max(0) as usize);
    fill_scopes(&mut conn, &mut matching).await?;
    Ok((matching, total))
}

/// Whether user `id` exists.
pub async fn exists(tx: &mut WriteTx<'_>, id: &str) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query("SELECT id FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(tx.conn())
        .await?
        .is_some())
}

/// The user `id` with role and current area paths; None when there is no such user or
/// the stored role is unknown.
pub async fn load(db: &Db, id: &str) -> Result<Option<UserInfo>, sqlx::Error> {
    let Some(row) = sqlx::query("SELECT id, username, display_name, role, active, must_change_password FROM users WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.pool)
        .await?
    else {
        return Ok(None);
    };
    let Some(role) = Role::from_key(&row.try_get::<String, _>(3)?) else {
        return Ok(None);
    };
    if row.try_get::<i64, _>(4)? == 0 {
        // A deactivated account is nobody: its sessions stop at once, wherever checked.
        return Ok(None);
    }
    let scopes = paths_where(&db.pool, id).await?;
    Ok(Some(UserInfo {
        id: row.try_get(0)?,
        username: row.try_get(1)?,
        display_name: row.try_get(2)?,
        role,
        scopes,
        must_change_password: row.try_get::<i64, _>(5)? != 0,
    }))
}

async fn paths_where<'e, E: sqlx::Executor<'e, Database = sqlx::Any>>(
    ex: E,
    user_id: &str,
) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query("SELECT a.path FROM assignments s JOIN areas a ON a.id = s.area_id WHERE s.user_id = $1 ORDER BY a.path")
        .bind(user_id)
        .fetch_all(ex)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect()
}

/// The area paths user `id` covers now, read inside a write (sorted).
pub async fn paths_of(tx: &mut WriteTx<'_>, user_id: &str) -> Result<Vec<String>, sqlx::Error> {
    paths_where(tx.conn(), user_id).await
}

/// The area ids user `id` covers now, locked until commit (two administrators changing
/// one user's areas wait for each other).
pub async fn lock_areas(tx: &mut WriteTx<'_>, user_id: &str) -> Result<Vec<String>, sqlx::Error> {
    // Lock the user's row: assignments may be empty, and a row lock on nothing locks nothing.
    let sql = format!("SELECT id FROM users WHERE id = $1{}", tx.for_update());
    sqlx::query(&sql)
        .bind(user_id)
        .fetch_optional(tx.conn())
        .await?;
    sqlx::query("SELECT area_id FROM assignments WHERE user_id = $1 ORDER BY area_id")
        .bind(user_id)
        .fetch_all(tx.conn())
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect()
}

/// Replaces user `id`'s areas with `areas` (ids), closing the history of the ones taken
/// away and opening it for the ones given, at `now`, by `by` (a user id).
pub async fn replace_areas(
    tx: &mut WriteTx<'_>,
    user_id: &str,
    before: &[String],
    areas: &[String],
    by: Option<&str>,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    for gone in before.iter().filter(|a| !areas.contains(a)) {
        sqlx::query("DELETE FROM assignments WHERE user_id = $1 AND area_id = $2")
            .bind(user_id)
            .bind(gone)
            .execute(tx.conn())
            .await?;
        sqlx::query("UPDATE assignment_history SET until_ms = $1, revoked_by = $2 WHERE user_id = $3 AND area_id = $4 AND until_ms IS NULL")
            .bind(now)
            .bind(by)
            .bind(user_id)
            .bind(gone)
            .execute(tx.conn())
            .await?;
    }
    for new in areas.iter().filter(|a| !before.contains(a)) {
        grant(tx, user_id, new, by, now).await?;
    }
    Ok(())
}

/// Gives user `id` the area `area_id` from `now` (Unix ms).
pub async fn grant(
    tx: &mut WriteTx<'_>,
    user_id: &str,
    area_id: &str,
    by: Option<&str>,
    now: i64,
) -> Result<(), sqlx::Error> {
    let done = sqlx::query(
        "INSERT INTO assignments (user_id, area_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
    )
    .bind(user_id)
    .bind(area_id)
    .execute(tx.conn())
    .await?;
    if done.rows_affected() == 1 {
        sqlx::query("INSERT INTO assignment_history (user_id, area_id, area_path, from_ms, granted_by) SELECT $1, id, path, $2, $3 FROM areas WHERE id = $4")
            .bind(user_id)
            .bind(now)
            .bind(by)
            .bind(area_id)
            .execute(tx.conn())
            .await?;
    }
    Ok(())
}

/// One period during which a user covered an area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub area_path: String,
    /// Unix ms.
    pub from_ms: i64,
    /// Unix ms; None while the user still covers it.
    pub until_ms: Option<i64>,
}

/// Every area user `id` has covered, with when.
pub async fn history(db: &Db, user_id: &str) -> Result<Vec<Held>, sqlx::Error> {
    sqlx::query("SELECT area_path, from_ms, until_ms FROM assignment_history WHERE user_id = $1 ORDER BY from_ms, area_path")
        .bind(user_id)
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| {
            Ok(Held {
                area_path: r.try_get(0)?,
                from_ms: r.try_get(1)?,
                until_ms: r.try_get(2)?,
            })
        })
        .collect()
}

/// Stores a session (its token's SHA-256 hash) and drops expired ones.
pub async fn create_session(
    tx: &mut WriteTx<'_>,
    token_hash: &str,
    user_id: &str,
    expires_at: i64,
) -> Result<(), sqlx::Error> {
    let now = now_ms();
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(tx.conn())
        .await?;
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash)
        .bind(user_id)
        .bind(now)
        .bind(expires_at)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// Ends a session.
pub async fn delete_session(tx: &mut WriteTx<'_>, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(tx.conn())
        .await?;
    Ok(())
}

/// The user of an unexpired session.
pub async fn session_user(db: &Db, token_hash: &str) -> Result<Option<String>, sqlx::Error> {
    let row = sqlx::query("SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > $2")
        .bind(token_hash)
        .bind(now_ms())
        .fetch_optional(&db.pool)
        .await?;
    row.map(|r| r.try_get(0)).transpose()
}

/// The latest time (Unix ms) user `id` stopped covering an area containing `area_path`,
/// if that was at or after `since` (and they do not cover it now: that is the caller's
/// first check).
pub async fn left_area_since(
    tx: &mut WriteTx<'_>,
    user_id: &str,
    area_path: &str,
    since: i64,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT MAX(until_ms) FROM assignment_history WHERE user_id = $1 AND until_ms IS NOT NULL AND until_ms >= $2 AND substr($3, 1, length(area_path)) = area_path")
        .bind(user_id)
        .bind(since)
        .bind(area_path)
        .fetch_one(tx.conn())
        .await
}

/// The officers who cover or covered an area under any of `scopes` (the review queue's
/// officer filter): (id, display name), by name.
pub async fn officers_in(db: &Db, scopes: &[String]) -> Result<Vec<(String, String)>, sqlx::Error> {
    let sql = format!(
        "SELECT DISTINCT u.id, u.display_name FROM users u JOIN assignment_history h ON h.user_id = u.id
         WHERE u.role = 'officer' AND {}",
        super::scope_clause("h.area_path", 1, scopes.len())
    );
    let mut q = sqlx::query(&sql);
    for s in scopes {
        q = q.bind(s);
    }
    let mut out: Vec<(String, String)> = q
        .fetch_all(&db.pool)
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect::<Result<_, sqlx::Error>>()?;
    // By name as Vietnamese sorts it ("Đinh" with the D's), not by bytes.
    out.sort_by_cached_key(|(id, name)| (hoptac_core::text::normalize(name), id.clone()));
    Ok(out)
}
