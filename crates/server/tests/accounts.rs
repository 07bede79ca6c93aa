//! Issue 15: accounts an administrator manages, the first administrator from the command
//! line, the registry imported from a spreadsheet, duplicates flagged and merged. Every
//! test runs on SQLite and on PostgreSQL.

mod common;

use common::{start, submit, visit, Backend, TestServer};
use hoptac_core::sync::{Change, Entity, Mutation, MutationOp};
use serde_json::{json, Value};

async fn audit_actions(s: &TestServer, admin: &str, id: &str) -> Vec<String> {
    let (st, b) = s.audit(admin, "user", &id).await;
    assert_eq!(st, 200, "{b}");
    let text = b.to_string();
    assert!(
        !text.contains("argon2") && !text.contains("password_hash"),
        "no hash in the trail: {text}"
    );
    b.as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect()
}

async fn login_status(s: &TestServer, user: &str, password: &str) -> (u16, Value) {
    s.try_login(user, password).await
}

on_both!(an_account_from_creation_to_deactivation);
async fn an_account_from_creation_to_deactivation(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    let (st, made) = s
        .create_user(
            &admin,
            json!({
            "username": " CanBo.NinhHai ", "display_name": "Phạm Thị Hoa", "role": "officer",
            "areas": ["NB-HL-NINHHAI", "NB-HL-NINHGIANG"]}),
        )
        .await;
    assert_eq!(st, 201, "{made}");
    let id = made["account"]["id"].as_str().unwrap().to_string();
    let temp = made["temporary_password"].as_str().unwrap().to_string();
    assert_eq!(made["account"]["username"], "canbo.ninhhai");
    assert_eq!(made["account"]["must_change_password"], true);
    assert_eq!(
        made["account"]["scopes"],
        json!(["NB/NB-HL/NB-HL-NINHGIANG/", "NB/NB-HL/NB-HL-NINHHAI/"])
    );

    // The temporary password opens only the password change.
    let t = s.login("canbo.ninhhai", &temp).await;
    let (st, me) = s.me(&t).await;
    assert_eq!((st, me["must_change_password"].clone()), (200, json!(true)));
    let (st, b) = s.pull(&t, "tab-1", 0, None).await;
    assert_eq!(
        (st, b["code"].as_str()),
        (403, Some("password_change_required")),
        "{b}"
    );
    let (st, b) = s.change_password(&t, "wrong-one", "a-new-password").await;
    assert_eq!(
        (st, b["fields"][0]["field"].as_str()),
        (422, Some("current_password")),
        "{b}"
    );
    // Guessing the current password through a session is braked like signing in.
    for _ in 0..4 {
        let (st, _) = s.change_password(&t, "guess-again", "a-new-password").await;
        assert_eq!(st, 422);
    }
    let (st, b) = s.change_password(&t, "guess-more", "a-new-password").await;
    assert_eq!(
        (st, b["code"].as_str()),
        (429, Some("rate_limited")),
        "the sixth wrong password waits: {b}"
    );
    // The brake forgets after a minute (kept in the database, shared by every instance:
    // the minute passes here by the sweep run with the clock moved on).
    {
        use hoptac_server::rules::accounts::{forget_old_failures, FAILURE_WINDOW_MS};
        let db = hoptac_server::storage::Db::connect(&s.db_url)
            .await
            .unwrap();
        let later = hoptac_server::storage::now_ms() + 2 * FAILURE_WINDOW_MS;
        assert!(forget_old_failures(&db, later).await.unwrap() >= 1);
        db.pool.close().await;
    }
    let (st, b) = s.change_password(&t, &temp, "short").await;
    assert_eq!(
        (st, b["fields"][0]["field"].as_str()),
        (422, Some("new_password")),
        "{b}"
    );
    let (st, b) = s.change_password(&t, &temp, "hoa-ninh-hai-2025").await;
    assert_eq!(
        (st, b["must_change_password"].clone()),
        (200, json!(false)),
        "{b}"
    );
    // This session goes on; the temporary password no longer works.
    let (st, _) = s.pull(&t, "tab-1", 0, None).await;
    assert_eq!(st, 200);
    assert_eq!(login_status(&s, "canbo.ninhhai", &temp).await.0, 401);
    let t = s.login("canbo.ninhhai", "hoa-ninh-hai-2025").await;

    // Listed, searchable, with last sign-in.
    let list = s.find_users(&admin, "ninhhai").await;
    assert_eq!(list.total, 1);
    assert_eq!(list.accounts[0].id, id);
    assert!(list.accounts[0].last_sign_in_at.unwrap() > 0);
    assert_eq!(
        list.accounts[0].scope_names,
        ["Xã Ninh Giang", "Xã Ninh Hải"]
    );
    let by_name = s.find_users(&admin, "pham%20thi").await;
    assert_eq!(
        by_name.total, 1,
        "the name found without diacritics: {by_name:?}"
    );

    // A reset signs the account out everywhere and asks for a new password again.
    let (st, reset) = s.reset_password(&admin, &id).await;
    assert_eq!(st, 200, "{reset}");
    assert_eq!(s.me(&t).await.0, 401, "the old session ended");
    let temp2 = reset["temporary_password"].as_str().unwrap();
    assert_ne!(temp2, temp);
    let t2 = s.login("canbo.ninhhai", temp2).await;
    assert_eq!(s.me(&t2).await.1["must_change_password"], true);

    // Deactivation refuses the token at once; the right password says why, a wrong one
    // does not.
    let (st, b) = s.deactivate(&admin, &id).await;
    assert_eq!((st, b["active"].clone()), (200, json!(false)), "{b}");
    assert_eq!(s.me(&t2).await.0, 401);
    let (st, b) = login_status(&s, "canbo.ninhhai", temp2).await;
    assert_eq!(
        (st, b["code"].as_str()),
        (403, Some("account_deactivated")),
        "{b}"
    );
    let (st, b) = login_status(&s, "canbo.ninhhai", "not-the-password").await;
    assert_eq!((st, b["code"].as_str()), (401, Some("bad_credentials")));
    let (st, _) = s.reactivate(&admin, &id).await;
    assert_eq!(st, 200);
    s.login("canbo.ninhhai", temp2).await;

    assert_eq!(
        audit_actions(&s, &admin, &id).await,
        [
            "create",
            "change_password",
            "reset_password",
            "deactivate",
            "reactivate"
        ]
    );
}

