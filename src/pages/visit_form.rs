//! The visit report form: every field of DOMAIN.md, in sections a tablet user moves through
//! (a section menu at the top, one fieldset per section). The draft is saved to the local
//! store on every change, so a crash, a reload, an update or a dead battery loses nothing.
//! Validation is the shared crate's, so the server applies the same rules; each message
//! stands next to its field.

use crate::i18n::{lang, t, vi_en, vnd};
use crate::store::visit_draft_key;
use hoptac_core::fields::Section;
use hoptac_core::model::{Cooperative, ReportStatus, VisitReport};
use hoptac_core::reference::{offered, ListKind, ReferenceItem, OTHER};
use hoptac_core::report::{Certification, ChainStage, FollowUp, Labelled, Position, ShockImpact};
use hoptac_core::validate::{validate_visit, FieldError};
use leptos::prelude::*;
use serde::Serialize;

/// What every field of the form needs: the draft, the errors, and "save the draft now".
#[derive(Clone, Copy)]
struct Form {
    draft: RwSignal<VisitReport>,
    errors: RwSignal<Vec<FieldError>>,
    key: Signal<String>,
    /// The reference lists the choices come from (programmes, difficulties, support).
    reference: crate::resources::Resource<Vec<ReferenceItem>>,
    /// The cooperative's area path: only the items of its area and those above it apply.
    coop_path: RwSignal<String>,
}

impl Form {
    /// Changes the draft and saves it to the store.
    fn edit(self, f: impl FnOnce(&mut VisitReport)) {
        self.draft.update(f);
        self.save();
    }

    /// Saves the draft (not generic: one copy of the saving code for every field), through
    /// the drafts worker (crate::drafts).
    fn save(self) {
        let draft = self.draft;
        // Serialised from the signal, without cloning the report.
        crate::drafts::save_now(self.key.get_untracked(), move || {
            draft
                .try_with_untracked(|d| {
                    d.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
                        .ok()
                })
                .flatten()
        });
    }

    /// The message for `field`, in the current language.
    fn error(self, field: String) -> impl Fn() -> Option<String> + Send + Sync + 'static {
        let errors = self.errors;
        move || {
            errors.with(|e| {
                e.iter()
                    .find(|e| e.field == field)
                    .map(|e| e.message.get(lang().get()).to_string())
            })
        }
    }
}

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
                <Show when=move || refused.with(Option::is_some)>
                    <div class="card warn" role="note" data-testid="refused" aria-label=vi_en("Lý do máy chủ chưa nhận", "Why the server did not accept it")>
                        <p><strong>{vi_en("Cần sửa: máy chủ chưa nhận phiếu này.", "Needs fixing: the server did not accept this report.")}</strong>" "
                        {move || refused.get().map(|m| m.get(lang().get()).to_string()).unwrap_or_default()}</p>
                    </div>
                </Show>
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

