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

    the_former_units_load_once(&s, &admin).await;
    let u = the_398_former_communes(&s, &admin).await;
    the_2024_registry_is_imported(&s, &admin, &u).await;
    let p = two_officers_and_a_supervisor(&s, &admin, &u).await;
    let g = gia_tans_three(&s).await;
    approved_reports_of_2024_h2_on_gia_tans_three(&s, &p, &g).await;
    let (tab_giatan, tab_giavien) = the_tablets_before_the_reform(&s, &p).await;

    // The office's export before the reform, to import again after it.
    let before_reform = s.export_registry(&admin).await;

    let mut reform = the_published_reform_divides_gia_tan(&s, &admin, &p, &u).await;
    the_preview_places_by_gps_and_changes_nothing(&s, &admin, &reform, &g, &u).await;
    a_wrong_placement_is_said_and_nothing_applied(&s, &admin, &reform, &g, &u).await;
    applied_with_one_placed_by_hand(&s, &admin, &mut reform, &g, &u).await;
    let coops = every_cooperative_is_in_its_official_unit(&s, &g, &u).await;
    reports_follow_their_cooperatives(&s, &p, &u).await;
    last_years_figures_count_where_each_cooperative_is_now(&s, &p.sup, &u).await;
    officers_areas_follow_their_communes(&s, &p, &u).await;
    every_tablet_ends_with_exactly_its_areas_records(&s, &p, tab_giatan, tab_giavien, &coops, &g)
        .await;
    the_export_from_before_moves_nothing_back(&s, &admin, before_reform).await;
    a_code_names_todays_unit(&s, &admin, &u).await;
    the_reform_cannot_be_applied_twice(&s, &admin, &reform).await;
}

/// The area tree once the former units are loaded: the former communes (below a former
/// district) by code, today's units (right below the province) by code.
struct Units {
    areas: Vec<hoptac_core::model::Area>,
}

impl Units {
    fn get(&self, id: &str) -> Option<&hoptac_core::model::Area> {
        self.areas.iter().find(|a| a.id == id)
    }

    fn by_id(&self, id: &str) -> &hoptac_core::model::Area {
        self.get(id).unwrap()
    }

    /// The former communes, in the tree's order.
    fn former(&self) -> Vec<&hoptac_core::model::Area> {
        self.areas
            .iter()
            .filter(|a| {
                a.level == hoptac_core::model::AreaLevel::Commune
                    && a.path.matches('/').count() == 3
            })
            .collect()
    }

    /// The id of the former commune with official `code`.
    fn old_id(&self, code: &str) -> String {
        self.former()
            .iter()
            .find(|a| a.code.as_deref() == Some(code))
            .unwrap()
            .id
            .clone()
    }

    /// The id of today's unit with official `code`.
    fn new_id(&self, code: &str) -> String {
        self.areas
            .iter()
            .find(|a| a.code.as_deref() == Some(code) && a.path.matches('/').count() == 2)
            .unwrap()
            .id
            .clone()
    }

    /// The former commune of Gia Tân.
    fn gia_tan(&self) -> &hoptac_core::model::Area {
        self.by_id(&self.old_id(GIA_TAN))
    }
}

/// The tokens of the people of the scenario.
struct People {
    /// The officer of the former Gia Tân.
    giatan: String,
    /// The officer of the whole former district of Gia Viễn.
    giavien: String,
    /// The province's supervisor.
    sup: String,
}

/// The three cooperatives of Gia Tân the divided commune's placements are about.
struct GiaTansThree {
    with_gps: Cooperative,
    chosen: Cooperative,
    default: Cooperative,
}

/// Former commune code → its main successor's code, from the bundled correspondence.
fn main_successors() -> BTreeMap<String, String> {
    units::reform_2025()
        .iter()
        .filter(|r| r.main)
        .map(|r| (r.old_code.clone(), r.new_code.clone()))
        .collect()
}

