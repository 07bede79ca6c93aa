//! The officer's reports returned for correction (issue 3 item 4, issue 5): on the home
//! screen until fixed, each with the supervisor's comment and a way to fix and resubmit.

use crate::i18n::{date, t, tx};
use crate::store::LocalVisit;
use hoptac_core::model::ReportStatus;
use hoptac_core::review::Action;
use leptos::prelude::*;

#[component]
pub fn ReturnedReports() -> impl IntoView {
    let list = RwSignal::new(Vec::<(LocalVisit, String)>::new());
    Effect::new(move |_| {
        crate::sync::state().data_version.track();
        leptos::task::spawn_local(async move {
            let store = crate::app_store();
            let me = crate::app::session()
                .get_untracked()
                .map(|s| s.user.id)
                .unwrap_or_default();
            let mut out = Vec::new();
            for v in store.visits().await.unwrap_or_default() {
                if v.report.status == ReportStatus::Returned && v.report.author_id == me {
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
            list.set(out);
        });
    });
    view! {
        <Show when=move || list.with(|l| !l.is_empty())>
            <section class="card warn" aria-labelledby="returned-h">
                <h2 id="returned-h">{move || format!("{} ({})", t("Phiếu bị trả lại để sửa", "Reports returned for correction"), list.with(Vec::len))}</h2>
                <ul class="list">
                    {crate::components::each(move || list.get(), |item| {
                            let (v, name) = item;
                            let comment = v.report.events.iter().rev().find(|e| e.action == Action::Return).map(|e| format!("{}: “{}”", e.by_name, e.text)).unwrap_or_default();
                            let href = format!("/htx/{}/khao-sat?sua={}", v.report.cooperative_id, v.report.id);
                            view! {
                                <li>
                                    <p><strong>{name}</strong>" — "{date(&v.report.visit_date)}</p>
                                    <p class="comment">{comment}</p>
                                    <a href=href class="button primary">{tx("Sửa và gửi lại", "Fix and resubmit")}</a>
                                </li>
                            }.into_any()
                        })}
                </ul>
            </section>
        </Show>
    }
}
