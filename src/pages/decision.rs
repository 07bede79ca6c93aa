//! A submission as the supervisor reviews it (online): the report, the fields changed since
//! the previous revision, the thread, and the decisions (approve; return with a comment;
//! reject with a reason). The rules are the shared crate's (hoptac_core::decisions).

use crate::i18n::{date, date_time, lang, t, vi_en};
use hoptac_core::decisions::{Action, DecisionRequest};
use leptos::prelude::*;

fn action_label(a: Action) -> (&'static str, &'static str) {
    match a {
        Action::Submit => ("Gửi phiếu", "Submitted"),
        Action::Resubmit => ("Gửi lại phiếu đã sửa", "Resubmitted"),
        Action::Approve => ("Duyệt", "Approved"),
        Action::Return => ("Trả lại để sửa", "Returned for correction"),
        Action::Reject => ("Từ chối", "Rejected"),
        Action::Comment => ("Bình luận", "Comment"),
    }
}

/// A changed field's path in words, from the report's field catalogue: its label on the
/// form, with the unit (the values shown are as stored: đồng, counts); the path itself
/// for a field it does not know.
fn path_label(path: &str) -> String {
    match hoptac_core::fields::get(path) {
        Some(f) => t(f.form_label.0, f.form_label.1).to_string(),
        None => path.to_string(),
    }
}

#[component]
pub fn DecisionPage() -> impl IntoView {
    let session = crate::session::use_session();
    let id = crate::router::segment(1);
    // The submission with its previous revision (online); a decision updates it in place.
    let detail = crate::resources::once({
        let id = id.clone();
        move || {
            let (id, user) = (id.clone(), session.user.get());
            async move {
                let s = user.ok_or(crate::api::ApiError::Network)?;
                crate::api::visits::visit_detail(&s.token, &id).await
            }
        }
    });
    let loaded = move || detail.with(|d| d.as_ref().and_then(|d| d.as_ref().ok()).cloned());
    // Why it cannot be shown, or why a decision was not taken.
    let error = RwSignal::new(None::<hoptac_core::i18n::Msg>);
    Effect::new(move |_| {
        if let Some(m) = detail.with(|d| d.and_then(|d| d.as_ref().err()).map(|e| e.user_message()))
        {
            error.set(Some(m));
        }
    });
    let comment = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let audit_href = format!("/nhat-ky/visit/{id}");
    let act = Callback::new(move |action: Action| {
        let id = id.clone();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let Some(s) = session.user.get_untracked() else {
                return;
            };
            let req = DecisionRequest {
                action,
                text: comment.get_untracked(),
            };
            match crate::api::visits::decide(&s.token, &id, &req).await {
                Ok(report) => {
                    detail.update(|d| {
                        if let Ok(d) = d {
                            d.report = report;
                        }
                    });
                    comment.set(String::new());
                    crate::sync::sync_now();
                }
                Err(e) => error.set(Some(e.user_message())),
            }
            busy.set(false);
        });
    });
    let open = move || {
        detail.with(|d| {
            d.as_ref()
                .and_then(|d| d.as_ref().ok())
                .map(|d| {
                    matches!(
                        d.report.status,
                        hoptac_core::model::ReportStatus::Submitted
                            | hoptac_core::model::ReportStatus::Resubmitted
                    )
                })
                .unwrap_or(false)
        })
    };
    view! {
        <p class="actions"><a href="/bao-cao">{vi_en("← Danh sách phiếu", "← Reports")}</a>
            <a href=audit_href>{vi_en("Nhật ký thay đổi của phiếu", "This report's change history")}</a></p>
        <div role="alert">{move || error.get().map(|m| view! { <p class="error">{m.get(lang().get()).to_string()}</p> })}</div>
        <Suspense fallback=|| view! { <p class="muted">"…"</p> }>
        {move || loaded().map(|d| {
            let r = d.report.clone();
            view! {
                <section class="card">
                    <h1>{vi_en("Phiếu khảo sát", "Visit report")}" — "{date(&r.visit_date)}</h1>
                    <p class="meta">{r.author_name.clone()}" · "{vi_en("Lần", "Revision")}" "{r.revision}" · "
                        <span class="badge" role="status">{move || crate::labels::report_status_label(r.status)}</span></p>
                    {r.author_left_area_at.map(|at| view! {
                        <p class="badge warn" data-testid="left-area">{move || crate::i18n::ts(
                            format!("Viết khi cán bộ còn phụ trách địa bàn này (đến {}), nhận sau khi chuyển địa bàn.", crate::i18n::date_time(at)),
                            format!("Written while the officer still covered this area (until {}), received after the reassignment.", crate::i18n::date_time(at)))}</p>
                    })}
                    <crate::components::report_view::ReportFacts report=r.clone()/>
                </section>
                <Show when={let has = d.previous.is_some(); move || has}>
                    <section class="card" aria-labelledby="changes-h">
                        <h2 id="changes-h">{vi_en("Các ô đã sửa so với lần trước", "Fields changed since the previous revision")}</h2>
                        <ul class="list" aria-label=vi_en("Các ô đã sửa", "Changed fields")>
                            {d.changes.iter().map(|c| {
                                let (p, o, n) = (c.path.clone(), c.old.clone(), c.new.clone());
                                view! { <li>{move || path_label(&p)}": "<del>{o.clone()}</del>" → "<ins>{n.clone()}</ins></li> }
                            }).collect_view()}
                        </ul>
                    </section>
                </Show>
                <section class="card" aria-labelledby="thread-h">
                    <h2 id="thread-h">{vi_en("Trao đổi", "Thread")}</h2>
                    <ul class="list">
                        {r.events.iter().map(|e| {
                            let (vi, en) = action_label(e.action);
                            let line = format!("{} · {}", e.by_name, date_time(e.at));
                            let text = e.text.clone();
                            view! { <li><strong>{vi_en(vi, en)}</strong>" — "{line}<p>{text}</p></li> }
                        }).collect_view()}
                    </ul>
                </section>
            }
        })}
        </Suspense>
        <Show when=move || detail.with(|d| matches!(d, Some(Ok(_))))>
            <section class="card" aria-labelledby="decide-h">
                <h2 id="decide-h">{move || if open() { t("Quyết định", "Decision") } else { t("Bình luận", "Comment") }}</h2>
                <label for="decision-text">{vi_en("Nhận xét hoặc lý do", "Comment or reason")}</label>
                <textarea id="decision-text" rows="3" prop:value=move || comment.get() on:input=move |ev| comment.set(crate::util::typed(&ev))></textarea>
                <div class="actions">
                    <Show when=open>
                        <button type="button" class="primary" disabled=move || busy.get() on:click=move |_| act.run(Action::Approve)>{vi_en("Duyệt", "Approve")}</button>
                        <button type="button" disabled=move || busy.get() on:click=move |_| act.run(Action::Return)>{vi_en("Trả lại để sửa", "Return for correction")}</button>
                        <button type="button" disabled=move || busy.get() on:click=move |_| act.run(Action::Reject)>{vi_en("Từ chối", "Reject")}</button>
                    </Show>
                    <button type="button" disabled=move || busy.get() on:click=move |_| act.run(Action::Comment)>{vi_en("Gửi bình luận", "Post a comment")}</button>
                </div>
            </section>
        </Show>
    }
}