/// A message under a field (empty when none).
fn field_error(
    id: String,
    msg: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> impl IntoView {
    view! { <p id=id class="field-error">{msg}</p> }
}

#[component]
fn General(form: Form) -> impl IntoView {
    let date_err = form.error("visit_date".into());
    let note_err = form.error("note".into());
    let pos_err = form.error("findings.position".into());
    let gps_state = RwSignal::new(None::<hoptac_core::i18n::Msg>);
    let take_gps = move |_| {
        gps_state.set(Some(hoptac_core::i18n::Msg::new(
            "Đang lấy vị trí…",
            "Getting the position…",
        )));
        leptos::task::spawn_local(async move {
            match crate::pwa::current_position().await {
                Ok((lat, lon, acc)) => {
                    form.edit(|d| {
                        d.findings.position = Some(Position {
                            lat,
                            lon,
                            accuracy_m: Some(acc),
                        })
                    });
                    gps_state.set(None);
                }
                Err(1) => gps_state.set(Some(hoptac_core::i18n::Msg::new(
                    "Chưa được phép dùng vị trí. Hãy cho phép trong cài đặt trình duyệt.",
                    "Location is not allowed. Allow it in the browser settings.",
                ))),
                Err(_) => gps_state.set(Some(hoptac_core::i18n::Msg::new(
                    "Không lấy được vị trí. Hãy ra chỗ thoáng và thử lại.",
                    "Could not get the position. Move into the open and try again.",
                ))),
            }
        });
    };
    // Each field follows its own value (a memo): a keystroke in one field does not touch
    // the others' DOM, so the draft's save is not held up by re-rendering the form.
    let date_v = Memo::new(move |_| form.draft.read().visit_date.clone());
    let note_v = Memo::new(move |_| form.draft.read().note.clone());
    let status_v = Memo::new(move |_| form.draft.read().findings.operating_status);
    view! {
        <fieldset id="chung">
            <legend>{section_view(Section::General)}</legend>
            <label for="visit-date">{label_view("visit_date")}</label>
            <input id="visit-date" type="date" prop:value=move || date_v.get()
                on:input=move |ev| { let v = crate::util::typed(&ev); form.edit(|d| d.visit_date = v) }
                aria-invalid=move || form.error("visit_date".into())().is_some().to_string() aria-describedby="visit-date-error"/>
            {field_error("visit-date-error".into(), date_err)}
            <label for="visit-note">{label_view("note")}</label>
            <textarea id="visit-note" rows="5" prop:value=move || note_v.get()
                on:input=move |ev| { let v = crate::util::typed(&ev); form.edit(|d| d.note = v) }
                aria-invalid=move || form.error("note".into())().is_some().to_string() aria-describedby="visit-note-error visit-note-count"></textarea>
            <span id="visit-note-count" data-testid="note-count"
                class=move || { if hoptac_core::limits::chars(&note_v.read()) > hoptac_core::limits::NOTE { "hint error" } else { "hint" } }>
                {move || format!("{} {}", t("Số ký tự:", "Characters:"), hoptac_core::limits::counter(&note_v.read(), hoptac_core::limits::NOTE))}</span>
            {field_error("visit-note-error".into(), note_err)}
            <label for="operating-status">{label_view("findings.operating_status")}</label>
            <select id="operating-status" on:change=move |ev| {
                let v = crate::util::typed(&ev);
                form.edit(|d| d.findings.operating_status = hoptac_core::keyed::Keyed::from_key(&v));
            }>
                <option value="" selected=move || status_v.get().is_none()>{vi_en("— Chưa chọn —", "— Not chosen —")}</option>
                {crate::labels::STATUSES.iter().map(|&st| view! {
                    <option value=hoptac_core::keyed::Keyed::key(st) selected=move || status_v.get() == Some(st)>{move || crate::labels::status_label(st)}</option>
                }).collect_view()}
            </select>
            <div class="gps">
                <button type="button" on:click=take_gps>{vi_en("Lấy vị trí GPS", "Take GPS position")}</button>
                <span>{move || form.draft.read().findings.position.as_ref().map(|p| format!("{:.5}, {:.5} (±{} m)", p.lat, p.lon, p.accuracy_m.unwrap_or(0.0).round())).unwrap_or_default()}</span>
                <span class="muted">{move || gps_state.get().map(|m| m.get(lang().get()).to_string())}</span>
            </div>
            {field_error("gps-error".into(), pos_err)}
        </fieldset>
    }
}

/// A money field in VND: digits only (separators typed are dropped), shown grouped below.
fn money(
    form: Form,
    id: &'static str,
    field: &'static str,
    get: fn(&VisitReport) -> Option<i64>,
    set: fn(&mut VisitReport, Option<i64>),
    allow_negative: bool,
) -> impl IntoView {
    let label = label_of(field);
    let err_id = format!("{id}-error");
    let cur = Memo::new(move |_| get(&form.draft.read()));
    view! {
        <div class="field">
            <label for=id>{vi_en(label.0, label.1)}</label>
            <input id=id type="text" inputmode="numeric" autocomplete="off"
                prop:value=move || cur.get().map(|v| v.to_string()).unwrap_or_default()
                on:input=move |ev| {
                    let raw = crate::util::typed(&ev);
                    let negative = allow_negative && raw.trim_start().starts_with('-');
                    let digits: String = raw.chars().filter(|c| c.is_ascii_digit()).collect();
                    let value = digits.parse::<i64>().ok().map(|v| if negative { -v } else { v });
                    form.edit(|d| set(d, value));
                }
                aria-invalid=move || form.error(field.into())().is_some().to_string()
                aria-describedby=err_id.clone()/>
            <span class="hint">{move || cur.get().map(vnd).unwrap_or_default()}</span>
            {field_error(err_id.clone(), form.error(field.into()))}
        </div>
    }
}

/// A group of checkboxes for a list of enum values.
fn checks<T: Labelled + PartialEq + Send + Sync>(
    form: Form,
    name: &'static str,
    legend: (&'static str, &'static str),
    get: fn(&VisitReport) -> &Vec<T>,
    get_mut: fn(&mut VisitReport) -> &mut Vec<T>,
) -> impl IntoView {
    let cur = Memo::new(move |_| get(&form.draft.read()).clone());
    view! {
        <fieldset class="checks">
            <legend>{vi_en(legend.0, legend.1)}</legend>
            {T::ALL.iter().enumerate().map(|(i, v)| {
                let v = *v;
                let (vi, en) = v.label();
                let id = format!("{name}-{i}");
                let for_id = id.clone();
                view! {
                    <label class="check" for=for_id>
                        <input type="checkbox" id=id prop:checked=move || cur.with(|l| l.contains(&v))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                form.edit(|d| {
                                    let list = get_mut(d);
                                    // Kept in the order of T::ALL, without a sort.
                                    let now: Vec<T> = T::ALL.iter().copied().filter(|x| if *x == v { on } else { list.contains(x) }).collect();
                                    *list = now;
                                });
                            }/>
                        <span>{vi_en(vi, en)}</span>
                    </label>
                }
            }).collect_view()}
        </fieldset>
    }
}

