//! The hourly sweep of reports whose photos never arrived (`return_missing_photos`): it
//! goes through every waiting report, page after page, so the reports it must leave alone
//! (their author deactivated or moved away: they stay with the reviewer) never hide the
//! ones behind them, however many there are.

mod common;

use common::{start, submit, visit, Backend};
use hoptac_core::model::ReportStatus;
use hoptac_core::photo::{PhotoRef, PhotoSection, GRACE_MS};
use hoptac_server::rules::decisions::return_missing_photos;
use hoptac_server::storage::Db;

/// A photo the server never receives (its bytes were never sent).
fn never_sent(n: usize) -> PhotoRef {
    PhotoRef {
        hash: format!("{n:064x}"),
        section: PhotoSection::Headquarters,
        caption: "Trụ sở HTX".into(),
        taken_at: None,
        position: None,
        bytes: 250_000,
        width: 0,
        height: 0,
    }
}

on_both!(reports_left_with_the_reviewer_never_hide_those_behind_them);
async fn reports_left_with_the_reviewer_never_hide_those_behind_them(backend: Backend) {
    let Some(s) = start(backend).await else {
        return;
    };
    let db = Db::connect(&s.db_url).await.unwrap();
    let admin = s.login("quantri", "hoptac-quantri").await;
    // An officer writes 250 reports whose photos never arrive, then leaves (deactivated):
    // they cannot resubmit, so the sweep leaves those reports with the reviewer. Their ids
    // sort before every other report's (more than the sweep's page of 200).
    let gone = s
        .account(&admin, "canbo.nghiviec", "officer", &["NB-HL-NINHHAI"])
        .await;
    let (_, me) = s.me(&gone).await;
    let gone_id = me["user"]["id"]
        .as_str()
        .or(me["id"].as_str())
        .unwrap()
        .to_string();
    let mutations: Vec<_> = (0..250)
        .map(|i| {
            let mut v = visit(&format!("a-{i:04}"), "coop-001", "Ảnh chưa gửi");
            v.findings.photos = vec![never_sent(i)];
            submit(i as u64 + 1, v)
        })
        .collect();
    for chunk in mutations.chunks(50) {
        let (st, b) = s.push(&gone, "tab-nghiviec", chunk).await;
        assert_eq!(
            (st, b["rejected"].as_array().map(Vec::len)),
            (200, Some(0)),
            "{b}"
        );
    }
    let (st, b) = s.deactivate(&admin, &gone_id).await;
    assert_eq!(st, 200, "{b}");
    // An officer still at work writes one such report; its id sorts after them all.
    let officer = s.officer().await;
    let mut late = visit("z-late", "coop-001", "Ảnh chưa gửi");
    late.findings.photos = vec![never_sent(9_999)];
    let (st, b) = s.push(&officer, "tab-hoalu", &[submit(1, late)]).await;
    assert_eq!(
        (st, b["rejected"].as_array().map(Vec::len)),
        (200, Some(0)),
        "{b}"
    );

    // After the grace period: the report of the officer at work goes back to them; the
    // others stay waiting with the reviewer.
    let after = hoptac_server::storage::now_ms() + GRACE_MS + 60_000;
    assert_eq!(return_missing_photos(&db, after).await.unwrap(), 1);
    let sup = s.login("giamsat", "hoptac-giamsat").await;
    assert_eq!(
        s.report(&sup, "z-late").await.report.status,
        ReportStatus::Returned
    );
    for id in ["a-0000", "a-0199", "a-0249"] {
        assert_eq!(
            s.report(&sup, id).await.report.status,
            ReportStatus::Submitted,
            "{id}"
        );
    }
    // Once only, however often it runs.
    assert_eq!(return_missing_photos(&db, after + 1).await.unwrap(), 0);
}
