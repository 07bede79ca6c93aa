//! The demo a newcomer sees (`--demo`, `make run`): today's Ninh Bình with its official
//! units, and five years of its history as an alliance that used hoptac since 2021 would
//! have them.
//!
//! 1. Today's province 37 and its 129 communes and wards (the bundled list, as
//!    `admin create --province 37` loads it), then the units before 1 July 2025 of the
//!    three former provinces that make it (Hà Nam, Nam Định, Ninh Bình: districts and
//!    communes, as "Nạp đơn vị trước 1/7/2025" loads them).
//! 2. The seed's 50 cooperatives and groups (the Ninh Bình alliance's 2021 report,
//!    `../shared/seed/`) in the former communes of the time, by name; three communes of
//!    the seed were merged before 2025 and their cooperatives are put in the unit that
//!    took them in ([`MERGED_BEFORE_2025`]). Its officers cover the former districts.
//! 3. Cooperatives and groups founded in each half-year after the seed's ([`FOUNDED`]),
//!    and the province's targets for every half-year ([`TARGETS`]), so each review shows
//!    newly founded HTX and THT against plan.
//! 4. Approved reports of 2021-H1, 2021-H2 and 2024-H2, then the 1 July 2025 reform
//!    applied from the bundled correspondence (the same path as "Áp dụng sắp xếp ĐVHC
//!    1/7/2025"), then reports of 2025-H2 and 2026-H1 in the new communes and wards.
//!
//! Times are real: a visit at a working hour of its day in Vietnam's time, received when
//! the tablet next synced (the same evening or a few days later), approved a few days
//! after that.

use super::{data, insert_user, DemoUser};
use crate::error::ApiError;
use crate::rules::accounts::hash_password;
use crate::storage::{self, Db};
use crate::units::REFORM_DATE;
use hoptac_core::keyed::Keyed;
use hoptac_core::model::{
    Area, AreaLevel, CoopKind, Cooperative, OperatingStatus, Sector, UserInfo,
};
use hoptac_core::registry::area_name_key;
use hoptac_core::six_month::{Targets, TargetsRequest};
use hoptac_core::sync::Change;
use hoptac_core::validate::millis_of_date_vn;

/// Today's province of the demo (Ninh Bình since 1 July 2025).
pub const PROVINCE: &str = "37";

/// The seed's districts (2021) and the district of the units before 2025 that holds their
/// communes (Thành phố Ninh Bình and Huyện Hoa Lư became Thành phố Hoa Lư in 2025).
const DISTRICTS: [(&str, &str); 8] = [
    ("NB-TPNB", "374"),
    ("NB-HL", "374"),
    ("NB-TD", "370"),
    ("NB-NQ", "372"),
    ("NB-GV", "373"),
    ("NB-YK", "375"),
    ("NB-KS", "376"),
    ("NB-YM", "377"),
];

/// The seed's communes that were no longer units on 30 June 2025, and the unit of the
/// list before the reform the demo puts their cooperatives in (Thị trấn Me became part of
/// Thị trấn Thịnh Vượng; the other two, a neighbouring commune of the same district).
const MERGED_BEFORE_2025: [(&str, &str); 3] = [
    ("NB-GV-TTME", "14464"),
    ("NB-HL-NINHXUAN", "14542"),
    ("NB-YM-MAISON", "14704"),
];

