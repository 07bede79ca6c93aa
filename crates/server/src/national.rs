//! A national-size dataset for the benchmarks (issue 18): `hoptac-server demo --national`.
//!
//! Today's two-tier areas (the 2025 reform: 34 provinces, 3,321 communes and wards, no
//! districts; the names of the provinces are the reform's, those of the communes made
//! up), 100,000 cooperatives and groups, 3,000 officers (each covering one or two
//! communes), a supervisor per province and one for the whole country, and 1,000,000 visit
//! reports over five years (2021-H2 to 2026-H1: each cooperative visited once every
//! half-year), approved in past periods, some still waiting, returned or rejected in the
//! last. Everything is logged for pull as the server logs it, so tablets sync against it.
//! `scale` shrinks it (0.01: 1,000 cooperatives, 10,000 reports, 30 officers; the tests
//! use that).
//!
//! Every generated account's password is [`PASSWORD`] (one argon2 hash for all: hashing
//! 3,000 apart takes minutes). For benchmarks and demonstrations only.

use crate::storage::{self, users::NewUser, Db};
use hoptac_core::model::{Area, AreaLevel, Cooperative, ReportStatus, Role, VisitReport};
use hoptac_core::sync::Change;

/// The generated accounts' password.
pub const PASSWORD: &str = "hoptac-quocgia";

/// The 34 provinces and cities after 1 July 2025 (Resolution 202/2025/QH15): (id, name).
pub const PROVINCES: [(&str, &str); 34] = [
    ("HN", "Thành phố Hà Nội"),
    ("HUE", "Thành phố Huế"),
    ("LCH", "Tỉnh Lai Châu"),
    ("DBI", "Tỉnh Điện Biên"),
    ("SLA", "Tỉnh Sơn La"),
    ("LSO", "Tỉnh Lạng Sơn"),
    ("QNI", "Tỉnh Quảng Ninh"),
    ("THO", "Tỉnh Thanh Hóa"),
    ("NAN", "Tỉnh Nghệ An"),
    ("HTI", "Tỉnh Hà Tĩnh"),
    ("CBA", "Tỉnh Cao Bằng"),
    ("TQU", "Tỉnh Tuyên Quang"),
    ("LCA", "Tỉnh Lào Cai"),
    ("TNG", "Tỉnh Thái Nguyên"),
    ("PTH", "Tỉnh Phú Thọ"),
    ("BNI", "Tỉnh Bắc Ninh"),
    ("HYE", "Tỉnh Hưng Yên"),
    ("HP", "Thành phố Hải Phòng"),
    ("NBI", "Tỉnh Ninh Bình"),
    ("QTR", "Tỉnh Quảng Trị"),
    ("DN", "Thành phố Đà Nẵng"),
    ("QNG", "Tỉnh Quảng Ngãi"),
    ("GLA", "Tỉnh Gia Lai"),
    ("KHO", "Tỉnh Khánh Hòa"),
    ("LDO", "Tỉnh Lâm Đồng"),
    ("DLA", "Tỉnh Đắk Lắk"),
    ("HCM", "Thành phố Hồ Chí Minh"),
    ("DNA", "Tỉnh Đồng Nai"),
    ("TNI", "Tỉnh Tây Ninh"),
    ("CT", "Thành phố Cần Thơ"),
    ("VLO", "Tỉnh Vĩnh Long"),
    ("DTH", "Tỉnh Đồng Tháp"),
    ("CMA", "Tỉnh Cà Mau"),
    ("AGI", "Tỉnh An Giang"),
];

/// The reform's count of communes and wards.
const COMMUNES: usize = 3_321;
const COOPERATIVES: usize = 100_000;
const OFFICERS: usize = 3_000;
/// The half-years reported, oldest first: five years.
const PERIODS: [&str; 10] = [
    "2021-H2", "2022-H1", "2022-H2", "2023-H1", "2023-H2", "2024-H1", "2024-H2", "2025-H1",
    "2025-H2", "2026-H1",
];
/// Rows written per transaction.
const BATCH: usize = 2_000;

