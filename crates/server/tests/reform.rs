//! The 2025 reform as published, applied to a real province: an alliance of today's Ninh
//! Bình starts with `admin create --province 37` (today's 129 communes and wards), loads
//! the 398 communes of the former Hà Nam, Nam Định and Ninh Bình (`POST
//! /api/areas/official`), imports its registry of those communes with approved reports of
//! 2024, and applies the official correspondence (`GET
//! /api/reorganisations/official-2025`, then `POST /api/reorganisations`): every
//! cooperative lands in its official new unit, a divided commune's cooperatives where
//! they were placed, reports follow, last year's figures are counted where each
//! cooperative now is, officers' areas follow, and every tablet ends with exactly its
//! records.

mod common;

use common::{Backend, Tablet, TestServer};
use hoptac_core::model::Cooperative;
use hoptac_core::reorg::Reorganisation;
use hoptac_core::sync::{Mutation, MutationOp};
use hoptac_server::units;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};

/// Gia Tân (Gia Viễn) was divided: mostly into Xã Gia Vân (14488, its main successor),
/// partly into Phường Tây Hoa Lư (14533).
const GIA_TAN: &str = "14503";
const GIA_VAN: &str = "14488";
const TAY_HOA_LU: &str = "14533";

on_both!(the_official_reform_of_ninh_binh);
async fn the_official_reform_of_ninh_binh(backend: Backend) {
    let Some(s) = common::start_province(backend, "37").await else {
        return;
    };
    let admin = s.login("quantri.tinh", "mat-khau-quan-tri").await;

    // The former units of the three provinces, loaded from the bundled list.
    let (st, dry) = s
        .load_official_units(&admin, json!({"province": "37", "list": "before-2025"}))
        .await;
    assert_eq!(st, 200, "{dry}");
    assert_eq!(dry["applied"], false);
    let (st, loaded) = s
        .load_official_units(
            &admin,
            json!({"province": "37", "list": "before-2025", "apply": true}),
        )
        .await;
    assert_eq!(st, 200, "{loaded}");
    let made = loaded["created"].as_array().unwrap();
    assert_eq!(made.iter().filter(|a| a["level"] == "commune").count(), 398);
    let (_, again) = s
        .load_official_units(&admin, json!({"province": "37", "list": "before-2025"}))
        .await;
    assert_eq!(again["created"].as_array().unwrap().len(), 0, "loaded once");

    // The former communes: code → (id, name, district name).
    let areas = s.areas(&admin, false).await;
    let by_id: BTreeMap<&str, &hoptac_core::model::Area> =
        areas.iter().map(|a| (a.id.as_str(), a)).collect();
    let former: Vec<&hoptac_core::model::Area> = areas
        .iter()
        .filter(|a| {
            a.level == hoptac_core::model::AreaLevel::Commune && a.path.matches('/').count() == 3
        })
        .collect();
    assert_eq!(former.len(), 398);
    let old_id = |code: &str| {
        former
            .iter()
            .find(|a| a.code.as_deref() == Some(code))
            .unwrap()
            .id
            .clone()
    };
    let new_id = |code: &str| {
        areas
            .iter()
            .find(|a| a.code.as_deref() == Some(code) && a.path.matches('/').count() == 2)
            .unwrap()
            .id
            .clone()
    };

    // The office's registry of 2024: a cooperative in every former commune (named with
    // its district, as old lists are), and three more in Gia Tân.
    let mut csv =
        String::from("Tên HTX,Loại hình,Lĩnh vực,Xã/Phường,Huyện/Thành phố,Mã số thuế\r\n");
    for (i, a) in former.iter().enumerate() {
        let district = &by_id[a.parent_id.as_deref().unwrap()].name;
        csv.push_str(&format!(
            "HTX {} số {i},HTX,Nông nghiệp,{},{district},{}\r\n",
            a.name,
            a.name,
            3_700_000_000u64 + i as u64
        ));
    }
    let gia_tan = by_id[old_id(GIA_TAN).as_str()];
    let gia_vien = by_id[gia_tan.parent_id.as_deref().unwrap()].name.clone();
    for (i, n) in [
        "HTX Gia Tân có GPS",
        "HTX Gia Tân được chọn",
        "HTX Gia Tân mặc định",
    ]
    .iter()
    .enumerate()
    {
        csv.push_str(&format!(
            "{n},HTX,Nông nghiệp,Xã Gia Tân,{gia_vien},{}\r\n",
            3_799_000_000u64 + i as u64
        ));
    }
    let (st, r) = s
        .import_registry(
            &admin,
            csv.into_bytes(),
            "dang-ky-2024.csv",
            &[("apply", "true")],
        )
        .await;
    assert_eq!(
        (st, r["created"].as_u64()),
        (200, Some(401)),
        "{}",
        r["notes_csv"]
    );

    // Officers: one on Gia Tân, one on the whole former district of Gia Viễn; a supervisor
    // of the province.
    let giatan = s
        .account(&admin, "canbo.giatan", "officer", &[&old_id(GIA_TAN)])
        .await;
    let giavien = s
        .account(
            &admin,
            "canbo.giavien",
            "officer",
            &[gia_tan.parent_id.as_deref().unwrap()],
        )
        .await;
    let sup = s
        .account(&admin, "giamsat.tinh", "supervisor", &["37"])
        .await;
    let with_gps = s.cooperative_named("HTX Gia Tân có GPS").await.unwrap();
    let chosen = s.cooperative_named("HTX Gia Tân được chọn").await.unwrap();
    let default = s.cooperative_named("HTX Gia Tân mặc định").await.unwrap();

    // Approved reports of 2024-H2 on the three: the first records a GPS position at
    // Tây Hoa Lư's centre.
    let (lat, lon) = units::centre_today(TAY_HOA_LU).unwrap();
    let mut mutations = Vec::new();
    for (i, c) in [&with_gps, &chosen, &default].iter().enumerate() {
        let mut v = common::visit(&format!("v-giatan-{i}"), &c.id, "Khảo sát 2024");
        v.visit_date = "2024-10-15".into();
        if i == 0 {
            v.findings.position = Some(hoptac_core::report::Position {
                lat,
                lon,
                accuracy_m: Some(12.0),
            });
        }
        mutations.push(Mutation {
            id: i as u64 + 1,
            created_at: 1,
            op: MutationOp::SubmitVisit(v),
        });
    }
    let (st, b) = s.push(&giatan, "tab-giatan", &mutations).await;
    assert_eq!(st, 200, "{b}");
    for i in 0..3 {
        let (st, b) = s
            .decide_with(&sup, &format!("v-giatan-{i}"), json!({"action": "approve"}))
            .await;
        assert_eq!(st, 200, "{b}");
    }

    // The tablets before the reform.
    let mut tab_giatan = Tablet::default();
    tab_giatan.sync(&s, &giatan, "tab-giatan").await;
    assert_eq!(tab_giatan.coops.len(), 4, "Gia Tân's own and the three");
    let mut tab_giavien = Tablet::default();
    tab_giavien.sync(&s, &giavien, "tab-giavien").await;

    // The office's export before the reform, to import again after it.
    let before_reform = s.export_registry(&admin).await;

    // The reform as published, for today's Ninh Bình.
    let (st, reform) = s.official_reorganisation(&admin, "37").await;
    assert_eq!(st, 200, "{reform}");
    let mut reform: Reorganisation = serde_json::from_value(reform).unwrap();
    assert_eq!(reform.effective_on, "2025-07-01");
    assert!(
        reform.new_areas.is_empty(),
        "today's units are in the tree already"
    );
    assert_eq!(
        reform.splits.len(),
        6,
        "six communes of today's Ninh Bình were divided"
    );
    let split = reform
        .splits
        .iter()
        .find(|sp| sp.from == old_id(GIA_TAN))
        .unwrap();
    assert_eq!(split.main, new_id(GIA_VAN));
    assert!(split.into.contains(&new_id(TAY_HOA_LU)));
    // An officer of the province's neighbour is not asked: outside the administrator's
    // areas, and an officer may not see it.
    let (st, _) = s.official_reorganisation(&giatan, "37").await;
    assert_eq!(st, 403);

    // The preview places the GPS one in Tây Hoa Lư, the others in Gia Vân.
    let (st, preview) = s
        .reorganise(&admin, serde_json::to_value(&reform).unwrap(), false)
        .await;
    assert_eq!(st, 200, "{preview}");
    assert_eq!(preview["blocked"], json!([]), "{}", preview["blocked"]);
    assert_eq!(preview["cooperatives_total"], 401);
    let placed = |p: &Value, id: &str| {
        p["placements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["cooperative_id"] == id)
            .map(|x| {
                (
                    x["chosen"].as_str().unwrap().to_string(),
                    x["rule"]["vi"].as_str().unwrap().to_string(),
                )
            })
            .unwrap()
    };
    let (to, why) = placed(&preview, &with_gps.id);
    assert_eq!(to, new_id(TAY_HOA_LU));
    assert!(why.contains("GPS"), "{why}");
    assert_eq!(placed(&preview, &default.id).0, new_id(GIA_VAN));
    // Nothing changed by the preview.
    assert_eq!(
        s.cooperative_named("HTX Gia Tân có GPS")
            .await
            .unwrap()
            .area_id,
        old_id(GIA_TAN)
    );

    // A placement naming no unit of the split, or no cooperative of a divided commune, is
    // said, and nothing is applied.
    let mut wrong = reform.clone();
    wrong
        .placements
        .insert(chosen.id.clone(), "khong-co".into());
    wrong.placements.insert(
        coop_of_whole(&s, &old_id("14329")).await,
        new_id(TAY_HOA_LU),
    );
    let (st, refused) = s
        .reorganise(&admin, serde_json::to_value(&wrong).unwrap(), true)
        .await;
    assert_eq!((st, refused["applied"].as_bool()), (200, Some(false)));
    assert_eq!(
        refused["blocked"].as_array().unwrap().len(),
        2,
        "{}",
        refused["blocked"]
    );
    assert_eq!(
        s.cooperative_named("HTX Gia Tân được chọn")
            .await
            .unwrap()
            .area_id,
        old_id(GIA_TAN),
        "nothing applied"
    );

    // The administrator places one by hand, then applies.
    reform
        .placements
        .insert(chosen.id.clone(), new_id(TAY_HOA_LU));
    let (st, done) = s
        .reorganise(&admin, serde_json::to_value(&reform).unwrap(), true)
        .await;
    assert_eq!((st, done["applied"].as_bool()), (200, Some(true)), "{done}");
    assert!(placed(&done, &chosen.id).1.contains("Do bạn chọn"));

    // Every cooperative in its official new unit (the main successor for whole communes).
    let main_of: BTreeMap<String, String> = units::reform_2025()
        .iter()
        .filter(|r| r.main)
        .map(|r| (r.old_code.clone(), r.new_code.clone()))
        .collect();
    let coops: Vec<Cooperative> = sqlx::query_scalar::<_, String>("SELECT body FROM cooperatives")
        .fetch_all(&s.pool)
        .await
        .unwrap()
        .into_iter()
        .map(|b| serde_json::from_str(&b).unwrap())
        .collect();
    assert_eq!(coops.len(), 401);
    for c in &coops {
        let here = by_id.get(c.area_id.as_str()).copied();
        assert!(
            here.is_some_and(|a| a.path.matches('/').count() == 2),
            "{} in {}",
            c.name,
            c.area_id
        );
        assert_eq!(c.area_path, format!("37/{}/", c.area_id));
    }
    for (i, a) in former.iter().enumerate() {
        let name = format!("HTX {} số {i}", a.name);
        let c = coops.iter().find(|c| c.name == name).unwrap();
        let code = a.code.clone().unwrap();
        let expected = new_id(&main_of[&code]);
        assert_eq!(c.area_id, expected, "{} (former {code})", c.name);
    }
    let here = |c: &Cooperative| coops.iter().find(|x| x.id == c.id).unwrap().area_id.clone();
    assert_eq!(
        here(&with_gps),
        new_id(TAY_HOA_LU),
        "nearest to its visit's GPS"
    );
    assert_eq!(
        here(&chosen),
        new_id(TAY_HOA_LU),
        "placed by the administrator"
    );
    assert_eq!(here(&default), new_id(GIA_VAN), "the main successor");

    // Reports followed their cooperatives, keeping where they were written.
    let v: String = sqlx::query_scalar("SELECT body FROM visit_reports WHERE id = 'v-giatan-0'")
        .fetch_one(&s.pool)
        .await
        .unwrap();
    let v: hoptac_core::model::VisitReport = serde_json::from_str(&v).unwrap();
    assert_eq!(v.area_path, format!("37/{}/", new_id(TAY_HOA_LU)));
    assert_eq!(v.written_area_path.as_deref(), Some(gia_tan.path.as_str()));

    // Last year's figures are counted where each cooperative is now: the review of
    // 2025-H2 for Tây Hoa Lư compares with two of Gia Tân's reports of 2024-H2, Gia Vân's
    // with the third, the province's with all three, nothing twice.
    let review = |period: &'static str, area: String| {
        let s = &s;
        let sup = sup.clone();
        async move {
            let (st, r) = s
                .try_review(&sup, &format!("period={period}&area={area}"))
                .await;
            assert_eq!(st, 200, "{r}");
            r
        }
    };
    let last_year = |r: Value| r["last_year"]["report_count"].as_i64().unwrap();
    assert_eq!(last_year(review("2025-H2", new_id(TAY_HOA_LU)).await), 2);
    assert_eq!(last_year(review("2025-H2", new_id(GIA_VAN)).await), 1);
    assert_eq!(last_year(review("2025-H2", "37".into()).await), 3);
    // The former commune's review of its own time still shows its three.
    let own = review("2024-H2", old_id(GIA_TAN)).await;
    assert_eq!(own["review"]["report_count"].as_i64(), Some(3), "{own}");

    // Officers' areas followed: Gia Tân's officer covers Gia Vân (its main successor);
    // Gia Viễn's the units its communes became.
    let scopes = |token: String| {
        let s = &s;
        async move {
            let (_, me) = s.me(&token).await;
            let mut v: Vec<String> = serde_json::from_value(me["scopes"].clone()).unwrap();
            v.sort();
            v
        }
    };
    assert_eq!(
        scopes(giatan.clone()).await,
        [format!("37/{}/", new_id(GIA_VAN))]
    );
    let giavien_after = scopes(giavien.clone()).await;
    let expected_giavien: BTreeSet<String> = former
        .iter()
        .filter(|a| a.parent_id == gia_tan.parent_id)
        .map(|a| format!("37/{}/", new_id(&main_of[a.code.as_deref().unwrap()])))
        .collect();
    assert_eq!(
        giavien_after.iter().cloned().collect::<BTreeSet<_>>(),
        expected_giavien
    );

    // Every tablet ends with exactly the cooperatives of its areas now: none stale, none
    // twice (the one placed away left Gia Tân's officer's tablet with its report).
    for (tab, token, client) in [
        (&mut tab_giatan, &giatan, "tab-giatan"),
        (&mut tab_giavien, &giavien, "tab-giavien"),
    ] {
        tab.sync(&s, token, client).await;
        let mine = scopes(token.clone()).await;
        let expected: BTreeSet<String> = coops
            .iter()
            .filter(|c| mine.iter().any(|p| c.area_path.starts_with(p)))
            .map(|c| c.id.clone())
            .collect();
        let held: BTreeSet<String> = tab.coops.keys().cloned().collect();
        assert_eq!(held, expected, "{client}");
        for c in tab.coops.values() {
            assert!(
                mine.iter().any(|p| c.area_path.starts_with(p)),
                "{client}: stale {}",
                c.name
            );
        }
    }
    assert!(!tab_giatan.coops.contains_key(&with_gps.id));
    assert!(
        !tab_giatan.visits.contains_key("v-giatan-0"),
        "its report left too"
    );
    assert!(tab_giatan.coops.contains_key(&default.id));

    // The export taken before the reform, imported again: its rows name former communes,
    // which say nothing new about where each cooperative is: nothing moves back.
    let (st, again) = s
        .import_registry(&admin, before_reform, "truoc-sap-xep.xlsx", &[])
        .await;
    assert_eq!(st, 200, "{again}");
    assert_eq!(
        again["moves"].as_array().map(Vec::len),
        Some(0),
        "{}",
        again["moves"]
    );
    assert_eq!(again["updated"].as_u64(), Some(0), "{}", again["notes_csv"]);

    // A code now names today's unit: a row with code 14329 lands in Phường Hoa Lư.
    let row = "Tên HTX,Mã xã\r\nHTX Theo mã,14329\r\n";
    let (st, r) = s
        .import_registry(
            &admin,
            row.as_bytes().to_vec(),
            "ma.csv",
            &[("apply", "true")],
        )
        .await;
    assert_eq!((st, r["created"].as_u64()), (200, Some(1)), "{r}");
    assert_eq!(
        s.cooperative_named("HTX Theo mã").await.unwrap().area_id,
        new_id("14329")
    );
    // The reform cannot be applied twice: its old units are closed; posting the applied
    // one again says so once.
    let (st, twice) = s
        .reorganise(&admin, serde_json::to_value(&reform).unwrap(), false)
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        twice["fields"].as_array().unwrap().len(),
        1,
        "{}",
        twice["fields"]
    );
    assert!(twice["fields"][0]["message"]["vi"]
        .as_str()
        .unwrap()
        .contains("đã được áp dụng"));
    let (st, again) = s.official_reorganisation(&admin, "37").await;
    assert_eq!(st, 422, "{}", again["fields"]);
}