/// The former units of the three provinces load from the bundled list, after a dry run,
/// and only once: 398 former communes.
async fn the_former_units_load_once(s: &TestServer, admin: &str) {
    let (st, dry) = s
        .load_official_units(admin, json!({"province": "37", "list": "before-2025"}))
        .await;
    assert_eq!(st, 200, "{dry}");
    assert_eq!(dry["applied"], false);
    let (st, loaded) = s
        .load_official_units(
            admin,
            json!({"province": "37", "list": "before-2025", "apply": true}),
        )
        .await;
    assert_eq!(st, 200, "{loaded}");
    let made = loaded["created"].as_array().unwrap();
    assert_eq!(made.iter().filter(|a| a["level"] == "commune").count(), 398);
    let (_, again) = s
        .load_official_units(admin, json!({"province": "37", "list": "before-2025"}))
        .await;
    assert_eq!(again["created"].as_array().unwrap().len(), 0, "loaded once");
}

/// The tree the administrator sees holds the 398 former communes beside today's units.
async fn the_398_former_communes(s: &TestServer, admin: &str) -> Units {
    let u = Units {
        areas: s.areas(admin, false).await,
    };
    assert_eq!(u.former().len(), 398);
    u
}

/// The office's registry of 2024 imports whole: a cooperative in every former commune
/// (named with its district, as old lists are), and three more in Gia Tân.
async fn the_2024_registry_is_imported(s: &TestServer, admin: &str, u: &Units) {
    let mut csv =
        String::from("Tên HTX,Loại hình,Lĩnh vực,Xã/Phường,Huyện/Thành phố,Mã số thuế\r\n");
    for (i, a) in u.former().iter().enumerate() {
        let district = &u.by_id(a.parent_id.as_deref().unwrap()).name;
        csv.push_str(&format!(
            "HTX {} số {i},HTX,Nông nghiệp,{},{district},{}\r\n",
            a.name,
            a.name,
            3_700_000_000u64 + i as u64
        ));
    }
    let gia_vien = u
        .by_id(u.gia_tan().parent_id.as_deref().unwrap())
        .name
        .clone();
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
            admin,
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
}

/// Officers: one on Gia Tân, one on the whole former district of Gia Viễn; a supervisor
/// of the province.
async fn two_officers_and_a_supervisor(s: &TestServer, admin: &str, u: &Units) -> People {
    let giatan = s
        .account(admin, "canbo.giatan", "officer", &[&u.old_id(GIA_TAN)])
        .await;
    let giavien = s
        .account(
            admin,
            "canbo.giavien",
            "officer",
            &[u.gia_tan().parent_id.as_deref().unwrap()],
        )
        .await;
    let sup = s
        .account(admin, "giamsat.tinh", "supervisor", &["37"])
        .await;
    People {
        giatan,
        giavien,
        sup,
    }
}

/// Gia Tân's three cooperatives, as the server stored them.
async fn gia_tans_three(s: &TestServer) -> GiaTansThree {
    GiaTansThree {
        with_gps: s.cooperative_named("HTX Gia Tân có GPS").await.unwrap(),
        chosen: s.cooperative_named("HTX Gia Tân được chọn").await.unwrap(),
        default: s.cooperative_named("HTX Gia Tân mặc định").await.unwrap(),
    }
}

