//! Issue 18: the review queue served by the server (`GET /api/visits`), on SQLite and
//! PostgreSQL: pages by a stable cursor that say when more follow (never a silent cap),
//! unmoved by reports arriving while someone pages; the queue's filters and a search
//! without diacritics; the caller's areas only; bad parameters refused with a message.

mod common;

use common::*;
use hoptac_core::queue::QueuePage;
use serde_json::json;

/// The ids of every page of `query`, `limit` at a time, and the pages' sizes.
async fn all_pages(
    s: &TestServer,
    token: &str,
    query: &str,
    limit: u32,
) -> (Vec<String>, Vec<usize>) {
    let (mut ids, mut sizes, mut after) = (Vec::new(), Vec::new(), String::new());
    loop {
        let p = s
            .queue(token, &format!("{query}&limit={limit}&after={after}"))
            .await;
        sizes.push(p.reports.len());
        ids.extend(p.reports.iter().map(|i| i.report.id.clone()));
        match p.next {
            Some(n) => after = n,
            None => return (ids, sizes),
        }
    }
}

fn ids(p: &QueuePage) -> Vec<&str> {
    p.reports.iter().map(|i| i.report.id.as_str()).collect()
}

on_both!(the_review_queue_pages_filters_and_searches_on_the_server);
async fn the_review_queue_pages_filters_and_searches_on_the_server(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let hoa = s.officer().await; // Hoa Lư and Gia Viễn
    let kien = s.login("canbo.kimson", "hoptac-kimson").await;
    let sup = s.login("giamsat", "hoptac-giamsat").await;
    eight_reports_received_one_at_a_time_and_one_approved(&s, &hoa, &kien, &sup).await;
    pages_come_newest_first_and_keep_their_place_as_reports_arrive(&s, &hoa, &sup).await;
    filters_and_search_narrow_the_queue_on_the_server(&s, &sup).await;
    each_caller_sees_only_their_areas_reports(&s, &hoa, &kien).await;
    bad_parameters_are_refused_naming_the_field_in_vietnamese(&s, &sup).await;
    the_officers_to_filter_by_are_those_of_the_callers_areas(&s, &kien, &sup).await;
    the_export_takes_the_same_search_and_filters(&s, &sup).await;
}

/// Seven reports of Hoa Lư / Gia Viễn, one at a time (each received later), and one of
/// Kim Sơn; the supervisor approves q-2.
async fn eight_reports_received_one_at_a_time_and_one_approved(
    s: &TestServer,
    hoa: &str,
    kien: &str,
    sup: &str,
) {
    let mine = [
        ("q-1", "coop-001", "2021-03-02", "Thêu ren xuất khẩu"),
        ("q-2", "coop-002", "2021-04-10", "Kho lạnh mới"),
        ("q-3", "coop-010", "2021-05-05", "Dịch vụ làm đất"),
        ("q-4", "coop-011", "2021-08-20", "Đàn dê tăng"),
        ("q-5", "coop-004", "2021-09-01", "Chuyển đổi số"),
        ("q-6", "coop-005", "2021-10-12", "Đá mỹ nghệ xuất khẩu"),
        ("q-7", "coop-006", "2021-11-30", "Nấm linh chi"),
    ];
    for (n, (id, coop, date, note)) in mine.iter().enumerate() {
        let mut v = visit(id, coop, note);
        v.visit_date = date.to_string();
        let (st, b) = s.push(hoa, "tab-q", &[submit(n as u64 + 1, v)]).await;
        assert_eq!((st, b["rejected"].clone()), (200, json!([])), "{b}");
        tokio::time::sleep(std::time::Duration::from_millis(3)).await;
    }
    let (st, b) = s
        .push(
            kien,
            "tab-k",
            &[submit(1, visit("q-ks", "coop-016", "Chiếu cói"))],
        )
        .await;
    assert_eq!((st, b["rejected"].clone()), (200, json!([])), "{b}");
    let (st, b) = s.decide(sup, "q-2", "approve", "").await;
    assert_eq!(st, 200, "{b}");
}

