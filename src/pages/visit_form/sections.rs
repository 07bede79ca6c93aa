//! The sections of the visit report form, in the order of DOMAIN.md (the general part,
//! finances, value chain, difficulties, support, digital, compliance, follow-up, photos),
//! each a fieldset made of the inputs of [`super::inputs`].

use super::inputs::*;
use crate::i18n::{lang, t, vi_en};
use hoptac_core::fields::Section;
use hoptac_core::reference::{ListKind, OTHER};
use hoptac_core::report::{Certification, ChainStage, FollowUp, Position, ShockImpact};
use leptos::prelude::*;

#[component]
pub(super) fn General(form: Form) -> impl IntoView {
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

#[component]
pub(super) fn FinancesSection(form: Form) -> impl IntoView {
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
pub(super) fn ValueChainSection(form: Form) -> impl IntoView {
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
pub(super) fn DifficultiesSection(form: Form) -> impl IntoView {
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
pub(super) fn SupportSection(form: Form) -> impl IntoView {
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
pub(super) fn DigitalSection(form: Form) -> impl IntoView {
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
pub(super) fn ComplianceSection(form: Form) -> impl IntoView {
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
pub(super) fn FollowUpSection(form: Form) -> impl IntoView {
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
pub(super) fn PhotosSection(form: Form) -> impl IntoView {
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
