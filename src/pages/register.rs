//! Registering a cooperative or group found in the field, and editing a profile, offline.
//! The draft is kept on every change; the shared crate's rules check it here and again on
//! the server. An edit keeps the record it started from (`base`) with its draft: the
//! server merges field by field against it (hoptac_core::merge).

use crate::i18n::{vi_en, vnd};
use crate::labels::{
    kind_label, scale_label, sector_label, status_label, KINDS, SCALES, SECTORS, STATUSES,
};
use hoptac_core::model::{Area, AreaLevel, CoopKind, Cooperative, Sector};
use hoptac_core::validate::{validate_cooperative, FieldError};
use leptos::prelude::*;

const DRAFT_KEY: &str = "draft:cooperative:new";
/// A new record as the form starts it: an HTX in agriculture founded today, newly
/// established, no area chosen yet.
fn blank() -> Cooperative {
    Cooperative {
        established_on: Some(crate::util::today()),
        newly_established: true,
        ..Cooperative::new(
            crate::util::new_id(),
            CoopKind::Htx,
            String::new(),
            Sector::Agriculture,
            String::new(),
            String::new(),
        )
    }
}

pub fn edit_draft_key(id: &str) -> String {
    format!("draft:cooperative:edit:{id}")
}

#[derive(Clone, Copy)]
struct Form {
    draft: RwSignal<Cooperative>,
    errors: RwSignal<Vec<FieldError>>,
    /// Where the draft is kept.
    key: StoredValue<String>,
    /// For an edit: the record as it was when the edit began (kept with the draft).
    base: StoredValue<Option<Cooperative>>,
    /// Number fields whose typed text cannot be read, with that text: it stays in the
    /// field, the stored value is left as it was, and saving is refused with a message
    /// next to the field (a field is never silently emptied, issue 13).
    unreadable: RwSignal<Vec<(&'static str, String)>>,
}

impl Form {
    fn new(key: String) -> Form {
        Form {
            draft: RwSignal::new(blank()),
            errors: RwSignal::new(Vec::new()),
            key: StoredValue::new(key),
            base: StoredValue::new(None),
            unreadable: RwSignal::new(Vec::new()),
        }
    }

    fn edit(self, f: impl FnOnce(&mut Cooperative)) {
        self.draft.update(f);
        self.save();
    }

    /// Saves the draft (not generic: one copy of the saving code for every field), through
    /// the drafts worker (crate::drafts), as the visit form does.
    fn save(self) {
        use serde::Serialize;
        let (draft, base) = (self.draft, self.base);
        crate::drafts::save_now(self.key.get_value(), move || {
            let ser = serde_wasm_bindgen::Serializer::json_compatible();
            let base = base.try_get_value()?;
            draft
                .try_with_untracked(|d| match base {
                    Some(b) => (b, d).serialize(&ser).ok(),
                    None => d.serialize(&ser).ok(),
                })
                .flatten()
        });
    }