/// Pages of 3: 3 + 3 + 2, newest received first, each report once; the last page says
/// nothing follows. A report arriving while the supervisor pages comes at the top; the
/// next page goes on where the last one stopped.
async fn pages_come_newest_first_and_keep_their_place_as_reports_arrive(
    s: &TestServer,
    hoa: &str,
    sup: &str,
) {
    let (all, sizes) = all_pages(s, sup, "", 3).await;
    assert_eq!(sizes, vec![3, 3, 2]);
    assert_eq!(
        all,
        ["q-ks", "q-7", "q-6", "q-5", "q-4", "q-3", "q-2", "q-1"]
    );
    // A report arriving while the supervisor pages comes at the top; the next page goes
    // on where the last one stopped.
    let first = s.queue(sup, "limit=3").await;
    assert_eq!(ids(&first), ["q-ks", "q-7", "q-6"]);
    let (st, b) = s
        .push(
            hoa,
            "tab-q",
            &[submit(8, visit("q-8", "coop-007", "Du lịch cộng đồng"))],
        )
        .await;
    assert_eq!((st, b["rejected"].clone()), (200, json!([])), "{b}");
    let second = s
        .queue(sup, &format!("limit=3&after={}", first.next.unwrap()))
        .await;
    assert_eq!(ids(&second), ["q-5", "q-4", "q-3"]);
    assert_eq!(ids(&s.queue(sup, "limit=1").await), ["q-8"]);
    // The cooperative's name comes with each.
    assert_eq!(
        second.reports[0].cooperative_name,
        "HTX Nông nghiệp Ninh Xuân"
    );
}

/// Filters: state, district, officer, period, and together; search without diacritics or
/// case, every word, over the cooperative's name, the note, the officer's name, the id.
async fn filters_and_search_narrow_the_queue_on_the_server(s: &TestServer, sup: &str) {
    let only = |q: &'static str| async move { all_pages(s, sup, q, 200).await.0 };
    assert_eq!(only("status=approved").await, ["q-2"]);
    assert_eq!(only("area=NB/NB-GV/").await, ["q-4", "q-3"]);
    assert_eq!(
        only("author=u-officer-kimson").await.len() + only("area=NB/NB-KS/").await.len(),
        2
    );
    assert_eq!(only("period=2021-H2").await, ["q-7", "q-6", "q-5", "q-4"]);
    assert_eq!(
        only("period=2021-H1&area=NB/NB-HL/&status=submitted").await,
        ["q-8", "q-1"]
    );
    // Search without diacritics or case, every word: the cooperative's name, the note,
    // the officer's name, the id.
    assert_eq!(only("q=xuat%20khau").await, ["q-6", "q-1"]);
    assert_eq!(only("q=THEU%20xuat").await, ["q-1"]);
    assert_eq!(only("q=de%20nui").await, ["q-4"], "HTX Dê núi Gia Vân");
    assert_eq!(
        only("q=pham%20van").await,
        ["q-ks"],
        "the officer Phạm Văn Kiên"
    );
    assert_eq!(only("q=q-3").await, ["q-3"]);
    assert_eq!(
        only("q=50%25").await,
        Vec::<String>::new(),
        "LIKE's % is a plain character"
    );
    assert_eq!(
        only("q=dich%20vu&period=2021-H1&area=NB/NB-GV/").await,
        ["q-3"]
    );
}

/// The caller's areas only: Kim Sơn's officer sees their one report; Hoa's never it, not
/// even by searching for it.
async fn each_caller_sees_only_their_areas_reports(s: &TestServer, hoa: &str, kien: &str) {
    assert_eq!(all_pages(s, kien, "", 50).await.0, ["q-ks"]);
    assert!(!all_pages(s, hoa, "", 50)
        .await
        .0
        .contains(&"q-ks".to_string()));
    assert_eq!(
        all_pages(s, hoa, "q=chieu%20coi", 50).await.0,
        Vec::<String>::new()
    );
}