/// Cooperatives and groups founded after the seed: (founded on, kind, name, sector, the
/// official code of the commune or ward they were founded in: a unit of the time).
const FOUNDED: [(&str, &str, &str, &str, &str); 16] = [
    (
        "2021-08-11",
        "htx",
        "HTX Dịch vụ nông nghiệp Khánh An",
        "agriculture",
        "14575",
    ),
    (
        "2021-09-23",
        "tht",
        "THT Trồng sen Gia Sinh",
        "agriculture",
        "14521",
    ),
    (
        "2021-10-19",
        "tht",
        "THT Nuôi ong Yên Từ",
        "agriculture",
        "14728",
    ),
    (
        "2024-08-15",
        "htx",
        "HTX Du lịch cộng đồng Ninh Vân",
        "trade_services",
        "14554",
    ),
    (
        "2024-09-20",
        "htx",
        "HTX Nông nghiệp hữu cơ Gia Vân",
        "agriculture",
        "14479",
    ),
    (
        "2024-10-05",
        "tht",
        "THT Nuôi trồng thủy sản Lai Thành",
        "agriculture",
        "14674",
    ),
    (
        "2024-11-12",
        "tht",
        "THT Trồng rau an toàn Khánh Hòa",
        "agriculture",
        "14569",
    ),
    (
        "2024-12-02",
        "htx",
        "HTX Chế biến dược liệu Yên Sơn",
        "industry_handicraft",
        "14371",
    ),
    (
        "2025-08-18",
        "htx",
        "HTX Nông nghiệp công nghệ cao Tây Hoa Lư",
        "agriculture",
        "14533",
    ),
    (
        "2025-09-09",
        "htx",
        "HTX Cói mỹ nghệ Phát Diệm",
        "industry_handicraft",
        "14620",
    ),
    (
        "2025-10-21",
        "tht",
        "THT Chăn nuôi bò sinh sản Gia Viễn",
        "agriculture",
        "14464",
    ),
    (
        "2025-11-14",
        "tht",
        "THT Lúa chất lượng cao Yên Khánh",
        "agriculture",
        "14560",
    ),
    (
        "2026-02-24",
        "htx",
        "HTX Dịch vụ vận tải Nam Hoa Lư",
        "transport",
        "14359",
    ),
    (
        "2026-03-17",
        "htx",
        "HTX Nông sản sạch Yên Mô",
        "agriculture",
        "14701",
    ),
    (
        "2026-04-08",
        "tht",
        "THT Du lịch sinh thái Cúc Phương",
        "trade_services",
        "14404",
    ),
    (
        "2026-05-06",
        "htx",
        "HTX Thủy sản Kim Đông",
        "agriculture",
        "14698",
    ),
];

/// The province's targets for each half-year of the demo: (period, new HTX, new THT,
/// works handed over).
const TARGETS: [(&str, u32, u32, u32); 5] = [
    ("2021-H1", 6, 10, 10),
    ("2021-H2", 2, 3, 10),
    ("2024-H2", 4, 3, 12),
    ("2025-H2", 3, 2, 12),
    ("2026-H1", 4, 2, 14),
];

/// The half-years with reports, as the month visits were made in and a number that makes
/// figures grow from one to the next.
const BEFORE_REFORM: [(&str, u32); 3] = [("2021-03", 0), ("2021-09", 1), ("2024-10", 2)];
const AFTER_REFORM: [(&str, u32); 2] = [("2025-09", 3), ("2026-04", 4)];

/// What [`load`] made.
#[derive(Debug, Clone, PartialEq)]
pub struct Loaded {
    /// Approved reports written.
    pub reports: usize,
    /// Cooperatives the reform moved.
    pub moved: usize,
}

