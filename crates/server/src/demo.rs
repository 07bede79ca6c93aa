//! Demo data: the Ninh Bình area tree as of 2021 (province, 8 districts, communes), 50
//! cooperatives and groups, officers in different districts, a supervisor and an
//! administrator (the seed, [`load_if_empty`]; what the tests start from: `--demo-seed`);
//! and its history ([`load_history`], with the seed by `--demo`): approved reports of
//! 2021 and 2024-H2, the reorganisation of 1 July 2025 (demo/reform-2025-07-01.json),
//! then reports of 2025-H2 and 2026-H1 in the new communes and wards.

use crate::rules::accounts::hash_password;
use crate::storage::{self, users::NewUser, Db};
use hoptac_core::keyed::Keyed;
use hoptac_core::model::{Area, Cooperative, Role};
use hoptac_core::sync::Change;
use serde::Deserialize;

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
        let role = Role::from_key(&u.role).expect("demo roles are known (checked by a test)");
        storage::users::insert(
            &mut tx,
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
        for a in &u.areas {
            storage::users::grant(&mut tx, &u.id, a, None, 0).await?;
        }
    }
    tx.commit().await?;
    Ok(true)
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

const REFORM: &str = include_str!("../demo/reform-2025-07-01.json");

/// The demo's reorganisation of 1 July 2025: every district of the seed's province
/// dissolved, its communes merged into two communes or wards directly under the province.
/// The names of the new units are those of the 2025 reform; which old communes each took
/// in is simplified for the demo.
pub fn reform_2025() -> hoptac_core::reorg::Reorganisation {
    serde_json::from_str(REFORM).expect("the demo reorganisation is valid JSON (checked by a test)")
}

/// The half-years the demo has approved reports for, with a day of the month to visit
/// in, before the reform and after it.
const BEFORE_REFORM: [(&str, u32); 3] = [("2021-03", 0), ("2021-09", 1), ("2024-10", 2)];
const AFTER_REFORM: [(&str, u32); 2] = [("2025-09", 3), ("2026-04", 4)];

/// A visit report as an officer of the demo would write it: figures that vary from
/// cooperative to cooperative and grow from period to period, deterministic (the same
/// demo every time).
fn demo_visit(
    c: &Cooperative,
    i: usize,
    (month, k): (&str, u32),
    author: &DemoUser,
    supervisor: &DemoUser,
) -> hoptac_core::model::VisitReport {
    use hoptac_core::model::{OperatingStatus, ReportStatus, VisitReport};
    use hoptac_core::report::{ChainStage, Findings};
    let i64i = i as i64;
    let k64 = i64::from(k);
    let revenue = 300_000_000 + (i64i * 37 % 20) * 50_000_000 + k64 * 40_000_000;
    let income = 3_500_000 + (i64i % 7) * 300_000 + k64 * 150_000;
    let difficulties = [
        "weak_finances",
        "finding_markets",
        "low_competitiveness",
        "processing_lacks_machinery",
        "little_high_tech",
        "land_shrinking",
    ];
    let support = [
        "training",
        "trade_promotion",
        "infrastructure",
        "credit",
        "consulting",
    ];
    let mut f = Findings {
        // A cooperative at a standstill in the seed recovers after the reform, one in three.
        operating_status: Some(
            if c.status == OperatingStatus::Standstill && !(k >= 3 && i % 3 == 0) {
                OperatingStatus::Standstill
            } else {
                OperatingStatus::Active
            },
        ),
        ..Default::default()
    };
    f.finances.revenue_vnd = Some(revenue);
    f.finances.revenue_last_year_vnd = Some(revenue * (88 + (i64i % 15)) / 100);
    f.finances.profit_vnd = Some(revenue / 12);
    f.finances.member_income_vnd = Some(income);
    f.finances.member_income_last_year_vnd = Some(income * 95 / 100);
    if i % 3 == 0 {
        f.value_chain.in_value_chain = true;
        f.value_chain.stages = vec![ChainStage::Production, ChainStage::Processing];
        f.value_chain.programme = Some(
            if i % 2 == 0 {
                "resolution113"
            } else {
                "decision284"
            }
            .into(),
        );
    }
    f.difficulties = vec![
        difficulties[i % difficulties.len()].into(),
        difficulties[(i / 2 + k as usize) % difficulties.len()].into(),
    ];
    f.difficulties.dedup();
    f.support.received = vec![support[(i + k as usize) % support.len()].into()];
    f.support.works_handed_over = (i % 4 == 0).then_some(1);
    f.compliance.tax_registered = c.tax_registered;
    let day = 3 + (i % 25);
    let visit_date = format!("{month}-{day:02}");
    let at = 1_000_000_000_000 + i64::from(k) * 10_000_000 + i64i;
    VisitReport {
        id: format!("demo-{}-{}", c.id, month),
        cooperative_id: c.id.clone(),
        author_id: author.id.clone(),
        author_name: author.display_name.clone(),
        visit_date,
        note: format!(
            "Làm việc với Ban quản trị {} về kết quả sản xuất, kinh doanh; ghi nhận khó khăn và đề xuất hỗ trợ.",
            c.name
        ),
        findings: f,
        status: ReportStatus::Approved,
        revision: 1,
        created_at: at,
        area_path: c.area_path.clone(),
        received_at: Some(at),
        events: vec![hoptac_core::review::ReviewEvent {
            action: hoptac_core::review::Action::Approve,
            by_id: supervisor.id.clone(),
            by_name: supervisor.display_name.clone(),
            at: at + 86_400_000,
            text: String::new(),
            revision: 1,
        }],
        author_left_area_at: None,
        written_area_path: None,
    }
}