/// Bad parameters: a clear message naming the field, nothing else; a query string that
/// does not parse names its parameter in Vietnamese (not the parser's English); no token
/// is a 401.
async fn bad_parameters_are_refused_naming_the_field_in_vietnamese(s: &TestServer, sup: &str) {
    for (q, field) in [
        ("after=nonsense", "after"),
        ("limit=0", "limit"),
        ("limit=201", "limit"),
        ("status=lost", "status"),
        ("period=2021-H3", "period"),
    ] {
        let (st, b) = s.try_queue(sup, q).await;
        assert_eq!(st, 422, "{q}: {b}");
        assert!(b.to_string().contains(field), "{q}: {b}");
    }
    // A query string that does not parse names its parameter, in Vietnamese first; the
    // parser's English text is not what the user reads.
    for (path, field, message) in [
        (
            "/api/visits?limit=abc",
            "limit",
            "Tham số “limit” phải là một số nguyên.",
        ),
        (
            "/api/visits?limit=-1",
            "limit",
            "Tham số “limit” phải là một số nguyên.",
        ),
        (
            "/api/visits?limit=",
            "limit",
            "Tham số “limit” phải là một số nguyên.",
        ),
        (
            "/api/visits?limit=5&limit=6",
            "limit",
            "Tham số “limit” được ghi nhiều lần; chỉ ghi một lần.",
        ),
        (
            "/api/review/records?period=2021-H2&figure=reports&offset=-1",
            "offset",
            "Tham số “offset” phải là một số nguyên.",
        ),
        (
            "/api/review/records?period=2021-H2&figure=reports&limit=0",
            "limit",
            "Mỗi trang từ 1 đến 500 hồ sơ.",
        ),
        (
            "/api/review/records?period=2021-H2&figure=reports&last_year=yes",
            "last_year",
            "Tham số “last_year” phải là true hoặc false.",
        ),
        (
            "/api/review?area=NB",
            "period",
            "Địa chỉ yêu cầu thiếu tham số “period”.",
        ),
    ] {
        let (st, b) = s.call("GET", path, Some(sup), None).await;
        assert_eq!(
            (st, b["code"].as_str()),
            (422, Some("invalid")),
            "{path}: {b}"
        );
        assert_eq!(b["fields"][0]["field"], field, "{path}: {b}");
        assert_eq!(b["fields"][0]["message"]["vi"], message, "{path}: {b}");
    }
    let (st, _) = s.call("GET", "/api/visits", None, None).await;
    assert_eq!(st, 401);
}

/// The officers the queue can be filtered by: those of the caller's areas.
async fn the_officers_to_filter_by_are_those_of_the_callers_areas(
    s: &TestServer,
    kien: &str,
    sup: &str,
) {
    let (st, b) = s.queue_officers(kien).await;
    assert_eq!(st, 200, "{b}");
    assert_eq!(
        b,
        json!([{"id": "u-officer-kimson", "name": "Phạm Văn Kiên"}])
    );
    let (_, b) = s.queue_officers(sup).await;
    let names: Vec<&str> = b
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Đinh Thị Hoa", "Phạm Văn Kiên", "Trần Văn Giang"]);
}

/// The CSV export of the queue as `sup` with `query` (asserts 200).
async fn export_csv(s: &TestServer, sup: &str, query: &str) -> String {
    let r = s
        .http
        .get(format!("{}/api/visits/export?format=csv&{query}", s.url))
        .bearer_auth(sup)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200, "{query}");
    r.text().await.unwrap()
}

/// The export takes the same search, and the same cooperative filter (it was ignored: the
/// whole province exported).
async fn the_export_takes_the_same_search_and_filters(s: &TestServer, sup: &str) {
    let csv = export_csv(s, sup, "q=xuat%20khau").await;
    assert_eq!(csv.lines().count(), 3, "a header and two reports: {csv}");
    // And the same cooperative filter (it was ignored: the whole province exported).
    let csv = export_csv(s, sup, "cooperative=coop-002").await;
    assert_eq!(csv.lines().count(), 2, "a header and q-2: {csv}");
    assert!(csv.contains("q-2"), "{csv}");
}

