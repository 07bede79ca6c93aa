//! Demo data, two of them:
//! - the seed ([`load_if_empty`], `--demo-seed`): the Ninh Bình area tree as of 2021
//!   (province, 8 districts, communes; hoptac's own ids, no official codes), 50
//!   cooperatives and groups, officers in different districts, a supervisor and an
//!   administrator: the small fixed world the tests start from;
//! - the demo a newcomer sees ([`today::load`], `--demo`, `make run`): today's Ninh Bình
//!   with its official units, the same cooperatives and accounts in the former communes,
//!   five half-years of reports and the 1 July 2025 reform as published.

use crate::rules::accounts::hash_password;
use crate::storage::{self, users::NewUser, Db};
use hoptac_core::keyed::Keyed;
use hoptac_core::model::{Area, Cooperative, Role};
use hoptac_core::sync::Change;
use serde::Deserialize;

pub mod today;

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

/// The demo accounts with the areas they cover in `db` today (after the demo's
/// reorganisation: the new communes and wards).
pub async fn accounts_now(db: &Db) -> Result<Vec<DemoAccount>, sqlx::Error> {
    let d = data();
    let areas = storage::areas::all(db).await?;
    let mut out = accounts();
    for (a, u) in out.iter_mut().zip(&d.users) {
        if let Some(info) = storage::users::load(db, &u.id).await? {
            a.areas = info
                .scopes
                .iter()
                .filter_map(|p| areas.iter().find(|x| &x.path == p).map(|x| x.name.clone()))
                .collect();
        }
    }
    Ok(out)
}

/// Loads the demo data if the database has no users yet. Returns whether it loaded.
pub async fn load_if_empty(db: &Db) -> Result<bool, sqlx::Error> {
    if storage::users::count(db).await? > 0 {
        return Ok(false);
    }
    let d = data();
    // Hash the passwords before the write transaction (argon2 is slow on purpose).
    let mut hashes = Vec::new();
    for u in &d.users {
        hashes.push(hash_password(&u.password).await);
    }
    let mut tx = db.begin_write().await?;
    insert_areas_if_none(&mut tx, &d.areas).await?;
    for c in &d.cooperatives {
        storage::cooperatives::insert(&mut tx, c, None).await?;
        tx.log_change(
            "cooperative",
            &c.id,
            &c.area_path,
            &serde_json::to_string(&Change::Cooperative(c.clone()))
                .expect("a cooperative serialises"),
        );
    }
    for (u, hash) in d.users.iter().zip(&hashes) {
        insert_user(&mut tx, u, hash, &u.areas).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Stores a demo account with its areas (ids).
async fn insert_user(
    tx: &mut storage::WriteTx<'_>,
    u: &DemoUser,
    hash: &str,
    areas: &[String],
) -> Result<(), sqlx::Error> {
    let role = Role::from_key(&u.role).expect("demo roles are known (checked by a test)");
    storage::users::insert(
        tx,
        &NewUser {
            id: &u.id,
            username: &u.username,
            password_hash: hash,
            display_name: &u.display_name,
            role,
            must_change_password: false,
        },
    )
    .await?;
    for a in areas {
        storage::users::grant(tx, &u.id, a, None, 0).await?;
    }
    Ok(())
}

/// Stores `areas` (and logs them for pull) when the database has none; returns how many.
async fn insert_areas_if_none(
    tx: &mut storage::WriteTx<'_>,
    areas: &[Area],
) -> Result<usize, sqlx::Error> {
    if storage::areas::root_id(tx).await?.is_some() {
        return Ok(0);
    }
    for a in areas {
        storage::areas::insert(tx, a).await?;
        tx.log_change(
            "area",
            &a.id,
            &a.path,
            &serde_json::to_string(&Change::Area(a.clone())).expect("an area serialises"),
        );
    }
    Ok(areas.len())
}
