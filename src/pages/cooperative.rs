//! A cooperative's page: its profile, a visit note form, and its visits with their
//! sync state. Saving writes the visit and its outbox entry in one local transaction.

use crate::app::session;
use crate::i18n::{date, lang, t};
use crate::pages::home::{kind_label, status_label};
use crate::store::{LocalSync, LocalVisit};
use hoptac_core::model::{Cooperative, ReportStatus, VisitReport};
use hoptac_core::validate::{validate_visit, FieldError};
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

#[component]
pub fn CooperativePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let coop = RwSignal::new(None::<Cooperative>);
    let visits = RwSignal::new(Vec::<LocalVisit>::new());
    let loaded = RwSignal::new(false);
    Effect::new(move |_| {
        crate::sync::state().data_version.track();
        let id = id();
        leptos::task::spawn_local(async move {
            let store = crate::app_store();
            coop.set(store.cooperative(&id).await.ok().flatten());
            let mut v: Vec<LocalVisit> =
                store.visits().await.unwrap_or_default().into_iter().filter(|v| v.report.cooperative_id == id).collect();
            v.sort_by(|a, b| b.report.created_at.cmp(&a.report.created_at));
            visits.set(v);
            loaded.set(true);
        });
    });

    view! {
        <Show when=move || coop.with(|c| c.is_some())
            fallback=move || view! { <p class="muted">{move || if loaded.get() { t("Không tìm thấy hợp tác xã này trên máy.", "This cooperative is not on this tablet.") } else { "…" }}</p> }>
            {move || coop.get().map(|c| view! { <Profile coop=c/> })}
            <VisitForm cooperative_id=Signal::derive(id)/>
            <section>
                <h2>{move || t("Các lần khảo sát", "Visits")}</h2>
                <Show when=move || visits.with(|v| v.is_empty())>
                    <p class="empty">{move || t("Chưa có lần khảo sát nào.", "No visits yet.")}</p>
                </Show>
                <ul class="list visits" aria-label=move || t("Các lần khảo sát", "Visits")>
                    <For each=move || visits.get() key=|v| (v.report.id.clone(), format!("{:?}", v.sync)) let:v>
                        <li class="visit">
                            <span class="name">{date(&v.report.visit_date)}</span>
                            <SyncBadge sync=v.sync.clone()/>
                            <p class="note">{v.report.note.clone()}</p>
                        </li>
                    </For>
                </ul>
            </section>
        </Show>
    }
}

#[component]
fn SyncBadge(sync: LocalSync) -> impl IntoView {
    match sync {
        LocalSync::Pending => view! { <span class="badge pending">{move || t("Đang chờ đồng bộ", "Waiting to sync")}</span> }.into_any(),
        LocalSync::Synced => view! { <span class="badge ok">{move || t("Đã gửi", "Sent")}</span> }.into_any(),
        LocalSync::Rejected { message } => view! {
            <span class="badge bad" role="alert">{move || format!("{} {}", t("Bị từ chối:", "Refused:"), message.get(lang().get()))}</span>
        }.into_any(),
    }
}

#[component]
fn Profile(coop: Cooperative) -> impl IntoView {
    let c = coop.clone();
    view! {
        <section class="card">
            <h1>{c.name.clone()}</h1>
            <p class="meta">
                <span class="badge">{move || kind_label(coop.kind)}</span>
                " "{move || status_label(coop.status)}
            </p>
            <dl class="facts">
                <dt>{move || t("Chủ nhiệm", "Chair")}</dt><dd>{c.chair_name.clone().unwrap_or_default()}</dd>
                <dt>{move || t("Điện thoại", "Phone")}</dt><dd>{c.chair_phone.clone().unwrap_or_default()}</dd>
                <dt>{move || t("Thành viên", "Members")}</dt><dd>{c.members.map(|m| m.to_string()).unwrap_or_default()}</dd>
                <dt>{move || t("Sản phẩm, dịch vụ chính", "Main products or services")}</dt><dd>{c.main_products.clone().unwrap_or_default()}</dd>
            </dl>
        </section>
    }
}