/// Approved reports of 2024-H2 on the three: the first records a GPS position at Tây Hoa
/// Lư's centre (what places it there).
async fn approved_reports_of_2024_h2_on_gia_tans_three(
    s: &TestServer,
    p: &People,
    g: &GiaTansThree,
) {
    let (lat, lon) = units::centre_today(TAY_HOA_LU).unwrap();
    let mut mutations = Vec::new();
    for (i, c) in [&g.with_gps, &g.chosen, &g.default].iter().enumerate() {
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
    let (st, b) = s.push(&p.giatan, "tab-giatan", &mutations).await;
    assert_eq!(st, 200, "{b}");
    for i in 0..3 {
        let (st, b) = s
            .decide_with(
                &p.sup,
                &format!("v-giatan-{i}"),
                json!({"action": "approve"}),
            )
            .await;
        assert_eq!(st, 200, "{b}");
    }
}

/// The two officers' tablets before the reform: Gia Tân's holds its own cooperative and
/// the three.
async fn the_tablets_before_the_reform(s: &TestServer, p: &People) -> (Tablet, Tablet) {
    let mut tab_giatan = Tablet::default();
    tab_giatan.sync(s, &p.giatan, "tab-giatan").await;
    assert_eq!(tab_giatan.coops.len(), 4, "Gia Tân's own and the three");
    let mut tab_giavien = Tablet::default();
    tab_giavien.sync(s, &p.giavien, "tab-giavien").await;
    (tab_giatan, tab_giavien)
}

/// The reform as published for today's Ninh Bình divides six communes, Gia Tân mainly
/// into Gia Vân and partly into Tây Hoa Lư; an officer may not ask for it.
async fn the_published_reform_divides_gia_tan(
    s: &TestServer,
    admin: &str,
    p: &People,
    u: &Units,
) -> Reorganisation {
    let (st, reform) = s.official_reorganisation(admin, "37").await;
    assert_eq!(st, 200, "{reform}");
    let reform: Reorganisation = serde_json::from_value(reform).unwrap();
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
        .find(|sp| sp.from == u.old_id(GIA_TAN))
        .unwrap();
    assert_eq!(split.main, u.new_id(GIA_VAN));
    assert!(split.into.contains(&u.new_id(TAY_HOA_LU)));
    // An officer of the province's neighbour is not asked: outside the administrator's
    // areas, and an officer may not see it.
    let (st, _) = s.official_reorganisation(&p.giatan, "37").await;
    assert_eq!(st, 403);
    reform
}

/// Where placement `p` (a preview or an applied reorganisation) puts cooperative `id`,
/// and the rule it gives.
fn placed(p: &Value, id: &str) -> (String, String) {
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
}

/// The preview places the GPS one in Tây Hoa Lư, the others in Gia Vân, and changes
/// nothing.
async fn the_preview_places_by_gps_and_changes_nothing(
    s: &TestServer,
    admin: &str,
    reform: &Reorganisation,
    g: &GiaTansThree,
    u: &Units,
) {
    let (st, preview) = s
        .reorganise(admin, serde_json::to_value(reform).unwrap(), false)
        .await;
    assert_eq!(st, 200, "{preview}");
    assert_eq!(preview["blocked"], json!([]), "{}", preview["blocked"]);
    assert_eq!(preview["cooperatives_total"], 401);
    let (to, why) = placed(&preview, &g.with_gps.id);
    assert_eq!(to, u.new_id(TAY_HOA_LU));
    assert!(why.contains("GPS"), "{why}");
    assert_eq!(placed(&preview, &g.default.id).0, u.new_id(GIA_VAN));
    // Nothing changed by the preview.
    assert_eq!(
        s.cooperative_named("HTX Gia Tân có GPS")
            .await
            .unwrap()
            .area_id,
        u.old_id(GIA_TAN)
    );
}

/// A placement naming no unit of the split, or no cooperative of a divided commune, is
/// said, and nothing is applied.
async fn a_wrong_placement_is_said_and_nothing_applied(
    s: &TestServer,
    admin: &str,
    reform: &Reorganisation,
    g: &GiaTansThree,
    u: &Units,
) {
    let mut wrong = reform.clone();
    wrong
        .placements
        .insert(g.chosen.id.clone(), "khong-co".into());
    wrong.placements.insert(
        coop_of_whole(s, &u.old_id("14329")).await,
        u.new_id(TAY_HOA_LU),
    );
    let (st, refused) = s
        .reorganise(admin, serde_json::to_value(&wrong).unwrap(), true)
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
        u.old_id(GIA_TAN),
        "nothing applied"
    );
}

/// The administrator places one by hand, then applies: the placement says it was theirs.
async fn applied_with_one_placed_by_hand(
    s: &TestServer,
    admin: &str,
    reform: &mut Reorganisation,
    g: &GiaTansThree,
    u: &Units,
) {
    reform
        .placements
        .insert(g.chosen.id.clone(), u.new_id(TAY_HOA_LU));
    let (st, done) = s
        .reorganise(admin, serde_json::to_value(&*reform).unwrap(), true)
        .await;
    assert_eq!((st, done["applied"].as_bool()), (200, Some(true)), "{done}");
    assert!(placed(&done, &g.chosen.id).1.contains("Do bạn chọn"));
}