/// `POST /api/reorganisations/from-table` with a resolution's table (CSV bytes).
async fn from_table(
    s: &TestServer,
    token: &str,
    table: Vec<u8>,
    effective_on: &str,
    decision: &str,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(table).file_name("nghi-quyet.csv"),
        )
        .text("effective_on", effective_on.to_string())
        .text("decision", decision.to_string());
    s.http
        .post(format!("{}/api/reorganisations/from-table", s.url))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// A cooperative of the former commune `area` (not one of Gia Tân's).
async fn coop_of_whole(s: &TestServer, area: &str) -> String {
    sqlx::query_scalar("SELECT id FROM cooperatives WHERE area_id = $1 LIMIT 1")
        .bind(area)
        .fetch_one(&s.pool)
        .await
        .unwrap()
}

on_both!(a_resolution_table_and_a_unit_added_with_a_taken_code);
async fn a_resolution_table_and_a_unit_added_with_a_taken_code(backend: Backend) {
    let Some(s) = common::start_province(backend, "37").await else {
        return;
    };
    let admin = s.login("quantri.tinh", "mat-khau-quan-tri").await;
    // Two wards of today merged by a later resolution, given as its table.
    let table = "Mã ĐVHC cũ,Tên ĐVHC cũ,Mã ĐVHC mới,Tên ĐVHC mới\r\n13285,Phường Phủ Lý,13285,Phường Phủ Lý Mới\r\n13291,Phường Phù Vân,13285,Phường Phủ Lý Mới\r\n";
    let resp = from_table(
        &s,
        &admin,
        table.as_bytes().to_vec(),
        "2027-01-01",
        "Nghị quyết thử",
    )
    .await;
    assert_eq!(resp.status().as_u16(), 200);
    let r: Reorganisation = resp.json().await.unwrap();
    // The new ward carries the code of the one it absorbed: an id of its own.
    assert_eq!(r.new_areas.len(), 1);
    assert_eq!(r.new_areas[0].id, "13285-2027");
    assert_eq!(r.new_areas[0].code.as_deref(), Some("13285"));
    assert_eq!(r.merges[0].from.len(), 2);
    let (st, p) = s
        .reorganise(&admin, serde_json::to_value(&r).unwrap(), true)
        .await;
    assert_eq!(st, 200, "{p}");
    // A table without the columns: refused naming them.
    let resp = from_table(
        &s,
        &admin,
        b"Ten,Ma\r\nA,1\r\n".to_vec(),
        "2027-01-01",
        "NQ",
    )
    .await;
    assert_eq!(resp.status().as_u16(), 422);
    let b: Value = resp.json().await.unwrap();
    assert!(
        b["fields"][0]["message"]["vi"]
            .as_str()
            .unwrap()
            .contains("Mã cũ"),
        "{b}"
    );

    // Rows the tree does not hold, or whose name is not the unit's, are named, not
    // dropped.
    let bad = "Mã cũ,Tên cũ,Mã mới,Tên mới\r\n13318,Phường Châu Sơn,13318,Phường Châu Sơn Mới\r\n99999,Xã Không Có,13318,Phường Châu Sơn Mới\r\n13324,Phường Sai Tên,13318,Phường Châu Sơn Mới\r\n";
    let resp = from_table(&s, &admin, bad.as_bytes().to_vec(), "2027-06-01", "NQ").await;
    assert_eq!(resp.status().as_u16(), 422);
    let b: Value = resp.json().await.unwrap();
    let said: Vec<&str> = b["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["message"]["vi"].as_str().unwrap())
        .collect();
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(
        said[0].starts_with("Dòng 3:") && said[1].starts_with("Dòng 4:"),
        "{said:?}"
    );

    // A unit may not take a code an open unit carries, a name its parent has, or a level
    // not below its parent's.
    for (body, field) in [
        (
            json!({"name": "Phường Trùng Mã", "level": "commune", "parent_id": "37", "code": "13318"}),
            "code",
        ),
        (
            json!({"name": "Phường Châu Sơn", "level": "commune", "parent_id": "37"}),
            "name",
        ),
        (
            json!({"name": "Tỉnh Trong Tỉnh", "level": "province", "parent_id": "37"}),
            "level",
        ),
    ] {
        let (st, b) = s.add_area(&admin, body).await;
        assert_eq!(
            (st, b["fields"][0]["field"].as_str()),
            (422, Some(field)),
            "{b}"
        );
    }

    // An administrator adds a unit with an official code that a closed unit had: the
    // server gives it an id of its own.
    let (st, a) = s
        .add_area(
            &admin,
            json!({"name": "Phường Mới", "level": "commune", "parent_id": "37", "code": "13291"}),
        )
        .await;
    assert_eq!(st, 201, "{a}");
    assert_eq!(
        (a["id"].as_str(), a["code"].as_str()),
        (Some("13291-moi"), Some("13291"))
    );
}