/// Loads the demo into an empty database (no users yet); None when it has users.
pub async fn load(db: &Db) -> Result<Option<Loaded>, ApiError> {
    if storage::users::count(db).await? > 0 {
        return Ok(None);
    }
    let seed = data();
    let mut hashes = Vec::new();
    for u in &seed.users {
        hashes.push(hash_password(&u.password).await);
    }
    // Today's province and the administrator who covers it.
    let today = crate::units::areas_today(&[PROVINCE.to_string()], &Default::default())
        .map_err(ApiError::Internal)?;
    let province_id = today[0].id.clone();
    let admin_user = seed
        .users
        .iter()
        .position(|u| u.role == "admin")
        .expect("a demo administrator");
    {
        let mut tx = db.begin_write().await?;
        for a in &today {
            storage::areas::insert(&mut tx, a).await?;
            tx.log_change(
                "area",
                &a.id,
                &a.path,
                &serde_json::to_string(&Change::Area(a.clone()))?,
            );
        }
        insert_user(
            &mut tx,
            &seed.users[admin_user],
            &hashes[admin_user],
            &[province_id.clone()],
        )
        .await?;
        tx.commit().await?;
    }
    let admin = user(db, &seed.users[admin_user]).await?;
    crate::rules::areas::load_official(db, &admin, &province_id, "before-2025", true).await?;

    // The seed's cooperatives in the former communes, its officers in the former districts.
    let tree = storage::areas::all(db).await?;
    let former = |code: &str| {
        tree.iter().find(|a| {
            a.level == AreaLevel::Commune
                && a.code.as_deref() == Some(code)
                && a.opened_on.as_deref() != Some(REFORM_DATE)
        })
    };
    let district = |seed_id: &str| -> Option<&Area> {
        let code = DISTRICTS.iter().find(|(s, _)| *s == seed_id)?.1;
        tree.iter()
            .find(|a| a.level == AreaLevel::District && a.code.as_deref() == Some(code))
    };
    let units_then: Vec<&crate::units::Unit> = crate::units::before_2025()
        .iter()
        .filter(|u| u.province_code == PROVINCE)
        .collect();
    let commune_of = |seed_area: &str| -> Result<&Area, ApiError> {
        let missing = || ApiError::Internal(format!("the demo has no unit for {seed_area}"));
        if let Some((_, code)) = MERGED_BEFORE_2025.iter().find(|(s, _)| *s == seed_area) {
            return former(code).ok_or_else(missing);
        }
        let a = seed
            .areas
            .iter()
            .find(|a| a.id == seed_area)
            .ok_or_else(missing)?;
        let parent = a.parent_id.as_deref().unwrap_or_default();
        let code = &DISTRICTS
            .iter()
            .find(|(s, _)| *s == parent)
            .ok_or_else(missing)?
            .1;
        let u = units_then
            .iter()
            .find(|u| {
                u.district.as_ref().is_some_and(|(d, _)| d == code)
                    && area_name_key(&u.name) == area_name_key(&a.name)
            })
            .ok_or_else(missing)?;
        former(&u.code).ok_or_else(missing)
    };
    let mut coops = Vec::new();
    for c in &seed.cooperatives {
        let a = commune_of(&c.area_id)?;
        coops.push(Cooperative {
            area_id: a.id.clone(),
            area_path: a.path.clone(),
            ..c.clone()
        });
    }
    for (i, (on, kind, name, sector, code)) in FOUNDED.iter().enumerate() {
        let a = if *on < REFORM_DATE {
            former(code)
        } else {
            tree.iter().find(|a| {
                a.code.as_deref() == Some(code) && a.opened_on.as_deref() == Some(REFORM_DATE)
            })
        }
        .ok_or_else(|| ApiError::Internal(format!("no unit {code} for {name}")))?;
        coops.push(founded(i, on, kind, name, sector, a));
    }
    {
        let mut tx = db.begin_write().await?;
        for c in &coops {
            storage::cooperatives::insert(&mut tx, c, None).await?;
            tx.log_change(
                "cooperative",
                &c.id,
                &c.area_path,
                &serde_json::to_string(&Change::Cooperative(c.clone()))?,
            );
        }
        for (i, u) in seed.users.iter().enumerate() {
            if i == admin_user {
                continue;
            }
            let mut areas: Vec<String> = Vec::new();
            for a in &u.areas {
                let id = if a == "NB" {
                    province_id.clone()
                } else {
                    district(a)
                        .ok_or_else(|| ApiError::Internal(format!("no district for {a}")))?
                        .id
                        .clone()
                };
                if !areas.contains(&id) {
                    areas.push(id);
                }
            }
            insert_user(&mut tx, u, &hashes[i], &areas).await?;
        }
        tx.commit().await?;
    }
    for (period, htx, tht, works) in TARGETS {
        let req = TargetsRequest {
            period: period.into(),
            area_id: province_id.clone(),
            targets: Targets {
                new_htx: Some(htx),
                new_tht: Some(tht),
                works_handed_over: Some(works),
            },
        };
        crate::rules::six_month::set_targets(db, &admin, &req).await?;
    }

    let mut reports = insert_visits(db, &seed.users, &BEFORE_REFORM).await?;
    let reform = crate::rules::reorg::official_2025(db, &admin, &province_id).await?;
    let done = crate::rules::reorg::reorganise(db, &admin, &reform, true).await?;
    if !done.applied {
        return Err(ApiError::Internal(format!(
            "the 2025 reform did not apply to the demo: {:?}",
            done.blocked
        )));
    }
    reports += insert_visits(db, &seed.users, &AFTER_REFORM).await?;
    Ok(Some(Loaded {
        reports,
        moved: done.cooperatives.len(),
    }))
}

async fn user(db: &Db, u: &DemoUser) -> Result<UserInfo, ApiError> {
    storage::users::load(db, &u.id).await?.ok_or_else(|| {
        ApiError::Internal(format!("the demo account {} was not stored", u.username))
    })
}

