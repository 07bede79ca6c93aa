//! Demo data: the Ninh Bình area tree as of 2021 (province, 8 districts, communes), 50
//! cooperatives and groups, two officers in different districts, a supervisor and an
//! administrator. Loaded once, into an empty database, by `--demo`.

use crate::auth::hash_password;
use crate::db::{now_ms, Db};
use hoptac_core::model::{Area, Cooperative};
use hoptac_core::sync::Change;
use serde::Deserialize;
use sqlx::Row;

const DATA: &str = include_str!("../demo/ninh-binh-2021.json");

#[derive(Deserialize)]
struct DemoUser {
    id: String,
    username: String,
    password: String,
    display_name: String,
    role: String,
    areas: Vec<String>,
}

#[derive(Deserialize)]
struct DemoData {
    areas: Vec<Area>,
    cooperatives: Vec<Cooperative>,
    users: Vec<DemoUser>,
}

/// A demo account to print for the person starting the server.
pub struct DemoAccount {
    pub username: String,
    pub password: String,
    pub role: String,
    pub display_name: String,
    pub areas: Vec<String>,
}

fn data() -> DemoData {
    serde_json::from_str(DATA).expect("demo data is valid JSON (checked by a test)")
}

pub fn accounts() -> Vec<DemoAccount> {
    let d = data();
    let names = |ids: &[String]| -> Vec<String> {
        ids.iter()
            .filter_map(|id| d.areas.iter().find(|a| &a.id == id).map(|a| a.name.clone()))
            .collect()
    };
    d.users
        .iter()
        .map(|u| DemoAccount {
            username: u.username.clone(),
            password: u.password.clone(),
            role: u.role.clone(),
            display_name: u.display_name.clone(),
            areas: names(&u.areas),
        })
        .collect()
}

/// Loads the demo data if the database has no users yet. Returns whether it loaded.
pub async fn load_if_empty(db: &Db) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query("SELECT COUNT(*) FROM users")
        .fetch_one(&db.pool)
        .await?
        .try_get(0)?;
    if n > 0 {
        return Ok(false);
    }
    let d = data();
    let mut tx = db.begin_write().await?;
    for a in &d.areas {
        sqlx::query(
            "INSERT INTO areas (id, parent_id, level, name, path) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&a.id)
        .bind(a.parent_id.clone())
        .bind(
            serde_json::to_value(a.level)
                .unwrap()
                .as_str()
                .unwrap_or_default()
                .to_string(),
        )
        .bind(&a.name)
        .bind(&a.path)
        .execute(&mut *tx.tx)
        .await?;
        tx.log_change(
            "area",
            &a.id,
            &a.path,
            &serde_json::to_string(&Change::Area(a.clone())).unwrap(),
        )
        .await?;
    }
    for c in &d.cooperatives {
        let kind = serde_json::to_value(c.kind)
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_string();
        let status = serde_json::to_value(c.status)
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_string();
        sqlx::query("INSERT INTO cooperatives (id, area_id, area_path, kind, name, status, version, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
            .bind(&c.id)
            .bind(&c.area_id)
            .bind(&c.area_path)
            .bind(kind)
            .bind(&c.name)
            .bind(status)
            .bind(c.version)
            .bind(serde_json::to_string(c).unwrap())
            .execute(&mut *tx.tx)
            .await?;
        tx.log_change(
            "cooperative",
            &c.id,
            &c.area_path,
            &serde_json::to_string(&Change::Cooperative(c.clone())).unwrap(),
        )
        .await?;
    }
    let now = now_ms();
    for u in &d.users {
        sqlx::query("INSERT INTO users (id, username, password_hash, display_name, role, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&u.id)
            .bind(&u.username)
            .bind(hash_password(&u.password))
            .bind(&u.display_name)
            .bind(&u.role)
            .bind(now)
            .execute(&mut *tx.tx)
            .await?;
        for a in &u.areas {
            sqlx::query("INSERT INTO assignments (user_id, area_id) VALUES ($1, $2)")
                .bind(&u.id)
                .bind(a)
                .execute(&mut *tx.tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}
