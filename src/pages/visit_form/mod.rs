//! The visit report form: every field of DOMAIN.md, in sections a tablet user moves through
//! (a section menu at the top, one fieldset per section). The draft is saved to the local
//! store on every change, so a crash, a reload, an update or a dead battery loses nothing.
//! Validation is the shared crate's, so the server applies the same rules; each message
//! stands next to its field.

use crate::i18n::{t, vi_en};
use crate::store::visit_draft_key;
use hoptac_core::model::{Cooperative, ReportStatus, VisitReport};
use hoptac_core::validate::{validate_visit, FieldError};
use inputs::Form;
use leptos::prelude::*;
use sections::*;

mod inputs;
mod sections;

fn new_report(cooperative_id: &str, session: crate::session::Session) -> VisitReport {
    let s = session.user.get_untracked();
    VisitReport {
        id: crate::util::new_id(),
        cooperative_id: cooperative_id.to_string(),
        author_id: s.as_ref().map(|s| s.user.id.clone()).unwrap_or_default(),
        author_name: s
            .as_ref()
            .map(|s| s.user.display_name.clone())
            .unwrap_or_default(),
        visit_date: crate::util::today(),
        note: String::new(),
        findings: Default::default(),
        status: ReportStatus::Draft,
        revision: 1,
        created_at: crate::util::now_ms(),
        area_path: String::new(),
        received_at: None,
        events: Vec::new(),
        author_left_area_at: None,
        written_area_path: None,
    }
}