#[component]
fn VisitForm(cooperative_id: Signal<String>) -> impl IntoView {
    let visit_date = RwSignal::new(crate::util::today());
    let note = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let saved = RwSignal::new(false);
    // The draft is restored when the page opens and saved on every change.
    let draft_loaded = RwSignal::new(false);
    Effect::new(move |_| {
        let key = crate::store::visit_draft_key(&cooperative_id.get());
        leptos::task::spawn_local(async move {
            if let Ok(Some(d)) = crate::app_store().draft::<crate::store::VisitDraft>(&key).await {
                visit_date.set(d.visit_date);
                note.set(d.note);
            }
            draft_loaded.set(true);
        });
    });
    let save_draft = move || {
        if !draft_loaded.get_untracked() {
            return;
        }
        let key = crate::store::visit_draft_key(&cooperative_id.get_untracked());
        let d = crate::store::VisitDraft { visit_date: visit_date.get_untracked(), note: note.get_untracked() };
        leptos::task::spawn_local(async move {
            let _ = crate::app_store().save_draft(&key, &d).await;
        });
    };
    let error_for = move |field: &'static str| {
        move || errors.with(|e| e.iter().find(|e| e.field == field).map(|e| e.message.get(lang().get()).to_string()))
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(s) = session().get_untracked() else { return };
        let now = crate::util::now_ms();
        let report = VisitReport {
            id: crate::util::new_id(),
            cooperative_id: cooperative_id.get_untracked(),
            author_id: s.user.id.clone(),
            author_name: s.user.display_name.clone(),
            visit_date: visit_date.get_untracked(),
            note: note.get_untracked().trim().to_string(),
            status: ReportStatus::Submitted,
            revision: 1,
            created_at: now,
            area_path: String::new(),
            received_at: None,
            findings: Default::default(),
        };
        let problems = validate_visit(&report, Some(&crate::util::today()));
        saved.set(false);
        if !problems.is_empty() {
            errors.set(problems);
            return;
        }
        errors.set(Vec::new());
        let key = crate::store::visit_draft_key(&cooperative_id.get_untracked());
        leptos::task::spawn_local(async move {
            match crate::app_store().save_visit(report, now, Some(&key)).await {
                Ok(_) => {
                    note.set(String::new());
                    saved.set(true);
                    crate::sync::local_changed().await;
                    crate::sync::sync_now();
                }
                Err(e) => errors.set(vec![FieldError {
                    field: "note".into(),
                    message: hoptac_core::i18n::Msg::new(format!("Không lưu được trên máy: {e}"), format!("Could not save on this tablet: {e}")),
                }]),
            }
        });
    };
    view! {
        <section class="card">
            <h2>{move || t("Ghi chép chuyến khảo sát", "Write a visit note")}</h2>
            <form on:submit=on_submit novalidate>
                <label for="visit-date">{move || t("Ngày khảo sát", "Visit date")}</label>
                <input id="visit-date" type="date" prop:value=move || visit_date.get()
                    on:input=move |ev| { visit_date.set(event_target_value(&ev)); save_draft(); }
                    aria-invalid=move || error_for("visit_date")().is_some().to_string()
                    aria-describedby="visit-date-error"/>
                <p id="visit-date-error" class="field-error">{error_for("visit_date")}</p>
                <label for="visit-note">{move || t("Nội dung làm việc", "What you found")}</label>
                <textarea id="visit-note" rows="5" prop:value=move || note.get()
                    on:input=move |ev| { note.set(event_target_value(&ev)); save_draft(); }
                    aria-invalid=move || error_for("note")().is_some().to_string()
                    aria-describedby="visit-note-error"></textarea>
                <p id="visit-note-error" class="field-error">{error_for("note")}</p>
                <button type="submit" class="primary">{move || t("Lưu phiếu", "Save report")}</button>
                <Show when=move || saved.get()>
                    <p class="ok" role="status">{move || t(
                        "Đã lưu trên máy. Phiếu sẽ được gửi khi có mạng.",
                        "Saved on this tablet. It will be sent when online.")}</p>
                </Show>
            </form>
        </section>
    }
}