/// What was generated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub provinces: usize,
    pub communes: usize,
    pub cooperatives: usize,
    pub officers: usize,
    pub reports: usize,
}

/// The sizes at `scale` (1.0: the national dataset): at least one of each.
pub fn sizes(scale: f64) -> Summary {
    let n = |full: usize| ((full as f64 * scale).round() as usize).max(1);
    Summary {
        provinces: PROVINCES.len(),
        communes: n(COMMUNES).max(PROVINCES.len()),
        cooperatives: n(COOPERATIVES),
        officers: n(OFFICERS),
        reports: n(COOPERATIVES) * PERIODS.len(),
    }
}

/// A deterministic pseudo-random number for item `i` (the same dataset every run).
fn mix(i: usize, salt: u64) -> u64 {
    let mut x = (i as u64).wrapping_add(salt.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    x ^= x >> 30;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

const DIFFICULTIES: [&str; 6] = [
    "weak_finances",
    "finding_markets",
    "low_competitiveness",
    "tax_registration",
    "very_small_scale",
    "lack_of_capital",
];
const SUPPORT: [&str; 4] = ["training", "credit", "trade_promotion", "infrastructure"];
const PRODUCTS: [&str; 8] = [
    "Nông nghiệp",
    "Thủy sản",
    "Dệt may",
    "Du lịch",
    "Vận tải",
    "Môi trường",
    "Nấm",
    "Chè",
];
const FAMILY: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"];
const GIVEN: [&str; 8] = [
    "Văn An",
    "Thị Bình",
    "Văn Cường",
    "Thị Dung",
    "Minh Đức",
    "Thị Hà",
    "Quang Huy",
    "Thị Lan",
];

/// Midnight UTC of "YYYY-MM-DD", in ms since epoch (Howard Hinnant's days_from_civil).
fn millis_of(date: &str) -> i64 {
    let mut it = date.split('-').map(|p| p.parse::<i64>().unwrap_or(1));
    let (y, m, d) = (
        it.next().unwrap_or(1970),
        it.next().unwrap_or(1),
        it.next().unwrap_or(1),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) * 86_400_000
}

/// Fills an empty database with the national dataset at `scale`, telling `progress` what
/// it is writing (what, done, of). Errors: the database is not empty, or a write fails.
pub async fn generate(
    db: &Db,
    scale: f64,
    progress: impl Fn(&str, usize, usize),
) -> Result<Summary, String> {
    if !(scale > 0.0 && scale <= 1.0) {
        return Err(format!(
            "--scale {scale}: choose a number above 0 and at most 1"
        ));
    }
    let err = |e: sqlx::Error| e.to_string();
    if storage::users::count(db).await.map_err(err)? > 0 {
        return Err("the database is not empty: the national dataset goes into an empty one (a new PostgreSQL database or SQLite file)".into());
    }
    let size = sizes(scale);
    let started = storage::now_ms();

    // Areas: the provinces, and their communes spread evenly.
    let mut areas = Vec::new();
    let mut communes: Vec<(String, String, usize)> = Vec::new(); // (id, path, province)
    for (p, (pid, pname)) in PROVINCES.iter().enumerate() {
        areas.push(Area {
            id: pid.to_string(),
            parent_id: None,
            level: AreaLevel::Province,
            name: pname.to_string(),
            path: format!("{pid}/"),
            code: None,
            opened_on: Some("2025-07-01".into()),
            closed_on: None,
            successor_id: None,
        });
        let here =
            size.communes / PROVINCES.len() + usize::from(p < size.communes % PROVINCES.len());
        for c in 0..here {
            let id = format!("{pid}-X{:03}", c + 1);
            let ward = mix(communes.len(), 1) % 5 == 0;
            areas.push(Area {
                id: id.clone(),
                parent_id: Some(pid.to_string()),
                level: AreaLevel::Commune,
                name: format!(
                    "{} {} {}",
                    if ward { "Phường" } else { "Xã" },
                    pname
                        .trim_start_matches("Tỉnh ")
                        .trim_start_matches("Thành phố "),
                    c + 1
                ),
                path: format!("{pid}/{id}/"),
                code: None,
                opened_on: Some("2025-07-01".into()),
                closed_on: None,
                successor_id: None,
            });
            communes.push((id.clone(), format!("{pid}/{id}/"), p));
        }
    }
    let mut tx = db.begin_write().await.map_err(err)?;
    for a in &areas {
        storage::areas::insert(&mut tx, a).await.map_err(err)?;
        tx.log_change(
            "area",
            &a.id,
            &a.path,
            &serde_json::to_string(&Change::Area(a.clone())).map_err(|e| e.to_string())?,
        );
    }
    tx.commit().await.map_err(err)?;
    progress("areas", areas.len(), areas.len());

    // Accounts: one hash for all.
    let hash = crate::rules::accounts::hash_password(PASSWORD).await;
    let mut tx = db.begin_write().await.map_err(err)?;
    let mut officer_of_commune: Vec<(String, String)> =
        vec![(String::new(), String::new()); communes.len()];
    for o in 0..size.officers {
        let id = format!("u-qg-{o:04}");
        let name = format!(
            "{} {}",
            FAMILY[(mix(o, 2) % 8) as usize],
            GIVEN[(mix(o, 3) % 8) as usize]
        );
        storage::users::insert(
            &mut tx,
            &NewUser {
                id: &id,
                username: &format!("canbo.{o:04}"),
                password_hash: &hash,
                display_name: &name,
                role: Role::Officer,
                must_change_password: false,
            },
        )
        .await
        .map_err(err)?;
        // Officer o covers communes o, o + officers, o + 2 × officers, …
        let mut c = o;
        while c < communes.len() {
            storage::users::grant(&mut tx, &id, &communes[c].0, None, 0)
                .await
                .map_err(err)?;
            officer_of_commune[c] = (id.clone(), name.clone());
            c += size.officers;
        }
    }
    for (pid, pname) in PROVINCES {
        let id = format!("u-gs-{}", pid.to_lowercase());
        storage::users::insert(
            &mut tx,
            &NewUser {
                id: &id,
                username: &format!("giamsat.{}", pid.to_lowercase()),
                password_hash: &hash,
                display_name: &format!("Giám sát {pname}"),
                role: Role::Supervisor,
                must_change_password: false,
            },
        )
        .await
        .map_err(err)?;
        storage::users::grant(&mut tx, &id, pid, None, 0)
            .await
            .map_err(err)?;
    }
    for (id, username, name, role) in [
        (
            "u-gs-quocgia",
            "giamsat.quocgia",
            "Giám sát toàn quốc",
            Role::Supervisor,
        ),
        (
            "u-qt-quocgia",
            "quantri.quocgia",
            "Quản trị toàn quốc",
            Role::Admin,
        ),
    ] {
        storage::users::insert(
            &mut tx,
            &NewUser {
                id,
                username,
                password_hash: &hash,
                display_name: name,
                role,
                must_change_password: false,
            },
        )
        .await
        .map_err(err)?;
        for (pid, _) in PROVINCES {
            storage::users::grant(&mut tx, id, pid, None, 0)
                .await
                .map_err(err)?;
        }
    }
    tx.commit().await.map_err(err)?;
    progress(
        "accounts",
        size.officers + PROVINCES.len() + 2,
        size.officers + PROVINCES.len() + 2,
    );

    // Cooperatives and their reports, a batch at a time.
    let mut written = 0;
    for start in (0..size.cooperatives).step_by(BATCH / PERIODS.len()) {
        let end = (start + BATCH / PERIODS.len()).min(size.cooperatives);
        let mut tx = db.begin_write().await.map_err(err)?;
        let mut reports = Vec::new();
        for i in start..end {
            let c = (mix(i, 4) % communes.len() as u64) as usize;
            let (area_id, area_path, _) = &communes[c];
            let kind = if mix(i, 5) % 5 == 0 { "tht" } else { "htx" };
            let founded = format!(
                "{}-{:02}-{:02}",
                1997 + mix(i, 6) % 29,
                1 + mix(i, 7) % 12,
                1 + mix(i, 8) % 28
            );
            let name = format!(
                "{} {} {} số {}",
                if kind == "htx" { "HTX" } else { "THT" },
                PRODUCTS[(mix(i, 9) % 8) as usize],
                &area_path[..area_path.find('/').unwrap_or(0)],
                i + 1
            );
            let coop: Cooperative = serde_json::from_value(serde_json::json!({
                "id": format!("qg-{i:06}"), "kind": kind, "name": name, "sector": "agriculture",
                "area_id": area_id, "area_path": area_path, "status": "active",
                "established_on": founded, "members": 7 + mix(i, 10) % 120, "version": 1,
                "tax_registered": mix(i, 11) % 4 != 0,
            }))
            .map_err(|e| e.to_string())?;
            storage::cooperatives::insert(&mut tx, &coop, None)
                .await
                .map_err(err)?;
            tx.log_change(
                "cooperative",
                &coop.id,
                &coop.area_path,
                &serde_json::to_string(&Change::Cooperative(coop.clone()))
                    .map_err(|e| e.to_string())?,
            );
            let (author_id, author_name) = &officer_of_commune[c];
            for (k, period) in PERIODS.iter().enumerate() {
                let n = i * PERIODS.len() + k;
                let (year, half) = period.split_once("-H").unwrap_or(("2021", "2"));
                let month = if half == "1" {
                    1 + mix(n, 12) % 6
                } else {
                    7 + mix(n, 12) % 6
                };
                let visit_date = format!("{year}-{month:02}-{:02}", 1 + mix(n, 13) % 28);
                let last = k == PERIODS.len() - 1;
                let roll = mix(n, 14) % 100;
                let status = match (last, roll) {
                    (true, 0..=39) => ReportStatus::Submitted,
                    (true, 40..=44) => ReportStatus::Returned,
                    (_, 0..=1) => ReportStatus::Rejected,
                    _ => ReportStatus::Approved,
                };
                let revenue = 200_000_000 + (mix(n, 15) % 5_000) as i64 * 1_000_000;
                let report: VisitReport = serde_json::from_value(serde_json::json!({
                    "id": format!("qv-{n:07}"), "cooperative_id": coop.id, "author_id": author_id,
                    "author_name": author_name, "visit_date": visit_date,
                    "note": format!("Khảo sát định kỳ {period}: {}", if roll % 3 == 0 { "cần hỗ trợ tìm thị trường." } else { "sản xuất ổn định." }),
                    "status": status, "revision": 1, "created_at": 1, "area_path": area_path,
                    "received_at": millis_of(&visit_date) + 86_400_000 * (1 + (roll % 3) as i64),
                    "findings": {
                        "operating_status": if roll % 17 == 0 { "standstill" } else { "active" },
                        "finances": {"revenue_vnd": revenue, "revenue_last_year_vnd": revenue * 9 / 10,
                                     "member_income_vnd": 4_000_000 + (roll as i64) * 20_000,
                                     "member_income_last_year_vnd": 3_800_000 + (roll as i64) * 20_000},
                        "value_chain": {"in_value_chain": roll % 3 == 0},
                        "difficulties": [DIFFICULTIES[(roll % 6) as usize]],
                        "support": {"received": [SUPPORT[(roll % 4) as usize]], "works_handed_over": roll % 7 / 5},
                        "compliance": {"tax_registered": roll % 4 != 0}
                    }
                }))
                .map_err(|e| e.to_string())?;
                reports.push(report);
            }
        }
        storage::visits::insert_many(&mut tx, &reports, "national")
            .await
            .map_err(err)?;
        for r in &reports {
            tx.log_change(
                "visit",
                &r.id,
                &r.area_path,
                &serde_json::to_string(&Change::Visit(r.clone())).map_err(|e| e.to_string())?,
            );
        }
        tx.commit().await.map_err(err)?;
        written += reports.len();
        progress("reports", written, size.reports);
    }
    db.refresh_statistics(&[
        "areas",
        "cooperatives",
        "visit_reports",
        "sync_log",
        "users",
        "assignments",
    ])
    .await
    .map_err(err)?;
    tracing::info!(
        ms = storage::now_ms() - started,
        "national dataset generated"
    );
    Ok(size)
}