/// Every cooperative is in its official new unit (the main successor for whole communes;
/// Gia Tân's by GPS, by hand, by default): the cooperatives as stored now.
async fn every_cooperative_is_in_its_official_unit(
    s: &TestServer,
    g: &GiaTansThree,
    u: &Units,
) -> Vec<Cooperative> {
    let main_of = main_successors();
    let coops: Vec<Cooperative> = sqlx::query_scalar::<_, String>("SELECT body FROM cooperatives")
        .fetch_all(&s.pool)
        .await
        .unwrap()
        .into_iter()
        .map(|b| serde_json::from_str(&b).unwrap())
        .collect();
    assert_eq!(coops.len(), 401);
    for c in &coops {
        let here = u.get(c.area_id.as_str());
        assert!(
            here.is_some_and(|a| a.path.matches('/').count() == 2),
            "{} in {}",
            c.name,
            c.area_id
        );
        assert_eq!(c.area_path, format!("37/{}/", c.area_id));
    }
    for (i, a) in u.former().iter().enumerate() {
        let name = format!("HTX {} số {i}", a.name);
        let c = coops.iter().find(|c| c.name == name).unwrap();
        let code = a.code.clone().unwrap();
        let expected = u.new_id(&main_of[&code]);
        assert_eq!(c.area_id, expected, "{} (former {code})", c.name);
    }
    let here = |c: &Cooperative| coops.iter().find(|x| x.id == c.id).unwrap().area_id.clone();
    assert_eq!(
        here(&g.with_gps),
        u.new_id(TAY_HOA_LU),
        "nearest to its visit's GPS"
    );
    assert_eq!(
        here(&g.chosen),
        u.new_id(TAY_HOA_LU),
        "placed by the administrator"
    );
    assert_eq!(here(&g.default), u.new_id(GIA_VAN), "the main successor");
    coops
}

/// Reports followed their cooperatives, keeping where they were written; the report's
/// trail says who moved it, from where to where.
async fn reports_follow_their_cooperatives(s: &TestServer, p: &People, u: &Units) {
    let new_path = format!("37/{}/", u.new_id(TAY_HOA_LU));
    let v = s.report(&p.sup, "v-giatan-0").await.report;
    assert_eq!(v.area_path, new_path);
    assert_eq!(
        v.written_area_path.as_deref(),
        Some(u.gia_tan().path.as_str())
    );
    let (st, trail) = s.audit(&p.sup, "visit", "v-giatan-0").await;
    assert_eq!(st, 200, "{trail}");
    let moved: Vec<&Value> = trail
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "reorganise")
        .collect();
    assert_eq!(moved.len(), 1, "{trail}");
    let coop_id = v.cooperative_id.clone();
    let (_, coop_trail) = s.audit(&p.sup, "cooperative", &coop_id).await;
    let by = coop_trail
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "reorganise")
        .expect("the cooperative's move is in its trail");
    assert_eq!(moved[0]["actor_id"], by["actor_id"], "{trail}");
    assert_eq!(moved[0]["seq"], by["seq"], "{trail}");
    assert_eq!(
        moved[0]["changes"],
        json!([{"path": "area_path", "old": Value::String(u.gia_tan().path.clone()).to_string(),
                "new": Value::String(new_path).to_string()}]),
        "{trail}"
    );
}

/// Last year's figures are counted where each cooperative is now: the review of 2025-H2
/// for Tây Hoa Lư compares with two of Gia Tân's reports of 2024-H2, Gia Vân's with the
/// third, the province's with all three, nothing twice; the former commune's review of
/// its own time still shows its three.
async fn last_years_figures_count_where_each_cooperative_is_now(
    s: &TestServer,
    sup: &str,
    u: &Units,
) {
    let review = |period: &'static str, area: String| async move {
        let (st, r) = s
            .try_review(sup, &format!("period={period}&area={area}"))
            .await;
        assert_eq!(st, 200, "{r}");
        r
    };
    let last_year = |r: Value| r["last_year"]["report_count"].as_i64().unwrap();
    assert_eq!(last_year(review("2025-H2", u.new_id(TAY_HOA_LU)).await), 2);
    assert_eq!(last_year(review("2025-H2", u.new_id(GIA_VAN)).await), 1);
    assert_eq!(last_year(review("2025-H2", "37".into()).await), 3);
    // The former commune's review of its own time still shows its three.
    let own = review("2024-H2", u.old_id(GIA_TAN)).await;
    assert_eq!(own["review"]["report_count"].as_i64(), Some(3), "{own}");
}