on_both!(supervisors_read_reports_from_the_server_and_officers_keep_theirs);
/// Issue 18: a supervisor's pull carries no visit reports (their browser reads the queue
/// from the server, a page at a time, and a cooperative's reports with `cooperative=`);
/// an officer's tablet still receives its areas' reports.
async fn supervisors_read_reports_from_the_server_and_officers_keep_theirs(backend: Backend) {
    use hoptac_core::sync::Change;
    let Some(s) = start(backend).await else {
        return;
    };
    let hoa = s.officer().await;
    let sup = s.login("giamsat", "hoptac-giamsat").await;
    for (n, coop) in ["coop-001", "coop-001", "coop-002"].iter().enumerate() {
        let (st, b) = s
            .push(
                &hoa,
                "tab-h",
                &[submit(n as u64 + 1, visit(&format!("p-{n}"), coop, "x"))],
            )
            .await;
        assert_eq!((st, b["rejected"].clone()), (200, json!([])), "{b}");
    }
    let visits = |changes: Vec<Change>| {
        changes
            .into_iter()
            .filter(|c| matches!(c, Change::Visit(_)))
            .count()
    };
    assert_eq!(visits(s.pull_all(&hoa, "tab-h2", 500).await), 3);
    let sup_changes = s.pull_all(&sup, "sup-browser", 500).await;
    assert!(
        sup_changes
            .iter()
            .any(|c| matches!(c, Change::Cooperative(_))),
        "the supervisor still receives the cooperatives"
    );
    assert_eq!(
        visits(sup_changes),
        0,
        "no reports in the supervisor's browser"
    );
    let p = s.queue(&sup, "cooperative=coop-001").await;
    let mut got: Vec<&str> = ids(&p);
    got.sort();
    assert_eq!(got, ["p-0", "p-1"]);

    // A cooperative's page lists its visits newest visit first, whatever order they came
    // in (same date: by id), a page at a time.
    for (n, (id, date)) in [
        ("p-3", "2021-03-01"),
        ("p-4", "2021-09-09"),
        ("p-5", "2021-06-11"),
    ]
    .iter()
    .enumerate()
    {
        let mut v = visit(id, "coop-001", "y");
        v.visit_date = date.to_string();
        let (st, b) = s.push(&hoa, "tab-h", &[submit(n as u64 + 4, v)]).await;
        assert_eq!((st, b["rejected"].clone()), (200, json!([])), "{b}");
    }
    let (all, sizes) = all_pages(&s, &sup, "cooperative=coop-001&order=visit_date", 2).await;
    assert_eq!(all, ["p-4", "p-0", "p-1", "p-5", "p-3"]);
    assert_eq!(sizes, [2, 2, 1]);
    let received = s.queue(&sup, "cooperative=coop-001&limit=1").await;
    assert_eq!(
        ids(&received),
        ["p-5"],
        "the queue's order stays newest received"
    );
    // An order that does not exist, the visit-date order without a cooperative, and a
    // cursor of the other order: 422 naming the parameter.
    let other = received.next.unwrap();
    for (query, field) in [
        ("order=newest".to_string(), "order"),
        ("order=visit_date".to_string(), "order"),
        (
            format!("cooperative=coop-001&order=visit_date&after={other}"),
            "after",
        ),
    ] {
        let (st, b) = s.try_queue(&sup, &query).await;
        assert_eq!(
            (st, b["fields"][0]["field"].as_str()),
            (422, Some(field)),
            "{query}: {b}"
        );
    }
}