on_both!(who_may_manage_which_account);
async fn who_may_manage_which_account(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    let officer = s.officer().await;
    let supervisor = s.login("giamsat", "hoptac-giamsat").await;
    let new = json!({"username": "canbo.moi", "display_name": "Cán bộ mới", "role": "officer", "areas": ["NB-HL-NINHHAI"]});
    assert_eq!(
        s.create_user(&supervisor, new.clone()).await.0,
        403,
        "a supervisor cannot create accounts"
    );
    assert_eq!(
        s.users(&officer).await.0,
        403,
        "an officer cannot list users"
    );
    assert_eq!(s.call("GET", "/api/users", None, None).await.0, 401);

    // A district's administrator: only inside the district.
    let db = hoptac_server::storage::Db::connect(&s.db_url)
        .await
        .unwrap();
    hoptac_server::rules::users::create_first_admin(
        &db,
        &hoptac_server::rules::users::FirstAdmin {
            username: "quantri.hoalu".into(),
            display_name: "Quản trị Hoa Lư".into(),
            password: "mat-khau-hoa-lu".into(),
            area: Some("NB-HL".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let district = s.login("quantri.hoalu", "mat-khau-hoa-lu").await;
    let outside = json!({"username": "canbo.kimson2", "display_name": "X", "role": "officer", "areas": ["NB-KS-KIMCHINH"]});
    assert_eq!(s.create_user(&district, outside).await.0, 403);
    let list = s.find_users(&district, "canbo").await;
    let names: Vec<&str> = list.accounts.iter().map(|a| a.username.as_str()).collect();
    assert!(
        !names.contains(&"canbo.kimson"),
        "another district's officer is not listed: {names:?}"
    );
    assert!(
        !names.contains(&"canbo.hoalu"),
        "an officer who also covers Gia Viễn is another administrator's too: {names:?}"
    );
    let kimson = s.find_users(&admin, "canbo.kimson").await.accounts[0]
        .id
        .clone();
    let (st, _) = s.reset_password(&district, &kimson).await;
    assert_eq!(st, 404, "no telling another district's account exists");
    assert_eq!(s.deactivate(&district, &kimson).await.0, 404);

    // An account emptied of its areas is a provincial administrator's alone; a fellow
    // administrator of the same district cannot reset or deactivate the other.
    let giavien = s.find_users(&admin, "canbo.giavien").await.accounts[0]
        .id
        .clone();
    let (st, _) = s.set_user_areas(&admin, &giavien, &[]).await;
    assert_eq!(st, 200);
    assert_eq!(s.reset_password(&district, &giavien).await.0, 404);
    let list = s.find_users(&district, "giavien").await;
    assert_eq!(
        list.total, 0,
        "not listed to a district's administrator: {list:?}"
    );
    assert_eq!(s.audit(&district, "user_areas", &giavien).await.0, 404);
    assert_eq!(s.reset_password(&admin, &giavien).await.0, 200);
    hoptac_server::rules::users::create_first_admin(
        &db,
        &hoptac_server::rules::users::FirstAdmin {
            username: "quantri.hoalu2".into(),
            display_name: "".into(),
            password: "mat-khau-hoa-lu-2".into(),
            area: Some("NB-HL".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let other = s.find_users(&district, "quantri.hoalu2").await.accounts[0]
        .id
        .clone();
    assert_eq!(s.reset_password(&district, &other).await.0, 403);
    assert_eq!(s.deactivate(&district, &other).await.0, 403);
    assert_eq!(
        s.deactivate(&admin, &other).await.0,
        200,
        "the province's administrator may"
    );

    // Taken names, bad names, no self-lockout.
    let (st, b) = s.create_user(&admin, json!({"username": "CANBO.HOALU", "display_name": "X", "role": "officer", "areas": ["NB-HL-NINHHAI"]})).await;
    assert_eq!(
        (st, b["fields"][0]["field"].as_str()),
        (422, Some("username")),
        "{b}"
    );
    let (st, b) = s
        .create_user(
            &admin,
            json!({"username": "cán bộ", "display_name": "", "role": "officer", "areas": []}),
        )
        .await;
    assert_eq!(st, 422, "{b}");
    assert_eq!(
        b["fields"].as_array().unwrap().len(),
        3,
        "name, display name and areas: {b}"
    );
    let (_, me) = s.me(&admin).await;
    let me = me["id"].as_str().unwrap();
    assert_eq!(s.deactivate(&admin, &me).await.0, 403);
    assert_eq!(
        s.reset_password(&admin, &me).await.0,
        403,
        "not one's own: it would sign oneself out"
    );
    // Not a multipart form: a JSON error naming the field, not axum's plain text.
    let resp = s
        .http
        .post(format!("{}/api/registry/import", s.url))
        .bearer_auth(&admin)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 422);
    let b: Value = resp.json().await.unwrap();
    assert_eq!(b["fields"][0]["field"], "file");
    // An officer cannot read account changes; nothing changed for the refused calls.
    assert_eq!(s.audit(&officer, "user", &kimson).await.0, 403);
    let (st, _) = s.audit(&admin, "user", &kimson).await;
    assert_eq!(st, 404, "no account change recorded for the refused calls");
}

/// The registry file an alliance keeps: a title row, Vietnamese headers, 5 good rows,
/// one row repeating another, and 3 bad rows.
fn registry_csv() -> String {
    [
        "DANH SÁCH HỢP TÁC XÃ HUYỆN HOA LƯ,,,,,,,",
        "Tên HTX,Loại hình,Lĩnh vực,Xã/Phường,Mã số thuế,Ngày thành lập,Số thành viên,Vốn điều lệ (triệu đồng)",
        "HTX Dệt chiếu Ninh Hải,HTX,Công nghiệp - tiểu thủ công nghiệp,Xã Ninh Hải,2700100001,15/03/2019,25,\"1.500\"",
        "HTX Rau an toàn Ninh Giang,Hợp tác xã,Nông nghiệp,Ninh Giang,2700100002,01/02/2020,40,800",
        "THT Nuôi ong Trường Yên,THT,Nông nghiệp,Xã Trường Yên,,2021-06-30,9,",
        "HTX Vận tải Gia Sinh,HTX,Vận tải,Xã Gia Sinh,2700100004,10/10/2015,12,\"2.000\"",
        "HTX Dịch vụ Me,HTX,Thương mại - dịch vụ,Thị trấn Me,2700100005,05/05/2018,30,500",
        "HTX Dệt chiếu Ninh Hải (bản 2),HTX,Công nghiệp - tiểu thủ công nghiệp,Xã Ninh Hải,2700 100 001,15/03/2019,25,\"1.500\"",
        "HTX Không xã,HTX,Nông nghiệp,Xã Không Có,2700100007,01/01/2019,5,100",
        "HTX Ngày sai,HTX,Nông nghiệp,Xã Ninh Xuân,2700100008,31/02/2019,5,100",
        "HTX Mã thuế sai,HTX,Nông nghiệp,Xã Ninh Vân,27001,01/01/2019,5,100",
    ]
    .join("\r\n")
}

async fn import(
    s: &TestServer,
    token: &str,
    file: Vec<u8>,
    name: &str,
    apply: bool,
    mapping: Option<Value>,
) -> (u16, Value) {
    let mapping = mapping.map(|m| m.to_string());
    let mut fields = vec![("apply", if apply { "true" } else { "false" })];
    if let Some(m) = &mapping {
        fields.push(("mapping", m.as_str()));
    }
    s.import_registry(token, file, name, &fields).await
}

async fn coop_count(s: &TestServer) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM cooperatives")
        .fetch_one(&s.pool)
        .await
        .unwrap()
}

on_both!(a_registry_file_dry_run_apply_and_again);
async fn a_registry_file_dry_run_apply_and_again(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    let before = coop_count(&s).await;
    let file = registry_csv().into_bytes();

    let (st, dry) = import(&s, &admin, file.clone(), "htx.csv", false, None).await;
    assert_eq!(st, 200, "{dry}");
    assert_eq!(dry["applied"], false);
    assert_eq!(dry["encoding"], "UTF-8");
    assert_eq!(
        (
            dry["rows"].as_u64(),
            dry["created"].as_u64(),
            dry["updated"].as_u64()
        ),
        (Some(9), Some(5), Some(0))
    );
    assert_eq!(dry["duplicates"][0]["row"], 8, "{dry}");
    let refused: Vec<(u64, &str)> = dry["refused"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["row"].as_u64().unwrap(), n["column"].as_str().unwrap()))
        .collect();
    assert_eq!(
        refused,
        [(9, "Xã/Phường"), (10, "Ngày thành lập"), (11, "Mã số thuế")]
    );
    assert!(
        dry["notes_csv"].as_str().unwrap().contains("9,Xã/Phường,"),
        "{}",
        dry["notes_csv"]
    );
    assert_eq!(coop_count(&s).await, before, "a dry run writes nothing");

    let (st, done) = import(&s, &admin, file.clone(), "htx.csv", true, None).await;
    assert_eq!(
        (st, done["applied"].clone(), done["created"].as_u64()),
        (200, json!(true), Some(5)),
        "{done}"
    );
    assert_eq!(coop_count(&s).await, before + 5);
    let capital: String =
        sqlx::query_scalar("SELECT body FROM cooperatives WHERE name = 'HTX Dệt chiếu Ninh Hải'")
            .fetch_one(&s.pool)
            .await
            .unwrap();
    let c: hoptac_core::model::Cooperative = serde_json::from_str(&capital).unwrap();
    assert_eq!(
        (
            c.charter_capital_vnd,
            c.established_on.as_deref(),
            c.area_id.as_str()
        ),
        (Some(1_500_000_000), Some("2019-03-15"), "NB-HL-NINHHAI")
    );

    // The same file again changes nothing.
    let (_, again) = import(&s, &admin, file, "htx.csv", true, None).await;
    assert_eq!(
        (
            again["created"].as_u64(),
            again["updated"].as_u64(),
            again["unchanged"].as_u64()
        ),
        (Some(0), Some(0), Some(5)),
        "{again}"
    );
    assert_eq!(coop_count(&s).await, before + 5);

    // The officers' tablets receive the new records by the normal pull, in their areas only.
    let officer = s.officer().await;
    let names: Vec<String> = s
        .pull_all(&officer, "tab-hl", 500)
        .await
        .into_iter()
        .filter_map(|c| match c {
            Change::Cooperative(c) => Some(c.name),
            _ => None,
        })
        .collect();
    assert!(names.contains(&"HTX Vận tải Gia Sinh".to_string()));
    let kimson = s.login("canbo.kimson", "hoptac-kimson").await;
    let names: Vec<String> = s
        .pull_all(&kimson, "tab-ks", 500)
        .await
        .into_iter()
        .filter_map(|c| match c {
            Change::Cooperative(c) => Some(c.name),
            _ => None,
        })
        .collect();
    assert!(
        !names.iter().any(|n| n.contains("Ninh Hải")),
        "another district's tablet gets none"
    );

    // Two imports of a new file at once (a double click, two administrators): each
    // record is made once.
    let before_pair = coop_count(&s).await;
    let pair =
        "Tên HTX,Xã/Phường\r\nHTX Không mã số A,Xã Ninh Hải\r\nHTX Không mã số B,Xã Ninh Giang\r\n"
            .as_bytes()
            .to_vec();
    let (a, b) = tokio::join!(
        import(&s, &admin, pair.clone(), "p.csv", true, None),
        import(&s, &admin, pair.clone(), "p.csv", true, None)
    );
    assert_eq!((a.0, b.0), (200, 200), "{} {}", a.1, b.1);
    assert_eq!(coop_count(&s).await, before_pair + 2, "{} {}", a.1, b.1);
    assert_eq!(
        a.1["created"].as_u64().unwrap() + b.1["created"].as_u64().unwrap(),
        2
    );

    // An import by someone else is refused; an audit entry says who imported.
    let supervisor = s.login("giamsat", "hoptac-giamsat").await;
    assert_eq!(
        import(
            &s,
            &supervisor,
            registry_csv().into_bytes(),
            "htx.csv",
            false,
            None
        )
        .await
        .0,
        403
    );
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE record_id = $1")
            .bind(&c.id)
            .fetch_all(&s.pool)
            .await
            .unwrap();
    assert_eq!(actions, ["import"]);
}

on_both!(old_encodings_mapping_and_a_lossless_round_trip);
async fn old_encodings_mapping_and_a_lossless_round_trip(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let admin = s.login("quantri", "hoptac-quantri").await;
    // Windows-1258: "Tên HTX,Xã\r\nHTX Đồng Giao,Xã Ninh Hải" with combining tones.
    let cp1258 = b"T\xean HTX,Xa\xde\r\nHTX \xd0\xf4\xccng Giao,Xa\xde Ninh Ha\xd2i\r\n".to_vec();
    let (st, r) = import(&s, &admin, cp1258, "cu.csv", true, None).await;
    assert_eq!(
        (st, r["encoding"].as_str(), r["created"].as_u64()),
        (200, Some("Windows-1258"), Some(1)),
        "{r}"
    );
    let n: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM cooperatives WHERE name = 'HTX Đồng Giao'")
            .fetch_one(&s.pool)
            .await
            .unwrap();
    assert_eq!(n, 1, "decoded to NFC Unicode");
    // TCVN3 (ABC, .VnTime fonts): converted to Unicode; the row is the cooperative the
    // Windows-1258 file made ("Xã Ninh Hải" is "X· Ninh H¶i" there).
    let before = coop_count(&s).await;
    let tcvn3 = b"T\xaan HTX,X\xb7\r\nHTX \xa7\xe5ng Giao,X\xb7 Ninh H\xb6i\r\n".to_vec();
    let (st, r) = import(&s, &admin, tcvn3, "abc.csv", true, None).await;
    assert_eq!(
        (st, r["encoding"].as_str(), r["unchanged"].as_u64()),
        (200, Some("TCVN3 → Unicode"), Some(1)),
        "{r}"
    );
    assert_eq!(coop_count(&s).await, before);

    // Headers an alliance wrote its own way: the report says what is missing, and a
    // mapping fixes it.
    let odd = "Đơn vị,Địa bàn,MST\r\nHTX Chè Gia Lạc,Xã Gia Lạc,2700100099\r\n"
        .as_bytes()
        .to_vec();
    let (_, r) = import(&s, &admin, odd.clone(), "odd.csv", false, None).await;
    assert_eq!(r["problems"].as_array().unwrap().len(), 2, "{r}");
    assert_eq!(r["columns"][2]["field"], "tax_code");
    let (_, r) = import(
        &s,
        &admin,
        odd,
        "odd.csv",
        true,
        Some(json!({"Đơn vị": "name", "Địa bàn": "commune"})),
    )
    .await;
    assert_eq!(r["created"], 1, "{r}");

    // Export → import: every row is the record it came from.
    let resp = s
        .http
        .get(format!("{}/api/registry/export", s.url))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let xlsx = resp.bytes().await.unwrap().to_vec();
    let total = coop_count(&s).await as u64;
    let (st, r) = import(&s, &admin, xlsx, "export.xlsx", true, None).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["encoding"], "XLSX");
    assert_eq!(
        (
            r["rows"].as_u64(),
            r["unchanged"].as_u64(),
            r["created"].as_u64(),
            r["updated"].as_u64()
        ),
        (Some(total), Some(total), Some(0), Some(0)),
        "{}",
        r["notes_csv"]
    );
    assert!(r["refused"].as_array().unwrap().is_empty());
}

fn register(id: u64, coop_id: &str, area: &str, name: &str, tax: &str) -> Mutation {
    Mutation {
        id,
        created_at: 1,
        op: MutationOp::RegisterCooperative(
            serde_json::from_value(json!({
                "id": coop_id, "kind": "htx", "name": name, "sector": "agriculture", "area_id": area,
                "area_path": "", "status": "active", "tax_code": tax, "tax_registered": true,
                "established_on": "2020-01-01", "version": 0
            }))
            .unwrap(),
        ),
    }
}

on_both!(one_cooperative_registered_on_two_tablets_is_merged);
async fn one_cooperative_registered_on_two_tablets_is_merged(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    // Both officers cover Gia Viễn; offline, each registers the same cooperative.
    let a = s.officer().await;
    let b = s.login("canbo.giavien", "hoptac-giavien").await;
    both_officers_register_the_same_cooperative_with_a_visit(&s, &a, &b).await;
    let sup = s.login("giamsat", "hoptac-giamsat").await;
    the_pair_is_flagged_and_only_a_supervisor_merges_it(&s, &a, &sup).await;
    the_tablet_drops_the_removed_record_and_gets_its_visit_under_the_kept_one(&s, &b).await;
    a_dismissed_flag_stays_dismissed(&s, &a, &b, &sup).await;
    a_late_report_for_the_removed_record_lands_on_the_kept_one(&s, &b, &sup).await;
    work_for_a_record_merged_into_another_districts_lands_on_the_kept_one(&s, &a, &sup).await;
    let (st, trail) = s.audit(&sup, "cooperative", "gv-b").await;
    assert_eq!(st, 200, "{trail}");
    assert!(trail
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "merged_into"));
}

/// Offline, officers `a` and `b` each register the same cooperative in Gia Lạc (one tax
/// code, the name's case aside) with a visit: both are accepted.
async fn both_officers_register_the_same_cooperative_with_a_visit(
    s: &TestServer,
    a: &str,
    b: &str,
) {
    let (st, r) = s
        .push(
            a,
            "tab-a",
            &[
                register(1, "gv-a", "NB-GV-GIALAC", "HTX Chè Gia Lạc", "2700555001"),
                submit(2, visit("v-a", "gv-a", "Thăm lần 1")),
            ],
        )
        .await;
    assert_eq!(st, 200, "{r}");
    let (st, r) = s
        .push(
            b,
            "tab-b",
            &[
                register(1, "gv-b", "NB-GV-GIALAC", "HTX chè Gia Lạc", "2700555001"),
                submit(2, visit("v-b", "gv-b", "Thăm lần 2")),
            ],
        )
        .await;
    assert_eq!(st, 200, "{r}");
    assert!(
        r["rejected"]
            .as_array()
            .map(|x| x.is_empty())
            .unwrap_or(true),
        "nothing refused: {r}"
    );
}

/// The pair is flagged by its tax code with each one's visits; officers do not merge; the
/// supervisor's merge clears the flag and moves the removed record's visit.
async fn the_pair_is_flagged_and_only_a_supervisor_merges_it(s: &TestServer, a: &str, sup: &str) {
    let (st, d) = s.duplicates(sup).await;
    assert_eq!(st, 200, "{d}");
    assert_eq!(d.as_array().unwrap().len(), 1, "{d}");
    assert_eq!(
        (
            d[0]["field"].as_str(),
            d[0]["a_visits"].as_u64(),
            d[0]["b_visits"].as_u64()
        ),
        (Some("tax_code"), Some(1), Some(1))
    );
    assert_eq!(
        s.merge_cooperatives(a, "gv-a", "gv-b").await.0,
        403,
        "officers do not merge"
    );

    let (st, kept) = s.merge_cooperatives(sup, "gv-a", "gv-b").await;
    assert_eq!(st, 200, "{kept}");
    let (_, d) = s.duplicates(sup).await;
    assert_eq!(d, json!([]));
    let (_, v) = s.try_report(sup, "v-b").await;
    assert_eq!(
        v["report"]["cooperative_id"]
            .as_str()
            .or(v["cooperative_id"].as_str()),
        Some("gv-a"),
        "{v}"
    );
}

/// Every tablet: the removed record goes, the visit arrives under the kept one.
async fn the_tablet_drops_the_removed_record_and_gets_its_visit_under_the_kept_one(
    s: &TestServer,
    b: &str,
) {
    let changes = s.pull_all(b, "tab-b", 500).await;
    assert!(changes
        .iter()
        .any(|c| matches!(c, Change::Removed { entity: Entity::Cooperative, id } if id == "gv-b")));
    assert!(changes
        .iter()
        .any(|c| matches!(c, Change::Visit(v) if v.id == "v-b" && v.cooperative_id == "gv-a")));
    assert!(!changes
        .iter()
        .any(|c| matches!(c, Change::Cooperative(c) if c.id == "gv-b")));
}

/// Dismissing a flag is kept: checking either record again (as an edit does) does not
/// raise it again.
async fn a_dismissed_flag_stays_dismissed(s: &TestServer, a: &str, b: &str, sup: &str) {
    let (st, _) = s
        .push(
            a,
            "tab-a",
            &[register(
                3,
                "gv-c",
                "NB-GV-GIALAC",
                "HTX Gia Lạc khác",
                "2700555099",
            )],
        )
        .await;
    assert_eq!(st, 200);
    let (st, _) = s
        .push(
            b,
            "tab-b2",
            &[register(
                1,
                "gv-d",
                "NB-GV-GIALAC",
                "HTX Gia Lạc khác nữa",
                "2700555099",
            )],
        )
        .await;
    assert_eq!(st, 200);
    let (_, d) = s.duplicates(sup).await;
    assert_eq!(d.as_array().unwrap().len(), 1, "{d}");
    assert_eq!(s.dismiss_duplicate(sup, "gv-c", "gv-d").await.0, 204);
    let db = hoptac_server::storage::Db::connect(&s.db_url)
        .await
        .unwrap();
    let mut tx = db.begin_write().await.unwrap();
    let c: hoptac_core::model::Cooperative = {
        let body: String = sqlx::query_scalar("SELECT body FROM cooperatives WHERE id = 'gv-c'")
            .fetch_one(&s.pool)
            .await
            .unwrap();
        serde_json::from_str(&body).unwrap()
    };
    hoptac_server::rules::cooperatives::flag_duplicates(&mut tx, &c)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (_, d) = s.duplicates(sup).await;
    assert_eq!(d, json!([]), "a dismissed flag stays dismissed");
}

/// A report still on a tablet for the removed record lands on the kept one.
async fn a_late_report_for_the_removed_record_lands_on_the_kept_one(
    s: &TestServer,
    b: &str,
    sup: &str,
) {
    let (st, r) = s
        .push(
            b,
            "tab-b",
            &[submit(
                3,
                visit("v-b2", "gv-b", "Viết khi chưa biết đã gộp"),
            )],
        )
        .await;
    assert_eq!(st, 200, "{r}");
    let (_, v) = s.try_report(sup, "v-b2").await;
    assert_eq!(
        v["report"]["cooperative_id"]
            .as_str()
            .or(v["cooperative_id"].as_str()),
        Some("gv-a"),
        "{v}"
    );
}

/// Merged into a record of another district: work the other district's officer wrote
/// for the removed record is still theirs to send, and lands on the kept one.
async fn work_for_a_record_merged_into_another_districts_lands_on_the_kept_one(
    s: &TestServer,
    a: &str,
    sup: &str,
) {
    let ks = s.login("canbo.kimson", "hoptac-kimson").await;
    let (st, _) = s
        .push(
            &ks,
            "tab-ks",
            &[register(
                1,
                "ks-x",
                "NB-KS-KIMCHINH",
                "HTX Cói Kim Chính",
                "2700777001",
            )],
        )
        .await;
    assert_eq!(st, 200);
    let (st, _) = s
        .push(
            a,
            "tab-a",
            &[register(
                4,
                "hl-y",
                "NB-HL-NINHHAI",
                "HTX Cói (trùng)",
                "2700777001",
            )],
        )
        .await;
    assert_eq!(st, 200);
    let (st, _) = s.merge_cooperatives(sup, "hl-y", "ks-x").await;
    assert_eq!(st, 200);
    let (st, r) = s
        .push(
            &ks,
            "tab-ks",
            &[submit(
                2,
                visit("v-ks", "ks-x", "Viết ở Kim Chính trước khi gộp"),
            )],
        )
        .await;
    assert_eq!(st, 200, "{r}");
    assert!(
        r["rejected"]
            .as_array()
            .map(|x| x.is_empty())
            .unwrap_or(true),
        "accepted: {r}"
    );
    let v = s.report(sup, "v-ks").await;
    assert_eq!(v.report.cooperative_id, "hl-y", "{v:?}");
}
