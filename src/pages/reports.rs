//! The supervisor's list of submitted visit reports (synced to this device).

use crate::app::session;
use crate::i18n::{date, date_time, tx};
use crate::store::LocalVisit;
use leptos::prelude::*;
use leptos_router::components::{Redirect, A};

#[component]
pub fn ReportsPage() -> impl IntoView {
    let visits = RwSignal::new(Vec::<(LocalVisit, String)>::new());
    Effect::new(move |_| {
        crate::sync::state().data_version.track();
        leptos::task::spawn_local(async move {
            let store = crate::app_store();
            let coops = store.cooperatives().await.unwrap_or_default();
            let v: Vec<(LocalVisit, String)> = store
                .visits()
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|v| {
                    let name = coops
                        .iter()
                        .find(|c| c.id == v.report.cooperative_id)
                        .map(|c| c.name.clone())
                        .unwrap_or_default();
                    (v, name)
                })
                .collect();
            let v = crate::util::sort_by_key(v, |(v, _)| {
                (
                    u64::MAX - v.report.received_at.unwrap_or(v.report.created_at).max(0) as u64,
                    String::new(),
                )
            });
            visits.set(v);
        });
    });
    view! {
        <Show when=move || crate::app::session_loaded().get() && session().with(|s| s.is_none())>
            <Redirect path="/dang-nhap"/>
        </Show>
        <crate::components::conflicts::OpenConflicts/>
        <section>
            <h1>{tx("Phiếu khảo sát đã gửi", "Submitted visit reports")}</h1>
            <Show when=move || visits.with(|v| v.is_empty())>
                <p class="empty">{tx("Chưa có phiếu nào.", "No reports yet.")}</p>
            </Show>
            <table class="table" aria-label=tx("Phiếu khảo sát", "Visit reports")>
                <thead><tr>
                    <th scope="col">{tx("Hợp tác xã", "Cooperative")}</th>
                    <th scope="col">{tx("Ngày khảo sát", "Visit date")}</th>
                    <th scope="col">{tx("Cán bộ", "Officer")}</th>
                    <th scope="col">{tx("Nội dung", "Note")}</th>
                    <th scope="col">{tx("Nhận lúc", "Received")}</th>
                    <th scope="col">{tx("Trạng thái", "Status")}</th>
                </tr></thead>
                <tbody>
                    <For each=move || visits.get() key=|(v, _)| (v.report.id.clone(), v.report.status, v.report.revision) let:item>
                        <tr>
                            <td><A href=format!("/bao-cao/{}", item.0.report.id)>{item.1.clone()}</A></td>
                            <td>{date(&item.0.report.visit_date)}</td>
                            <td>{item.0.report.author_name.clone()}</td>
                            <td class="note">{item.0.report.note.clone()}</td>
                            <td>{item.0.report.received_at.map(date_time).unwrap_or_default()}</td>
                            <td>{let st = item.0.report.status; move || status_label(st)}</td>
                        </tr>
                    </For>
                </tbody>
            </table>
        </section>
    }
}

/// A report's review state in the chosen language.
pub fn status_label(s: hoptac_core::model::ReportStatus) -> &'static str {
    use hoptac_core::model::ReportStatus::*;
    match s {
        Draft => crate::i18n::t("Nháp", "Draft"),
        Submitted => crate::i18n::t("Chờ duyệt", "Submitted"),
        Returned => crate::i18n::t("Trả lại để sửa", "Returned"),
        Resubmitted => crate::i18n::t("Đã gửi lại", "Resubmitted"),
        Approved => crate::i18n::t("Đã duyệt", "Approved"),
        Rejected => crate::i18n::t("Bị từ chối", "Rejected"),
    }
}