/// The items of a reference list the form offers (not retired, or already chosen), kept
/// while the officer ticks: a memo that changes only when the list or a retired choice does.
fn offered_items(
    form: Form,
    list: ListKind,
    chosen: Memo<Vec<String>>,
) -> Memo<Vec<ReferenceItem>> {
    Memo::new(move |_| {
        let path = form.coop_path.get();
        let items: Vec<ReferenceItem> = form
            .reference
            .get()
            .unwrap_or_default()
            .into_iter()
            .filter(|i| path.starts_with(i.area_path.as_str()))
            .collect();
        chosen.with(|c| offered(&items, list, c).into_iter().cloned().collect())
    })
}

/// A group of checkboxes for the keys of a reference list (hoptac_core::reference).
fn ref_checks(
    form: Form,
    list: ListKind,
    name: &'static str,
    legend: (&'static str, &'static str),
    get: fn(&VisitReport) -> &Vec<String>,
    get_mut: fn(&mut VisitReport) -> &mut Vec<String>,
) -> impl IntoView {
    let cur = Memo::new(move |_| get(&form.draft.read()).clone());
    let shown = offered_items(form, list, cur);
    view! {
        <fieldset class="checks">
            <legend>{vi_en(legend.0, legend.1)}</legend>
            {move || {
                let items = shown.get();
                let order: Vec<String> = items.iter().map(|i| i.key.clone()).collect();
                items.into_iter().enumerate().map(|(i, item)| {
                    let id = format!("{name}-{i}");
                    let for_id = id.clone();
                    let (key, key2) = (item.key.clone(), item.key.clone());
                    let order = order.clone();
                    let label = item.msg();
                    view! {
                        <label class="check" for=for_id>
                            <input type="checkbox" id=id prop:checked=move || cur.with(|l| l.contains(&key))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    form.edit(|d| {
                                        let list = get_mut(d);
                                        // In the list's order; keys this device has no item
                                        // for are kept.
                                        let mut now: Vec<String> = order.iter().filter(|k| if **k == key2 { on } else { list.contains(k) }).cloned().collect();
                                        now.extend(list.iter().filter(|k| !order.contains(k)).cloned());
                                        *list = now;
                                    });
                                }/>
                            <span>{move || label.get(lang().get()).to_string()}</span>
                        </label>
                    }
                }).collect_view()
            }}
        </fieldset>
    }
}