on_both!(the_review_reads_each_reports_part_or_else_its_body);
/// The six-monthly review reads the part of each report it needs (migration 0018), a
/// fraction of its body; a report written without one (an older server during a rolling
/// upgrade) is read from its body, and the backfill fills it once. The figures are the
/// same every way.
async fn the_review_reads_each_reports_part_or_else_its_body(backend: Backend) {
    use hoptac_server::rules::six_month::load_review;
    let dir = tempfile::tempdir().unwrap();
    let Some(url) = fresh_db_url(backend, dir.path()).await else {
        return;
    };
    let db = hoptac_server::storage::Db::connect(&url).await.unwrap();
    hoptac_server::demo::today::load(&db)
        .await
        .unwrap()
        .unwrap();
    let scopes = vec!["37/".to_string()];
    let review = || {
        load_review(
            &db,
            &scopes,
            "2021-H2",
            None,
            hoptac_core::six_month::Ids::All,
        )
    };
    let whole = review().await.unwrap();
    let count = whole.review.report_count;
    assert!(count >= 28, "{count}");
    assert!(whole.review.revenue_vnd.now > 0 && !whole.review.difficulties.is_empty());
    let ly = whole.last_year.clone().unwrap();
    assert_eq!((ly.period.as_str(), ly.report_count), ("2020-H2", 0));

    let (parts, bodies): (i64, i64) = sqlx::query_as(
        "SELECT CAST(SUM(LENGTH(review_part)) AS BIGINT), CAST(SUM(LENGTH(body)) AS BIGINT) FROM visit_reports",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert!(parts > 0 && parts * 2 < bodies, "{parts} of {bodies}");

    // 14 reports lose their part: the review reads their bodies, same figures.
    let emptied = sqlx::query(
        "UPDATE visit_reports SET review_part = '' WHERE id IN (SELECT id FROM visit_reports WHERE id LIKE '%-2021-09' ORDER BY id LIMIT 14)",
    )
    .execute(&db.pool)
    .await
    .unwrap()
    .rows_affected();
    assert_eq!(emptied, 14);
    assert_eq!(review().await.unwrap(), whole);
    // The backfill fills those 14, and only those.
    let filled = hoptac_server::storage::visits::backfill_review_part(&db)
        .await
        .unwrap();
    assert_eq!(filled, 14);
    assert_eq!(
        hoptac_server::storage::visits::backfill_review_part(&db)
            .await
            .unwrap(),
        0
    );
    assert_eq!(review().await.unwrap(), whole);

    // An older server (rolling upgrade) approves a new revision of a report with new
    // findings: it writes the body and the columns, not the part. The part disagrees with
    // the row, so the review reads the body: the new revenue counts.
    let id = &whole.review.revenue_vnd.ids[0]; // one giving both years' revenue
    let body: String = sqlx::query_scalar("SELECT body FROM visit_reports WHERE id = $1")
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .unwrap();
    let mut r: hoptac_core::model::VisitReport = serde_json::from_str(&body).unwrap();
    let before = r.findings.finances.revenue_vnd;
    r.revision += 1;
    r.findings.finances.revenue_vnd = before.map(|v| v + 1_000_000);
    sqlx::query("UPDATE visit_reports SET body = $1, revision = $2 WHERE id = $3")
        .bind(serde_json::to_string(&r).unwrap())
        .bind(i64::from(r.revision))
        .bind(id)
        .execute(&db.pool)
        .await
        .unwrap();
    let now = review().await.unwrap();
    assert_eq!(
        now.review.revenue_vnd.now,
        whole.review.revenue_vnd.now + 1_000_000
    );
    assert_eq!(now.review.report_count, count);
    // An older server gives a cooperative a founding date in the period: it writes the
    // body and the version, not the column (migration 0018). The review reads the body.
    let bodies: Vec<String> =
        sqlx::query_scalar("SELECT body FROM cooperatives WHERE kind = 'htx' ORDER BY id")
            .fetch_all(&db.pool)
            .await
            .unwrap();
    let mut c: hoptac_core::model::Cooperative = bodies
        .iter()
        .map(|b| serde_json::from_str::<hoptac_core::model::Cooperative>(b).unwrap())
        .find(|c| {
            c.area_path.starts_with("37/")
                && !c
                    .established_on
                    .as_deref()
                    .is_some_and(|d| ("2021-07-01".."2021-12-31").contains(&d))
        })
        .expect("an HTX not founded in 2021-H2");
    c.established_on = Some("2021-08-01".into());
    c.version += 1;
    sqlx::query("UPDATE cooperatives SET body = $1, version = $2 WHERE id = $3")
        .bind(serde_json::to_string(&c).unwrap())
        .bind(c.version)
        .bind(&c.id)
        .execute(&db.pool)
        .await
        .unwrap();
    let founded = review().await.unwrap().review.new_htx;
    assert_eq!(founded.value, whole.review.new_htx.value + 1);
    assert!(founded.ids.contains(&c.id));

    // And the backfill leaves a report that has a part alone (it fills only empty ones).
    assert_eq!(
        hoptac_server::storage::visits::backfill_review_part(&db)
            .await
            .unwrap(),
        0
    );
}