#[component]
pub fn VisitFormPage() -> impl IntoView {
    let session = crate::session::use_session();
    let coop_v = StoredValue::new(crate::router::segment(1));
    let coop_id = Signal::derive(move || coop_v.get_value());
    // `?sua=<report id>`: fixing a report the supervisor returned (a new revision).
    let fix = StoredValue::new(crate::router::query("sua").filter(|s| !s.is_empty()));
    let fixing = Signal::derive(move || fix.get_value());
    let key = Signal::derive(move || match fixing.get() {
        Some(id) => format!("draft:visit-fix:{id}"),
        None => visit_draft_key(&coop_id.get()),
    });
    let returned_comment = RwSignal::new(None::<(String, String)>);
    // The server's reason, when it refused this report ("Cần sửa", issue 13); and whether
    // it was a new report (sent again as one) rather than a correction.
    let refused = RwSignal::new(None::<hoptac_core::i18n::Msg>);
    let refused_new = StoredValue::new(false);
    // The photos of the report being fixed as the tablet holds it: those the fix leaves
    // out are deleted once it is saved (never uploaded).
    let photos_before = StoredValue::new(Vec::<String>::new());
    let coop = RwSignal::new(None::<Cooperative>);
    let form = Form {
        draft: RwSignal::new(new_report("", session)),
        errors: RwSignal::new(Vec::new()),
        key,
        reference: crate::labels::use_reference(),
        coop_path: RwSignal::new(String::new()),
    };
    // The cooperative and the report to start from (a draft, a report to fix, or a new
    // one), read into the form once per cooperative (a sync meanwhile must not overwrite
    // what the officer is typing).
    let ready = crate::resources::once(move || {
        let id = coop_id.get();
        async move {
            let store = crate::handles::store();
            let found = store.cooperative(&id).await.ok().flatten();
            let profile_status = found.as_ref().map(|c| c.status);
            form.coop_path.set(
                found
                    .as_ref()
                    .map(|c| c.area_path.clone())
                    .unwrap_or_default(),
            );
            coop.set(found);
            let draft = store
                .draft::<VisitReport>(&key.get_untracked())
                .await
                .ok()
                .flatten();
            let local = match fixing.get_untracked() {
                Some(vid) => store.visit_by_id(&vid).await.ok().flatten(),
                None => None,
            };
            if let Some(crate::store::LocalVisit {
                sync: crate::store::LocalSync::Rejected { message, fields },
                report,
            }) = &local
            {
                refused.set(Some(message.clone()));
                refused_new.set_value(report.status == ReportStatus::Submitted);
                // Each reason next to its field, until the officer sends it again.
                form.errors.set(fields.clone());
            }
            if let Some(v) = &local {
                photos_before.set_value(
                    v.report
                        .findings
                        .photos
                        .iter()
                        .map(|p| p.hash.clone())
                        .collect(),
                );
            }
            let start = match draft {
                Some(d) => Some(d),
                None => local.map(|v| v.report),
            };
            if let Some(r) = start.as_ref().filter(|_| fixing.get_untracked().is_some()) {
                returned_comment.set(
                    r.events
                        .iter()
                        .rev()
                        .find(|e| e.action == hoptac_core::decisions::Action::Return)
                        .map(|e| (e.text.clone(), e.by_name.clone())),
                );
            }
            form.draft.set(start.unwrap_or_else(|| {
                // A new report starts from the status the profile gives; the officer
                // confirms or changes it (the review counts standstills by it).
                let mut r = new_report(&id, session);
                r.findings.operating_status = profile_status;
                r
            }));
        }
    });

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let report = form.draft.get_untracked();
        let problems = validate_visit(&report, Some(&crate::util::today()));
        if !problems.is_empty() {
            form.errors.set(problems);
            if let Some(el) = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("form-errors"))
            {
                el.scroll_into_view();
            }
            return;
        }
        form.errors.set(Vec::new());
        let key = key.get_untracked();
        let fix = fixing.get_untracked().is_some() && !refused_new.get_value();
        let dropped: Vec<String> = photos_before
            .get_value()
            .into_iter()
            .filter(|h| !report.findings.photos.iter().any(|p| &p.hash == h))
            .collect();
        leptos::task::spawn_local(async move {
            let id = report.cooperative_id.clone();
            let store = crate::handles::store();
            let saved = if fix {
                store
                    .save_resubmission(report, crate::util::now_ms(), Some(&key))
                    .await
                    .map(|_| ())
            } else {
                store
                    .save_visit(report, crate::util::now_ms(), Some(&key))
                    .await
                    .map(|_| ())
            };
            match saved {
                Ok(_) => {
                    for h in &dropped {
                        let _ = store.forget_photo(h).await;
                    }
                    crate::sync::local_changed().await;
                    crate::sync::sync_now();
                    crate::router::navigate(&format!("/htx/{id}?saved=1"));
                }
                Err(e) => form.errors.set(vec![FieldError {
                    field: "form".into(),
                    message: hoptac_core::i18n::Msg::new(
                        format!("Không lưu được trên máy: {e}"),
                        format!("Could not save on this tablet: {e}"),
                    ),
                }]),
            }
        });
    };

    let sections: [(&'static str, &'static str, &'static str); 9] = [
        ("chung", "Chung", "General"),
        ("tai-chinh", "Tài chính", "Finances"),
        ("chuoi-gia-tri", "Chuỗi giá trị", "Value chain"),
        ("kho-khan", "Khó khăn", "Difficulties"),
        ("ho-tro", "Hỗ trợ", "Support"),
        ("chuyen-doi-so", "Chuyển đổi số", "Digital"),
        ("tuan-thu", "Tuân thủ, chứng nhận", "Compliance"),
        ("viec-can-lam", "Việc cần làm", "Follow-up"),
        ("anh", "Ảnh", "Photos"),
    ];

    view! {
        <Suspense fallback=|| view! { <p class="muted">"…"</p> }>
        <Show when=move || ready.get().is_some()>
            <section class="form-head">
                <p><a href=move || format!("/htx/{}", coop_id.get())>{move || format!("← {}", coop.with(|c| c.as_ref().map(|c| c.name.clone()).unwrap_or_default()))}</a></p>
                <h1>{vi_en("Phiếu khảo sát hợp tác xã", "Cooperative visit report")}</h1>
                <crate::components::refused::RefusedNote reason=refused
                    headline=("Cần sửa: máy chủ chưa nhận phiếu này.", "Needs fixing: the server did not accept this report.")/>
                <Show when=move || returned_comment.with(Option::is_some)>
                    <div class="card warn" role="note" aria-label=vi_en("Nhận xét của giám sát viên", "The supervisor's comment")>
                        <p><strong>{vi_en("Phiếu bị trả lại để sửa.", "Returned for correction.")}</strong>" "
                        {move || returned_comment.with(|c| c.as_ref().map(|(text, by)| format!("{by}: “{text}”")).unwrap_or_default())}</p>
                    </div>
                </Show>
                <p class="muted">{vi_en("Bản nháp được lưu tự động trên máy sau mỗi thay đổi.", "The draft is saved on this tablet after every change.")}</p>
                <nav class="sections" aria-label=vi_en("Các phần của phiếu", "Report sections")>
                    {sections.iter().map(|(id, vi, en)| {
                        let (vi, en) = (*vi, *en);
                        view! { <a href=format!("#{id}")>{vi_en(vi, en)}</a> }
                    }).collect_view()}
                </nav>
            </section>
            <div id="form-errors" role="alert">
                <Show when=move || form.errors.with(|e| !e.is_empty())>
                    <p class="error summary">{move || {
                        let n = form.errors.with(|e| e.len());
                        crate::i18n::ts(format!("Phiếu còn {n} lỗi, xem các ô được đánh dấu đỏ."), format!("{n} problem(s): see the fields marked in red."))
                    }}</p>
                </Show>
            </div>
            <form class="report" on:submit=on_submit.clone() novalidate>
                <General form=form/>
                <FinancesSection form=form/>
                <ValueChainSection form=form/>
                <DifficultiesSection form=form/>
                <SupportSection form=form/>
                <DigitalSection form=form/>
                <ComplianceSection form=form/>
                <FollowUpSection form=form/>
                <PhotosSection form=form/>
                <div class="actions">
                    <button type="submit" class="primary">{move || if fixing.get().is_some() { t("Gửi lại phiếu đã sửa", "Resubmit the corrected report") } else { t("Gửi phiếu", "Submit report") }}</button>
                    <span class="muted">{vi_en("Phiếu được lưu trên máy và gửi khi có mạng.", "It is kept on this tablet and sent when online.")}</span>
                </div>
            </form>
        </Show>
        </Suspense>
    }
}