/// A cooperative or group of [`FOUNDED`], the `i`-th, in area `a`.
fn founded(i: usize, on: &str, kind: &str, name: &str, sector: &str, a: &Area) -> Cooperative {
    let n = i as u32;
    Cooperative {
        established_on: Some(on.into()),
        chair_name: Some(
            [
                "Nguyễn Văn Bình",
                "Trần Thị Hạnh",
                "Phạm Văn Đức",
                "Lê Thị Mai",
            ][i % 4]
                .into(),
        ),
        chair_phone: Some(format!("09{:08}", 12_345_678 + n * 1_111_111)),
        members: Some(if kind == "tht" {
            7 + n % 5
        } else {
            12 + n * 3 % 40
        }),
        workers: Some(2 + n % 6),
        charter_capital_vnd: (kind == "htx")
            .then_some(300_000_000 + i64::from(n % 4) * 100_000_000),
        version: 1,
        ..Cooperative::new(
            format!("coop-moi-{:03}", i + 1),
            CoopKind::from_key(kind).expect("a known kind"),
            name.into(),
            Sector::from_key(sector).expect("a known sector"),
            a.id.clone(),
            a.path.clone(),
        )
    }
}

/// Approved reports of `periods` for every cooperative an officer covers at the time and
/// that existed in that month: one per half-year, written by its officer, approved by the
/// supervisor.
async fn insert_visits(
    db: &Db,
    users: &[DemoUser],
    periods: &[(&str, u32)],
) -> Result<usize, ApiError> {
    let supervisor = users
        .iter()
        .find(|u| u.role == "supervisor")
        .expect("a demo supervisor");
    let mut officers = Vec::new();
    for u in users.iter().filter(|u| u.role == "officer") {
        officers.push((u, user(db, u).await?.scopes));
    }
    let tree = storage::areas::all(db).await?;
    let open: Vec<String> = tree
        .iter()
        .filter(|a| a.parent_id.is_none() && a.is_open())
        .map(|a| a.path.clone())
        .collect();
    let mut coops = storage::cooperatives::in_paths(db, &open).await?;
    coops.sort_by(|a, b| a.id.cmp(&b.id));
    let mut tx = db.begin_write().await?;
    let mut n = 0;
    for (i, c) in coops.iter().enumerate() {
        let Some((author, _)) = officers
            .iter()
            .find(|(_, scopes)| scopes.iter().any(|p| c.area_path.starts_with(p.as_str())))
        else {
            continue;
        };
        for p in periods {
            if c.established_on
                .as_deref()
                .is_some_and(|on| on > &format!("{}-31", p.0)[..])
            {
                continue;
            }
            let v = visit(c, i, *p, author, supervisor);
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

/// A visit report as an officer of the demo would write it: figures that vary from
/// cooperative to cooperative and grow from period to period, deterministic (the same
/// demo every time).
fn visit(
    c: &Cooperative,
    i: usize,
    (month, k): (&str, u32),
    author: &DemoUser,
    supervisor: &DemoUser,
) -> hoptac_core::model::VisitReport {
    use hoptac_core::model::{ReportStatus, VisitReport};
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
    // A working day of the month, between 8:00 and 16:00; the tablet synced that evening
    // or up to three days later; the supervisor approved two to five days after that, in
    // the morning.
    let day = 3 + (i % 25);
    let visit_date = format!("{month}-{day:02}");
    let written = millis_of_date_vn(&visit_date, 8 + (i % 8) as u32, (i * 7 % 60) as u32)
        .expect("the demo's visit dates are dates");
    let received = written + (i % 4) as i64 * 86_400_000 + 4 * 3_600_000;
    let approved = received + (2 + (i % 4) as i64) * 86_400_000 - 9 * 3_600_000;
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
        created_at: written,
        area_path: c.area_path.clone(),
        received_at: Some(received),
        events: vec![hoptac_core::decisions::ReviewEvent {
            action: hoptac_core::decisions::Action::Approve,
            by_id: supervisor.id.clone(),
            by_name: supervisor.display_name.clone(),
            at: approved,
            text: String::new(),
            revision: 1,
        }],
        author_left_area_at: None,
        written_area_path: None,
    }
}