/// Approved reports of `periods` for every cooperative an officer of the demo covers.
async fn insert_visits(
    db: &Db,
    coops: &[Cooperative],
    periods: &[(&str, u32)],
) -> Result<usize, crate::http::error::ApiError> {
    let d = data();
    let supervisor = d
        .users
        .iter()
        .find(|u| u.role == "supervisor")
        .expect("a demo supervisor");
    // Each cooperative's officer: who covers its district in the seed (a cooperative keeps
    // its id across the reform; its seed record says where it was).
    let seed_path = |id: &str| {
        d.cooperatives
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.area_path.clone())
    };
    let officer_of = |c: &Cooperative| {
        let path = seed_path(&c.id)?;
        d.users.iter().filter(|u| u.role == "officer").find(|u| {
            u.areas.iter().any(|a| {
                d.areas
                    .iter()
                    .any(|x| &x.id == a && path.starts_with(x.path.as_str()))
            })
        })
    };
    let mut tx = db.begin_write().await?;
    let mut n = 0;
    for (i, c) in coops.iter().enumerate() {
        let Some(author) = officer_of(c) else {
            continue;
        };
        for p in periods {
            let v = demo_visit(c, i, *p, author, supervisor);
            let body = serde_json::to_string(&v)?;
            if storage::visits::insert(&mut tx, &v, "demo", &body).await? {
                tx.log_change(
                    "visit",
                    &v.id,
                    &v.area_path,
                    &serde_json::to_string(&Change::Visit(v.clone()))?,
                );
                n += 1;
            }
        }
    }
    tx.commit().await?;
    Ok(n)
}

/// The demo's history, after the seed ([`load_if_empty`]): approved reports of 2021-H1,
/// 2021-H2 and 2024-H2 in the districts of the time, the reorganisation of 1 July 2025
/// applied by the demo administrator, then reports of 2025-H2 and 2026-H1 in the new
/// communes and wards. A supervisor's first look at "Sơ kết 6 tháng" shows figures, and
/// 2025-H2 against last year across the reform. Returns the number of reports added.
pub async fn load_history(db: &Db) -> Result<usize, crate::http::error::ApiError> {
    let d = data();
    let mut n = insert_visits(db, &d.cooperatives, &BEFORE_REFORM).await?;
    let admin_id = &d
        .users
        .iter()
        .find(|u| u.role == "admin")
        .expect("a demo administrator")
        .id;
    let admin = storage::users::load(db, admin_id)
        .await?
        .expect("the demo administrator was loaded");
    let done = crate::rules::reorg::reorganise(db, &admin, &reform_2025(), true).await?;
    if !done.applied {
        return Err(crate::http::error::ApiError::Internal(format!(
            "the demo reorganisation did not apply: {:?}",
            done.blocked
        )));
    }
    let all = d.areas.iter().map(|a| a.path.clone()).collect::<Vec<_>>();
    let roots: Vec<String> = all
        .iter()
        .filter(|p| p.matches('/').count() == 1)
        .cloned()
        .collect();
    let today = storage::cooperatives::in_paths(db, &roots).await?;
    let mut today: Vec<Cooperative> = today;
    today.sort_by(|a, b| a.id.cmp(&b.id));
    n += insert_visits(db, &today, &AFTER_REFORM).await?;
    Ok(n)
}