/// A select for an optional key of a reference list.
fn ref_choice(
    form: Form,
    list: ListKind,
    id: &'static str,
    label: (&'static str, &'static str),
    get: fn(&VisitReport) -> Option<String>,
    set: fn(&mut VisitReport, Option<String>),
) -> impl IntoView {
    let cur = Memo::new(move |_| get(&form.draft.read()));
    let chosen = Memo::new(move |_| cur.get().into_iter().collect::<Vec<_>>());
    let shown = offered_items(form, list, chosen);
    view! {
        <div class="field">
            <label for=id>{vi_en(label.0, label.1)}</label>
            <select id=id on:change=move |ev| {
                let key = crate::util::typed(&ev);
                form.edit(|d| set(d, Some(key).filter(|k| !k.is_empty())));
            }>
                <option value="" selected=move || cur.get().is_none()>{vi_en("— Chưa chọn —", "— Not chosen —")}</option>
                {move || shown.get().into_iter().map(|item| {
                    let key = item.key.clone();
                    let label = item.msg();
                    let value = item.key.clone();
                    view! { <option value=value selected=move || cur.get().as_deref() == Some(key.as_str())>{move || label.get(lang().get()).to_string()}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// A select for an optional enum value.
fn choice<T: Labelled + PartialEq + Send + Sync>(
    form: Form,
    id: &'static str,
    label: (&'static str, &'static str),
    get: fn(&VisitReport) -> Option<T>,
    set: fn(&mut VisitReport, Option<T>),
) -> impl IntoView {
    let cur = Memo::new(move |_| get(&form.draft.read()));
    view! {
        <div class="field">
            <label for=id>{vi_en(label.0, label.1)}</label>
            <select id=id on:change=move |ev| {
                let idx = crate::util::typed(&ev).parse::<usize>().ok();
                form.edit(|d| set(d, idx.and_then(|i| T::ALL.get(i).copied())));
            }>
                <option value="" selected=move || cur.get().is_none()>{vi_en("— Chưa chọn —", "— Not chosen —")}</option>
                {T::ALL.iter().enumerate().map(|(i, v)| {
                    let v = *v;
                    let (vi, en) = v.label();
                    view! { <option value=i.to_string() selected=move || cur.get() == Some(v)>{vi_en(vi, en)}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// One yes/no checkbox.
fn flag(
    form: Form,
    id: &'static str,
    label: (&'static str, &'static str),
    get: fn(&VisitReport) -> bool,
    set: fn(&mut VisitReport, bool),
) -> impl IntoView {
    let cur = Memo::new(move |_| get(&form.draft.read()));
    view! {
        <label class="check" for=id>
            <input type="checkbox" id=id prop:checked=move || cur.get()
                on:change=move |ev| { let on = event_target_checked(&ev); form.edit(|d| set(d, on)) }/>
            <span>{vi_en(label.0, label.1)}</span>
        </label>
    }
}

/// A free-text line.
fn text(
    form: Form,
    id: &'static str,
    field: &'static str,
    get: fn(&VisitReport) -> &String,
    set: fn(&mut VisitReport, String),
) -> impl IntoView {
    let label = label_of(field);
    let err_id = format!("{id}-error");
    let cur = Memo::new(move |_| get(&form.draft.read()).clone());
    view! {
        <div class="field">
            <label for=id>{vi_en(label.0, label.1)}</label>
            <input id=id type="text" prop:value=move || cur.get()
                on:input=move |ev| { let v = crate::util::typed(&ev); form.edit(|d| set(d, v)) }
                aria-invalid=move || form.error(field.into())().is_some().to_string() aria-describedby=format!("{err_id} {id}-count")/>
            {hoptac_core::fields::max_chars(field).map(|max| view! {
                <span id=format!("{id}-count") class=move || { if hoptac_core::limits::chars(&cur.read()) > max { "hint error" } else { "hint" } }>
                    {move || hoptac_core::limits::counter(&cur.read(), max)}</span>
            })}
            {field_error(err_id.clone(), form.error(field.into()))}
        </div>
    }
}

/// Field `key`'s label on the form, from the report's field catalogue
/// (hoptac_core::fields).
fn label_of(key: &str) -> (&'static str, &'static str) {
    hoptac_core::fields::form_label(key)
}

/// A section's heading as a view, from the catalogue.
fn section_view(section: Section) -> impl IntoView {
    let (vi, en) = section.label();
    vi_en(vi, en)
}

/// Field `key`'s form label as a view (follows the language).
fn label_view(key: &str) -> impl IntoView {
    let (vi, en) = label_of(key);
    vi_en(vi, en)
}

#[component]
fn FinancesSection(form: Form) -> impl IntoView {
    view! {
        <fieldset id="tai-chinh">
            <legend>{section_view(Section::Finances)}</legend>
            <div class="grid">
                {money(form, "revenue", "findings.finances.revenue_vnd",
                    |d| d.findings.finances.revenue_vnd, |d, v| d.findings.finances.revenue_vnd = v, false)}
                {money(form, "revenue-ly", "findings.finances.revenue_last_year_vnd",
                    |d| d.findings.finances.revenue_last_year_vnd, |d, v| d.findings.finances.revenue_last_year_vnd = v, false)}
                {money(form, "profit", "findings.finances.profit_vnd",
                    |d| d.findings.finances.profit_vnd, |d, v| d.findings.finances.profit_vnd = v, true)}
                {money(form, "income", "findings.finances.member_income_vnd",
                    |d| d.findings.finances.member_income_vnd, |d, v| d.findings.finances.member_income_vnd = v, false)}
                {money(form, "income-ly", "findings.finances.member_income_last_year_vnd",
                    |d| d.findings.finances.member_income_last_year_vnd, |d, v| d.findings.finances.member_income_last_year_vnd = v, false)}
                {choice::<ShockImpact>(form, "shock", label_of("findings.finances.shock_impact"),
                    |d| d.findings.finances.shock_impact, |d, v| d.findings.finances.shock_impact = v)}
            </div>
            {text(form, "shock-note", "findings.finances.shock_note",
                |d| &d.findings.finances.shock_note, |d, v| d.findings.finances.shock_note = v)}
        </fieldset>
    }
}

#[component]
fn ValueChainSection(form: Form) -> impl IntoView {
    let in_chain = move || form.draft.read().findings.value_chain.in_value_chain;
    view! {
        <fieldset id="chuoi-gia-tri">
            <legend>{section_view(Section::ValueChain)}</legend>
            {flag(form, "in-chain", label_of("findings.value_chain.in_value_chain"),
                |d| d.findings.value_chain.in_value_chain, |d, v| d.findings.value_chain.in_value_chain = v)}
            <Show when=in_chain>
                {checks::<ChainStage>(form, "stage", label_of("findings.value_chain.stages"),
                    |d| &d.findings.value_chain.stages, |d| &mut d.findings.value_chain.stages)}
                {field_error("stage-error".into(), form.error("findings.value_chain.stages".into()))}
                {text(form, "enterprise", "findings.value_chain.linked_enterprise",
                    |d| &d.findings.value_chain.linked_enterprise, |d, v| d.findings.value_chain.linked_enterprise = v)}
                {ref_choice(form, ListKind::Programme, "programme", label_of("findings.value_chain.programme"),
                    |d| d.findings.value_chain.programme.clone(), |d, v| d.findings.value_chain.programme = v)}
                <Show when=move || form.draft.read().findings.value_chain.programme.as_deref() == Some(OTHER)>
                    {text(form, "programme-other", "findings.value_chain.programme_other",
                        |d| &d.findings.value_chain.programme_other, |d, v| d.findings.value_chain.programme_other = v)}
                </Show>
            </Show>
        </fieldset>
    }
}

#[component]
fn DifficultiesSection(form: Form) -> impl IntoView {
    view! {
        <div id="kho-khan" class="section">
            {ref_checks(form, ListKind::Difficulty, "difficulty", label_of("findings.difficulties"),
                |d| &d.findings.difficulties, |d| &mut d.findings.difficulties)}
            <Show when=move || form.draft.read().findings.difficulties.iter().any(|k| k == OTHER)>
                {text(form, "difficulty-other", "findings.difficulty_other",
                    |d| &d.findings.difficulty_other, |d, v| d.findings.difficulty_other = v)}
            </Show>
        </div>
    }
}

#[component]
fn SupportSection(form: Form) -> impl IntoView {
    view! {
        <div id="ho-tro" class="section">
            {ref_checks(form, ListKind::SupportKind, "support-received", label_of("findings.support.received"),
                |d| &d.findings.support.received, |d| &mut d.findings.support.received)}
            {ref_checks(form, ListKind::SupportKind, "support-requested", label_of("findings.support.requested"),
                |d| &d.findings.support.requested, |d| &mut d.findings.support.requested)}
            <div class="field">
                <label for="works">{label_view("findings.support.works_handed_over")}</label>
                <input id="works" type="number" min="0" max="100" inputmode="numeric"
                    prop:value=move || form.draft.read().findings.support.works_handed_over.map(|v| v.to_string()).unwrap_or_default()
                    on:input=move |ev| { let v = crate::util::typed(&ev).trim().parse::<u32>().ok(); form.edit(|d| d.findings.support.works_handed_over = v) }
                    aria-describedby="works-error"/>
                {field_error("works-error".into(), form.error("findings.support.works_handed_over".into()))}
            </div>
            {text(form, "support-note", "findings.support.note",
                |d| &d.findings.support.note, |d, v| d.findings.support.note = v)}
        </div>
    }
}

#[component]
fn DigitalSection(form: Form) -> impl IntoView {
    view! {
        <fieldset id="chuyen-doi-so">
            <legend>{section_view(Section::Digital)}</legend>
            {flag(form, "accounting", label_of("findings.digital.accounting_software"), |d| d.findings.digital.accounting_software, |d, v| d.findings.digital.accounting_software = v)}
            {flag(form, "einvoice", label_of("findings.digital.e_invoices"), |d| d.findings.digital.e_invoices, |d, v| d.findings.digital.e_invoices = v)}
            {flag(form, "online", label_of("findings.digital.sells_online"), |d| d.findings.digital.sells_online, |d, v| d.findings.digital.sells_online = v)}
        </fieldset>
    }
}

#[component]
fn ComplianceSection(form: Form) -> impl IntoView {
    view! {
        <div id="tuan-thu" class="section">
            <fieldset>
                <legend>{vi_en("Tuân thủ", "Compliance")}</legend>
                {flag(form, "tax-registered", label_of("findings.compliance.tax_registered"), |d| d.findings.compliance.tax_registered, |d, v| d.findings.compliance.tax_registered = v)}
            </fieldset>
            {checks::<Certification>(form, "cert", label_of("findings.compliance.certifications"),
                |d| &d.findings.compliance.certifications, |d| &mut d.findings.compliance.certifications)}
            <div class="field">
                <label for="ocop-stars">{label_view("findings.compliance.ocop_stars")}</label>
                <select id="ocop-stars" aria-describedby="ocop-error" on:change=move |ev| {
                    let v = crate::util::typed(&ev).parse::<u8>().ok();
                    form.edit(|d| d.findings.compliance.ocop_stars = v);
                }>
                    <option value="" selected=move || form.draft.read().findings.compliance.ocop_stars.is_none()>{vi_en("— Không —", "— None —")}</option>
                    {[3u8, 4, 5].into_iter().map(|n| view! {
                        <option value=n.to_string() selected=move || form.draft.read().findings.compliance.ocop_stars == Some(n)>{format!("{n} ★")}</option>
                    }).collect_view()}
                </select>
                {field_error("ocop-error".into(), form.error("findings.compliance.ocop_stars".into()))}
            </div>
        </div>
    }
}

#[component]
fn FollowUpSection(form: Form) -> impl IntoView {
    let count = move || form.draft.read().findings.follow_ups.len();
    view! {
        <fieldset id="viec-can-lam">
            <legend>{label_view("findings.follow_ups")}</legend>
            <ol class="follow-ups">
                {move || (0..count()).map(|i| {
                    let action_id = format!("fu-action-{i}");
                    let due_id = format!("fu-due-{i}");
                    let (action_for, due_for) = (action_id.clone(), due_id.clone());
                    view! {
                        <li>
                            <label for=action_for>{move || format!("{} {}", t("Việc", "Action"), i + 1)}</label>
                            <input id=action_id type="text"
                                prop:value=move || form.draft.read().findings.follow_ups.get(i).map(|f| f.action.clone()).unwrap_or_default()
                                on:input=move |ev| { let v = crate::util::typed(&ev); form.edit(|d| if let Some(f) = d.findings.follow_ups.get_mut(i) { f.action = v }) }/>
                            {field_error(format!("fu-action-{i}-error"), form.error(format!("findings.follow_ups.{i}.action")))}
                            <label for=due_for>{label_view("findings.follow_ups.due")}</label>
                            <input id=due_id type="date"
                                prop:value=move || form.draft.read().findings.follow_ups.get(i).map(|f| f.due.clone()).unwrap_or_default()
                                on:input=move |ev| { let v = crate::util::typed(&ev); form.edit(|d| if let Some(f) = d.findings.follow_ups.get_mut(i) { f.due = v }) }/>
                            {field_error(format!("fu-due-{i}-error"), form.error(format!("findings.follow_ups.{i}.due")))}
                            <button type="button" on:click=move |_| form.edit(|d| { if i < d.findings.follow_ups.len() { d.findings.follow_ups.remove(i); } })>
                                {move || format!("{} {}", t("Bỏ việc", "Remove action"), i + 1)}
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <button type="button" on:click=move |_| form.edit(|d| d.findings.follow_ups.push(FollowUp::default()))>
                {vi_en("Thêm việc cần làm", "Add a follow-up action")}
            </button>
        </fieldset>
    }
}

/// The report's photos (issue 17): up to hoptac_core::photo::MAX_PER_REPORT, each in a
/// section, kept in the draft by hash (the bytes are in the tablet's photo store).
#[component]
fn PhotosSection(form: Form) -> impl IntoView {
    use crate::components::photo_editor::{PhotoChange, PhotoEditor};
    let photos = Signal::derive(move || form.draft.read().findings.photos.clone());
    let change = Callback::new(move |c: PhotoChange| {
        form.edit(|d| c.apply(&mut d.findings.photos, hoptac_core::photo::MAX_PER_REPORT))
    });
    view! {
        <fieldset id="phan-anh">
            <legend>{section_view(Section::Photos)}</legend>
            <PhotoEditor photos change id="anh" max=hoptac_core::photo::MAX_PER_REPORT sections=true/>
            {field_error("photos-error".into(), form.error("findings.photos".into()))}
        </fieldset>
    }
}