/// The areas `token`'s user works in (`GET /api/me`'s scopes), sorted.
async fn scopes(s: &TestServer, token: &str) -> Vec<String> {
    let (_, me) = s.me(token).await;
    let mut v: Vec<String> = serde_json::from_value(me["scopes"].clone()).unwrap();
    v.sort();
    v
}

/// Officers' areas followed: Gia Tân's officer covers Gia Vân (its main successor); Gia
/// Viễn's the units its communes became.
async fn officers_areas_follow_their_communes(s: &TestServer, p: &People, u: &Units) {
    let main_of = main_successors();
    assert_eq!(
        scopes(s, &p.giatan).await,
        [format!("37/{}/", u.new_id(GIA_VAN))]
    );
    let giavien_after = scopes(s, &p.giavien).await;
    let gia_tan = u.gia_tan();
    let expected_giavien: BTreeSet<String> = u
        .former()
        .iter()
        .filter(|a| a.parent_id == gia_tan.parent_id)
        .map(|a| format!("37/{}/", u.new_id(&main_of[a.code.as_deref().unwrap()])))
        .collect();
    assert_eq!(
        giavien_after.iter().cloned().collect::<BTreeSet<_>>(),
        expected_giavien
    );
}

/// Every tablet ends with exactly the cooperatives of its areas now: none stale, none
/// twice (the one placed away left Gia Tân's officer's tablet with its report).
async fn every_tablet_ends_with_exactly_its_areas_records(
    s: &TestServer,
    p: &People,
    mut tab_giatan: Tablet,
    mut tab_giavien: Tablet,
    coops: &[Cooperative],
    g: &GiaTansThree,
) {
    for (tab, token, client) in [
        (&mut tab_giatan, &p.giatan, "tab-giatan"),
        (&mut tab_giavien, &p.giavien, "tab-giavien"),
    ] {
        tab.sync(s, token, client).await;
        let mine = scopes(s, token).await;
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
        // Reports that followed their cooperatives arrive where they are now.
        for (id, path) in &tab.visits {
            assert!(
                mine.iter().any(|p| path.starts_with(p)),
                "{client}: report {id} at {path}"
            );
        }
        assert!(!tab.visits.is_empty(), "{client}");
    }
    assert!(!tab_giatan.coops.contains_key(&g.with_gps.id));
    assert!(
        !tab_giatan.visits.contains_key("v-giatan-0"),
        "its report left too"
    );
    assert!(tab_giatan.coops.contains_key(&g.default.id));
}

/// The export taken before the reform, imported again: its rows name former communes,
/// which say nothing new about where each cooperative is: nothing moves back.
async fn the_export_from_before_moves_nothing_back(
    s: &TestServer,
    admin: &str,
    before_reform: Vec<u8>,
) {
    let (st, again) = s
        .import_registry(admin, before_reform, "truoc-sap-xep.xlsx", &[])
        .await;
    assert_eq!(st, 200, "{again}");
    assert_eq!(
        again["moves"].as_array().map(Vec::len),
        Some(0),
        "{}",
        again["moves"]
    );
    assert_eq!(again["updated"].as_u64(), Some(0), "{}", again["notes_csv"]);
}

/// A code now names today's unit: a row with code 14329 lands in Phường Hoa Lư.
async fn a_code_names_todays_unit(s: &TestServer, admin: &str, u: &Units) {
    let row = "Tên HTX,Mã xã\r\nHTX Theo mã,14329\r\n";
    let (st, r) = s
        .import_registry(
            admin,
            row.as_bytes().to_vec(),
            "ma.csv",
            &[("apply", "true")],
        )
        .await;
    assert_eq!((st, r["created"].as_u64()), (200, Some(1)), "{r}");
    assert_eq!(
        s.cooperative_named("HTX Theo mã").await.unwrap().area_id,
        u.new_id("14329")
    );
}

/// The reform cannot be applied twice: its old units are closed; posting the applied one
/// again says so once, and the official reform is no longer offered.
async fn the_reform_cannot_be_applied_twice(s: &TestServer, admin: &str, reform: &Reorganisation) {
    let (st, twice) = s
        .reorganise(admin, serde_json::to_value(reform).unwrap(), false)
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
    let (st, again) = s.official_reorganisation(admin, "37").await;
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
