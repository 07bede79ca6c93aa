//! The officer's reports to fix, on the home screen until fixed: those a supervisor
//! returned for correction (issue 5), with the comment, and those the server refused
//! ("Cần sửa", issue 13), with its reason; each opens in its form.

use crate::i18n::{date, t, vi_en};
use hoptac_core::decisions::Action;
use hoptac_core::model::ReportStatus;
use leptos::prelude::*;

#[component]
pub fn ReturnedReports() -> impl IntoView {
    let session = crate::session::use_session();
    // The officer's reports to fix (each with its cooperative's name), and the
    // registrations and edits the server refused.
    let to_fix = crate::resources::synced(move || {
        let me = session
            .user
            .with_untracked(|s| s.as_ref().map(|s| s.user.id.clone()))
            .unwrap_or_default();
        async move {
            let store = crate::handles::store();
            let mut out = Vec::new();
            for v in store.visits().await.unwrap_or_default() {
                let to_fix = v.report.status == ReportStatus::Returned
                    || matches!(v.sync, crate::store::LocalSync::Rejected { .. });
                if to_fix && v.report.author_id == me {
                    let name = store
                        .cooperative(&v.report.cooperative_id)
                        .await
                        .ok()
                        .flatten()
                        .map(|c| c.name)
                        .unwrap_or_default();
                    out.push((v, name));
                }
            }
            (out, store.refused_coops().await.unwrap_or_default())
        }
    });
    let list = move || to_fix.with(|t| t.map(|t| t.0.clone()).unwrap_or_default());
    let coops = move || to_fix.with(|t| t.map(|t| t.1.clone()).unwrap_or_default());
    let count = move || to_fix.with(|t| t.map_or(0, |t| t.0.len() + t.1.len()));
    view! {
        <Show when=move || 0 < count()>
            <section class="card warn" aria-labelledby="returned-h">
                <h2 id="returned-h">{move || format!("{} ({})", t("Phiếu cần sửa", "Reports to fix"), count())}</h2>
                <ul class="list">
                    {crate::components::each(list, |item| {
                            let (v, name) = item;
                            let comment = match &v.sync {
                                crate::store::LocalSync::Rejected { message, .. } => {
                                    let m = message.clone();
                                    crate::i18n::ts(format!("Cần sửa — máy chủ chưa nhận: {}", m.vi), format!("Needs fixing — the server did not accept it: {}", m.en))
                                }
                                _ => v.report.events.iter().rev().find(|e| e.action == Action::Return).map(|e| format!("{}: “{}”", e.by_name, e.text)).unwrap_or_default(),
                            };
                            let href = format!("/htx/{}/khao-sat?sua={}", v.report.cooperative_id, v.report.id);
                            view! {
                                <li data-testid="to-fix">
                                    <p><strong>{name}</strong>" — "{date(&v.report.visit_date)}</p>
                                    <p class="comment">{comment}</p>
                                    <a href=href class="button primary">{vi_en("Sửa và gửi lại", "Fix and resubmit")}</a>
                                </li>
                            }.into_any()
                        })}
                </ul>
                <ul class="list">
                    {crate::components::each(coops, |r| {
                            let what = if r.base.is_some() { ("Sửa hồ sơ", "Profile edit") } else { ("Đăng ký mới", "New registration") };
                            let m = r.message.clone();
                            let reason = crate::i18n::ts(format!("Cần sửa — máy chủ chưa nhận: {}", m.vi), format!("Needs fixing — the server did not accept it: {}", m.en));
                            let href = format!("/htx/{}/sua", r.record.id);
                            view! {
                                <li data-testid="to-fix">
                                    <p><strong>{r.record.name.clone()}</strong>" — "{vi_en(what.0, what.1)}</p>
                                    <p class="comment">{reason}</p>
                                    <a href=href class="button primary">{vi_en("Sửa và gửi lại", "Fix and send again")}</a>
                                </li>
                            }.into_any()
                        })}
                </ul>
            </section>
        </Show>
    }
}