    /// Checks the draft with the shared rules; shows the messages and returns None if any.
    fn checked(self) -> Option<Cooperative> {
        let mut c = self.draft.get_untracked();
        c.name = c.name.trim().to_string();
        if c.sector != Sector::Agriculture {
            c.cultivated_area_ha = None;
        }
        let mut problems = validate_cooperative(&c, Some(&crate::util::today()));
        for (field, text) in self.unreadable.get_untracked() {
            problems.retain(|p| p.field != field);
            problems.push(unreadable_error(field, &text));
        }
        let ok = problems.is_empty();
        self.errors.set(problems);
        ok.then_some(c)
    }
    /// Reads what was typed in number field `field`: `Ok(value)` to store (None when
    /// emptied), or, when it cannot be read, keeps the text and leaves the value alone.
    fn typed<T>(
        self,
        field: &'static str,
        text: String,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<Option<T>> {
        let value = if text.trim().is_empty() {
            Some(None)
        } else {
            parse(&text).map(Some)
        };
        self.unreadable.update(|u| {
            u.retain(|(f, _)| *f != field);
            if value.is_none() {
                u.push((field, text));
            }
        });
        value
    }

    /// The text shown in number field `field`: what was typed when it could not be read,
    /// else the stored value.
    fn shown(self, field: &'static str, stored: Option<String>) -> String {
        self.unreadable
            .with(|u| u.iter().find(|(f, _)| *f == field).map(|(_, t)| t.clone()))
            .or(stored)
            .unwrap_or_default()
    }

    fn error(self, field: &'static str) -> impl Fn() -> Option<String> + Send + Sync + 'static {
        crate::components::field_message(self.errors, field)
    }
}

/// A text field bound to an optional string of the draft.
fn opt_text(
    form: Form,
    id: &'static str,
    label: (&'static str, &'static str),
    field: &'static str,
    get: fn(&Cooperative) -> Option<String>,
    set: fn(&mut Cooperative, Option<String>),
    input_type: &'static str,
) -> impl IntoView {
    let err = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id>{vi_en(label.0, label.1)}</label>
            <input id=id type=input_type prop:value=move || get(&form.draft.read()).unwrap_or_default()
                on:input=move |ev| { let v = crate::util::typed(&ev); form.edit(|d| set(d, Some(v).filter(|v| !v.trim().is_empty()))) }
                aria-invalid=move || form.error(field)().is_some().to_string() aria-describedby=format!("{err} {id}-count")/>
            {hoptac_core::fields::max_chars(field).filter(|_| input_type == "text").map(|max| {
                let cur = move || get(&form.draft.read()).unwrap_or_default();
                view! {
                    <span id=format!("{id}-count") data-testid=format!("{id}-count")
                        class=move || { if hoptac_core::limits::chars(&cur()) > max { "hint error" } else { "hint" } }>
                        {move || hoptac_core::limits::counter(&cur(), max)}</span>
                }
            })}
            <p id=err class="field-error">{form.error(field)}</p>
        </div>
    }
}

/// The message for a number that cannot be read, naming what was typed.
fn unreadable_error(field: &str, text: &str) -> FieldError {
    FieldError::new(
        field,
        format!("Không đọc được số “{text}”. Hãy nhập số, ví dụ 1.234,5 (dấu chấm ngăn hàng nghìn, dấu phẩy trước phần lẻ)."),
        format!("“{text}” is not a number this form can read. Type a number, for example 1.234,5 (dots between thousands, a comma before decimals)."),
    )
}

/// A whole-number field.
fn number(
    form: Form,
    id: &'static str,
    label: (&'static str, &'static str),
    field: &'static str,
    get: fn(&Cooperative) -> Option<i64>,
    set: fn(&mut Cooperative, Option<i64>),
    money: bool,
) -> impl IntoView {
    let err = format!("{id}-error");
    view! {
        <div class="field">
            <label for=id>{vi_en(label.0, label.1)}</label>
            <input id=id type="text" inputmode="numeric" prop:value=move || form.shown(field, get(&form.draft.read()).map(|v| v.to_string()))
                on:input=move |ev| {
                    if let Some(v) = form.typed(field, crate::util::typed(&ev), hoptac_core::text::parse_whole) {
                        form.edit(|d| set(d, v))
                    }
                }
                aria-invalid=move || form.error(field)().is_some().to_string() aria-describedby=err.clone()/>
            <Show when=move || money>
                <span class="hint">{move || get(&form.draft.read()).map(vnd).unwrap_or_default()}</span>
            </Show>
            <p id=err class="field-error">{form.error(field)}</p>
        </div>
    }
}

/// Whether no other record of the tablet's registry has `c`'s tax code or registration
/// number (one legal entity, one record); else shows which one, offline, and says no.
async fn no_duplicate(form: Form, c: &Cooperative) -> bool {
    let others = crate::handles::store()
        .cooperatives()
        .await
        .unwrap_or_default();
    let errors = hoptac_core::registry::same_identifiers(c, &others);
    if errors.is_empty() {
        return true;
    }
    form.errors.set(errors);
    false
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let form = Form::new(DRAFT_KEY.to_string());
    let communes = RwSignal::new(Vec::<Area>::new());
    // The communes to choose from and the draft kept from before, read once into the form
    // (a sync meanwhile must not overwrite what the officer is typing).
    let ready = crate::resources::once(move || async move {
        communes.set(load_communes().await);
        if let Ok(Some(d)) = crate::handles::store()
            .draft::<Cooperative>(DRAFT_KEY)
            .await
        {
            form.draft.set(d);
        }
    });
    let on_submit = move || {
        let Some(c) = form.checked() else { return };
        leptos::task::spawn_local(async move {
            if !no_duplicate(form, &c).await {
                return;
            }
            let id = c.id.clone();
            if crate::handles::store()
                .save_new_cooperative(c, crate::util::now_ms(), Some(DRAFT_KEY))
                .await
                .is_ok()
            {
                crate::sync::local_changed().await;
                crate::sync::sync_now();
                crate::router::navigate(&format!("/htx/{id}"));
            }
        });
    };
    view! {
        <Suspense fallback=|| view! { <p class="muted">"…"</p> }>
            {move || ready.get().map(|()| view! {
                <h1>{vi_en("Đăng ký HTX, THT mới", "Register a new cooperative or group")}</h1>
                <p class="muted">{vi_en("Lưu trên máy, gửi khi có mạng. Bản nháp được giữ sau mỗi thay đổi.", "Kept on this tablet and sent when online. The draft is kept after every change.")}</p>
                {coop_form(form, communes, false, Callback::new({ let f = on_submit.clone(); move |_| f() }), ("Lưu HTX mới", "Save the new cooperative"))}
            })}
        </Suspense>
    }
}

/// Editing a cooperative's profile offline (`/htx/:id/sua`).
#[component]
pub fn EditCooperativePage() -> impl IntoView {
    let id = crate::router::segment(1);
    let key = edit_draft_key(&id);
    let form = Form::new(key.clone());
    let communes = RwSignal::new(Vec::<Area>::new());
    // The server's reason when it refused this registration or edit ("Cần sửa", issue 13);
    // and whether it was a registration (sent again as one).
    let refused = RwSignal::new(None::<hoptac_core::i18n::Msg>);
    let refused_register = StoredValue::new(false);
    // The profile as last saved here (or refused), read once into the form: true when the
    // tablet holds it.
    let found = crate::resources::once(move || {
        let (id2, key) = (id.clone(), key.clone());
        async move {
            let store = crate::handles::store();
            communes.set(load_communes().await);
            let refusal = store.refused_coop(&id2).await.ok().flatten();
            if let Some(r) = &refusal {
                refused.set(Some(r.message.clone()));
                refused_register.set_value(r.base.is_none());
                form.errors.set(r.fields.clone());
            }
            let (base, record) = match store.draft::<(Cooperative, Cooperative)>(&key).await {
                Ok(Some(pair)) => pair,
                _ => match (refusal, store.cooperative(&id2).await) {
                    (Some(r), _) => (r.base.unwrap_or_else(|| r.record.clone()), r.record),
                    (None, Ok(Some(c))) => (c.clone(), c),
                    _ => return false,
                },
            };
            form.base.set_value(Some(base));
            form.draft.set(record);
            true
        }
    });
    let on_submit = move || {
        let Some(c) = form.checked() else { return };
        let Some(base) = form.base.get_value() else {
            return;
        };
        let key = form.key.get_value();
        leptos::task::spawn_local(async move {
            if !no_duplicate(form, &c).await {
                return;
            }
            let id = c.id.clone();
            let store = crate::handles::store();
            let saved = if refused_register.get_value() {
                // A registration the server refused: sent again as one, with its id.
                store
                    .save_new_cooperative(c, crate::util::now_ms(), Some(&key))
                    .await
            } else if hoptac_core::merge::changed_fields(&base, &c).is_empty()
                && refused.get_untracked().is_none()
            {
                // Nothing changed: nothing to send; drop the draft.
                store.delete_draft(&key).await
            } else {
                store
                    .save_cooperative_edit(base, c, crate::util::now_ms(), Some(&key))
                    .await
            };
            if saved.is_ok() {
                crate::sync::local_changed().await;
                crate::sync::sync_now();
                crate::router::navigate(&format!("/htx/{id}"));
            }
        });
    };
    view! {
        <Suspense fallback=|| view! { <p class="muted">"…"</p> }>
        <Show when=move || found.get() == Some(true) fallback=move || view! {
            <p class="muted">{vi_en("Không tìm thấy hợp tác xã này trên máy.", "This cooperative is not on this tablet.")}</p>
        }>
            <h1>{vi_en("Sửa hồ sơ HTX", "Edit the cooperative's profile")}</h1>
            <crate::components::refused::RefusedNote reason=refused
                headline=("Cần sửa: máy chủ chưa nhận hồ sơ này.", "Needs fixing: the server did not accept this profile.")/>
            <p class="muted">{vi_en(
                "Lưu trên máy, gửi khi có mạng. Nếu người khác đã sửa cùng một ô, cả hai giá trị được giữ để chọn.",
                "Kept on this tablet and sent when online. If someone else changed the same field, both values are kept for a choice.",
            )}</p>
            // A refused registration may still change its kind and commune.
            {move || coop_form(form, communes, !refused_register.get_value(), Callback::new({ let f = on_submit.clone(); move |_| f() }), ("Lưu thay đổi", "Save the changes"))}
        </Show>
        </Suspense>
    }
}

async fn load_communes() -> Vec<Area> {
    let cs: Vec<Area> = crate::handles::store()
        .areas()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a.level == AreaLevel::Commune)
        .collect();
    crate::util::sort_by_key(cs, |a| (0, hoptac_core::text::normalize(&a.name)))
}

/// The profile form shared by registration and editing. When `editing`, the kind and the
/// commune are fixed (they are not profile fields the merge handles).
fn coop_form(
    form: Form,
    communes: RwSignal<Vec<Area>>,
    editing: bool,
    // A Callback, not a generic closure: the form's view code is compiled once for both
    // pages (a generic parameter made two copies: 25 KB of wasm).
    on_submit: Callback<()>,
    submit_label: (&'static str, &'static str),
) -> impl IntoView {
    view! {
            <form class="report" on:submit=move |ev: leptos::ev::SubmitEvent| { ev.prevent_default(); on_submit.run(()) } novalidate>
                <fieldset>
                    <legend>{vi_en("Thông tin chung", "General")}</legend>
                    <div class="grid">
                        <div class="field">
                            <label for="c-kind">{vi_en("Loại hình", "Kind")}</label>
                            <select id="c-kind" disabled=editing on:change=move |ev| { let i = crate::util::typed(&ev).parse::<usize>().unwrap_or(0); form.edit(|d| d.kind = KINDS[i.min(2)]) }>
                                {KINDS.iter().enumerate().map(|(i, k)| { let k = *k; view! { <option value=i.to_string() selected=move || form.draft.read().kind == k>{move || kind_label(k)}</option> } }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="c-name">{vi_en("Tên", "Name")}</label>
                            <input id="c-name" type="text" prop:value=move || form.draft.read().name.clone()
                                on:input=move |ev| { let v = crate::util::typed(&ev); form.edit(|d| d.name = v) }
                                aria-invalid=move || form.error("name")().is_some().to_string() aria-describedby="c-name-error"/>
                            <p id="c-name-error" class="field-error">{form.error("name")}</p>
                        </div>
                        <div class="field">
                            <label for="c-sector">{vi_en("Lĩnh vực", "Sector")}</label>
                            <select id="c-sector" on:change=move |ev| { let i = crate::util::typed(&ev).parse::<usize>().unwrap_or(0); form.edit(|d| d.sector = SECTORS[i.min(7)]) }>
                                {SECTORS.iter().enumerate().map(|(i, k)| { let k = *k; view! { <option value=i.to_string() selected=move || form.draft.read().sector == k>{move || sector_label(k)}</option> } }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="c-commune">{vi_en("Xã, phường", "Commune")}</label>
                            <select id="c-commune" disabled=editing on:change=move |ev| { let v = crate::util::typed(&ev); form.edit(|d| d.area_id = v) }
                                aria-invalid=move || form.error("area_id")().is_some().to_string() aria-describedby="c-commune-error">
                                <option value="" selected=move || form.draft.read().area_id.is_empty()>{vi_en("— Chọn xã —", "— Choose —")}</option>
                                {crate::components::options(
                                    move || communes.with(|cs| cs.iter().map(|a| (a.id.clone(), a.name.clone())).collect()),
                                    move || form.draft.read().area_id.clone(),
                                )}
                            </select>
                            <p id="c-commune-error" class="field-error">{form.error("area_id")}</p>
                        </div>
                        <div class="field">
                            <label for="c-scale">{vi_en("Quy mô hoạt động", "Operating scale")}</label>
                            <select id="c-scale" on:change=move |ev| { let i = crate::util::typed(&ev).parse::<usize>().ok(); form.edit(|d| d.scale = i.and_then(|i| SCALES.get(i).copied())) }>
                                <option value="">{vi_en("— Chưa chọn —", "— Not chosen —")}</option>
                                {SCALES.iter().enumerate().map(|(i, k)| { let k = *k; view! { <option value=i.to_string() selected=move || form.draft.read().scale == Some(k)>{move || scale_label(k)}</option> } }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="c-status">{vi_en("Tình trạng hoạt động", "Operating status")}</label>
                            <select id="c-status" on:change=move |ev| { let i = crate::util::typed(&ev).parse::<usize>().unwrap_or(0); form.edit(|d| d.status = STATUSES[i.min(3)]) }>
                                {STATUSES.iter().enumerate().map(|(i, k)| { let k = *k; view! { <option value=i.to_string() selected=move || form.draft.read().status == k>{move || status_label(k)}</option> } }).collect_view()}
                            </select>
                        </div>
                        {opt_text(form, "c-established", ("Ngày thành lập", "Date established"), "established_on", |d| d.established_on.clone(), |d, v| d.established_on = v, "date")}
                        {opt_text(form, "c-products", ("Sản phẩm, dịch vụ chính", "Main products or services"), "main_products", |d| d.main_products.clone(), |d, v| d.main_products = v, "text")}
                    </div>
                    <label class="check" for="c-new">
                        <input id="c-new" type="checkbox" prop:checked=move || form.draft.read().newly_established
                            on:change=move |ev| { let on = event_target_checked(&ev); form.edit(|d| d.newly_established = on) }/>
                        <span>{vi_en("Mới thành lập trong kỳ (tính vào chỉ tiêu)", "Newly established this period (counts toward the target)")}</span>
                    </label>
                </fieldset>
                <fieldset>
                    <legend>{vi_en("Đăng ký, người đại diện", "Registration and representative")}</legend>
                    <div class="grid">
                        {opt_text(form, "c-regno", ("Số đăng ký", "Registration number"), "registration_no", |d| d.registration_no.clone(), |d, v| d.registration_no = v, "text")}
                        {opt_text(form, "c-tax", ("Mã số thuế", "Tax code"), "tax_code", |d| d.tax_code.clone(), |d, v| d.tax_code = v, "text")}
                        {opt_text(form, "c-chair", ("Chủ nhiệm / giám đốc", "Chair / director"), "chair_name", |d| d.chair_name.clone(), |d, v| d.chair_name = v, "text")}
                        {opt_text(form, "c-phone", ("Điện thoại", "Phone"), "chair_phone", |d| d.chair_phone.clone(), |d, v| d.chair_phone = v, "tel")}
                    </div>
                    <label class="check" for="c-taxreg">
                        <input id="c-taxreg" type="checkbox" prop:checked=move || form.draft.read().tax_registered
                            on:change=move |ev| { let on = event_target_checked(&ev); form.edit(|d| d.tax_registered = on) }/>
                        <span>{vi_en("Đã đăng ký thuế", "Tax registration done")}</span>
                    </label>
                </fieldset>
                <fieldset>
                    <legend>{vi_en("Quy mô", "Size")}</legend>
                    <div class="grid">
                        {number(form, "c-members", ("Số thành viên", "Members"), "members", |d| d.members.map(i64::from), |d, v| d.members = v.and_then(|v| u32::try_from(v).ok()), false)}
                        {number(form, "c-workers", ("Số lao động", "Workers"), "workers", |d| d.workers.map(i64::from), |d, v| d.workers = v.and_then(|v| u32::try_from(v).ok()), false)}
                        {number(form, "c-capital", ("Vốn điều lệ (đồng)", "Charter capital (VND)"), "charter_capital_vnd", |d| d.charter_capital_vnd, |d, v| d.charter_capital_vnd = v, true)}
                        <Show when=move || form.draft.read().sector == Sector::Agriculture>
                            <div class="field">
                                <label for="c-area">{vi_en("Diện tích canh tác (ha)", "Cultivated area (ha)")}</label>
                                <input id="c-area" type="text" inputmode="decimal" prop:value=move || form.shown("cultivated_area_ha", form.draft.read().cultivated_area_ha.map(|v| v.to_string().replace('.', ",")))
                                    on:input=move |ev| {
                                        if let Some(v) = form.typed("cultivated_area_ha", crate::util::typed(&ev), hoptac_core::text::parse_decimal) {
                                            form.edit(|d| d.cultivated_area_ha = v)
                                        }
                                    }
                                    aria-invalid=move || form.error("cultivated_area_ha")().is_some().to_string()
                                    aria-describedby="c-area-error"/>
                                <p id="c-area-error" class="field-error">{form.error("cultivated_area_ha")}</p>
                            </div>
                        </Show>
                    </div>
                </fieldset>
                <MainPhoto form=form/>
                <div class="actions">
                    <button type="submit" class="primary">{vi_en(submit_label.0, submit_label.1)}</button>
                </div>
            </form>
    }
}

/// The cooperative's main photo (issue 17): one, taken offline like a report's.
#[component]
fn MainPhoto(form: Form) -> impl IntoView {
    use crate::components::photo_editor::{PhotoChange, PhotoEditor};
    let photos = Signal::derive(move || {
        form.draft
            .read()
            .main_photo
            .iter()
            .cloned()
            .collect::<Vec<_>>()
    });
    let change = Callback::new(move |c: PhotoChange| {
        form.edit(|d| {
            let mut list: Vec<_> = d.main_photo.take().into_iter().collect();
            c.apply(&mut list, 1);
            d.main_photo = list.pop();
        })
    });
    view! {
        <fieldset id="anh-dai-dien">
            <legend>{vi_en("Ảnh đại diện", "Main photo")}</legend>
            <PhotoEditor photos change id="anh-htx" max=1 sections=false/>
        </fieldset>
    }
}
