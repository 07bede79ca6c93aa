//! Registering a cooperative or group found in the field, offline. The draft is kept on
//! every change; the shared crate's rules check it here and again on the server.

use crate::i18n::{lang, t, tx, vnd};
use crate::pages::home::{kind_label, sector_label, status_label, KINDS, SECTORS, STATUSES};
use hoptac_core::model::{
    Area, AreaLevel, CoopKind, Cooperative, OperatingScale, OperatingStatus, Sector,
};
use hoptac_core::validate::{validate_cooperative, FieldError};
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

const DRAFT_KEY: &str = "draft:cooperative:new";
const SCALES: [OperatingScale; 4] = [
    OperatingScale::Village,
    OperatingScale::InterVillage,
    OperatingScale::Commune,
    OperatingScale::InterCommune,
];

fn scale_label(s: OperatingScale) -> &'static str {
    match s {
        OperatingScale::Village => t("Thôn", "Village"),
        OperatingScale::InterVillage => t("Liên thôn", "Inter-village"),
        OperatingScale::Commune => t("Toàn xã", "Commune"),
        OperatingScale::InterCommune => t("Liên xã", "Inter-commune"),
    }
}

fn blank() -> Cooperative {
    Cooperative {
        id: crate::util::new_id(),
        kind: CoopKind::Htx,
        name: String::new(),
        sector: Sector::Agriculture,
        area_id: String::new(),
        area_path: String::new(),
        scale: None,
        established_on: Some(crate::util::today()),
        registration_no: None,
        tax_code: None,
        tax_registered: false,
        chair_name: None,
        chair_phone: None,
        members: None,
        workers: None,
        charter_capital_vnd: None,
        cultivated_area_ha: None,
        main_products: None,
        status: OperatingStatus::Active,
        newly_established: true,
        version: 0,
    }
}

#[derive(Clone, Copy)]
struct Form {
    draft: RwSignal<Cooperative>,
    errors: RwSignal<Vec<FieldError>>,
}

impl Form {
    fn edit(self, f: impl FnOnce(&mut Cooperative)) {
        self.draft.update(f);
        let d = self.draft.get_untracked();
        leptos::task::spawn_local(async move {
            let _ = crate::app_store().save_draft(DRAFT_KEY, &d).await;
        });
    }
    fn error(self, field: &'static str) -> impl Fn() -> Option<String> + Send + Sync + 'static {
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
            <label for=id>{tx(label.0, label.1)}</label>
            <input id=id type=input_type prop:value=move || get(&form.draft.read()).unwrap_or_default()
                on:input=move |ev| { let v = event_target_value(&ev); form.edit(|d| set(d, Some(v).filter(|v| !v.trim().is_empty()))) }
                aria-invalid=move || form.error(field)().is_some().to_string() aria-describedby=err.clone()/>
            <p id=err class="field-error">{form.error(field)}</p>
        </div>
    }
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
            <label for=id>{tx(label.0, label.1)}</label>
            <input id=id type="text" inputmode="numeric" prop:value=move || get(&form.draft.read()).map(|v| v.to_string()).unwrap_or_default()
                on:input=move |ev| {
                    let digits: String = event_target_value(&ev).chars().filter(|c| c.is_ascii_digit()).collect();
                    let v = digits.parse::<i64>().ok();
                    form.edit(|d| set(d, v))
                }
                aria-invalid=move || form.error(field)().is_some().to_string() aria-describedby=err.clone()/>
            <Show when=move || money>
                <span class="hint">{move || get(&form.draft.read()).map(vnd).unwrap_or_default()}</span>
            </Show>
            <p id=err class="field-error">{form.error(field)}</p>
        </div>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let form = Form {
        draft: RwSignal::new(blank()),
        errors: RwSignal::new(Vec::new()),
    };
    let communes = RwSignal::new(Vec::<Area>::new());
    let loaded = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        let store = crate::app_store();
        let cs: Vec<Area> = store
            .areas()
            .await
            .unwrap_or_default()
            .into_iter()
            .filter(|a| a.level == AreaLevel::Commune)
            .collect();
        let cs = crate::util::sort_by_key(cs, |a| (0, hoptac_core::text::normalize(&a.name)));
        communes.set(cs);
        if let Ok(Some(d)) = store.draft::<Cooperative>(DRAFT_KEY).await {
            form.draft.set(d);
        }
        loaded.set(true);
    });
    let navigate = use_navigate();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut c = form.draft.get_untracked();
        c.name = c.name.trim().to_string();
        if c.sector != Sector::Agriculture {
            c.cultivated_area_ha = None;
        }
        let problems = validate_cooperative(&c, Some(&crate::util::today()));
        if !problems.is_empty() {
            form.errors.set(problems);
            return;
        }
        form.errors.set(Vec::new());
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            let id = c.id.clone();
            if crate::app_store()
                .save_new_cooperative(c, crate::util::now_ms(), Some(DRAFT_KEY))
                .await
                .is_ok()
            {
                crate::sync::local_changed().await;
                crate::sync::sync_now();
                navigate(&format!("/htx/{id}"), Default::default());
            }
        });
    };
    view! {
        <Show when=move || loaded.get() fallback=|| view! { <p class="muted">"…"</p> }>
            <h1>{tx("Đăng ký HTX, THT mới", "Register a new cooperative or group")}</h1>
            <p class="muted">{tx("Lưu trên máy, gửi khi có mạng. Bản nháp được giữ sau mỗi thay đổi.", "Kept on this tablet and sent when online. The draft is kept after every change.")}</p>
            <form class="report" on:submit=on_submit.clone() novalidate>
                <fieldset>
                    <legend>{tx("Thông tin chung", "General")}</legend>
                    <div class="grid">
                        <div class="field">
                            <label for="c-kind">{tx("Loại hình", "Kind")}</label>
                            <select id="c-kind" on:change=move |ev| { let i = event_target_value(&ev).parse::<usize>().unwrap_or(0); form.edit(|d| d.kind = KINDS[i.min(2)]) }>
                                {KINDS.iter().enumerate().map(|(i, k)| { let k = *k; view! { <option value=i.to_string() selected=move || form.draft.read().kind == k>{move || kind_label(k)}</option> } }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="c-name">{tx("Tên", "Name")}</label>
                            <input id="c-name" type="text" prop:value=move || form.draft.read().name.clone()
                                on:input=move |ev| { let v = event_target_value(&ev); form.edit(|d| d.name = v) }
                                aria-invalid=move || form.error("name")().is_some().to_string() aria-describedby="c-name-error"/>
                            <p id="c-name-error" class="field-error">{form.error("name")}</p>
                        </div>
                        <div class="field">
                            <label for="c-sector">{tx("Lĩnh vực", "Sector")}</label>
                            <select id="c-sector" on:change=move |ev| { let i = event_target_value(&ev).parse::<usize>().unwrap_or(0); form.edit(|d| d.sector = SECTORS[i.min(7)]) }>
                                {SECTORS.iter().enumerate().map(|(i, k)| { let k = *k; view! { <option value=i.to_string() selected=move || form.draft.read().sector == k>{move || sector_label(k)}</option> } }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="c-commune">{tx("Xã, phường", "Commune")}</label>
                            <select id="c-commune" on:change=move |ev| { let v = event_target_value(&ev); form.edit(|d| d.area_id = v) }
                                aria-invalid=move || form.error("area_id")().is_some().to_string() aria-describedby="c-commune-error">
                                <option value="" selected=move || form.draft.read().area_id.is_empty()>{tx("— Chọn xã —", "— Choose —")}</option>
                                <For each=move || communes.get() key=|a| a.id.clone() let:a>
                                    {let id = a.id.clone(); view! { <option value=a.id.clone() selected=move || form.draft.read().area_id == id>{a.name.clone()}</option> }}
                                </For>
                            </select>
                            <p id="c-commune-error" class="field-error">{form.error("area_id")}</p>
                        </div>
                        <div class="field">
                            <label for="c-scale">{tx("Quy mô hoạt động", "Operating scale")}</label>
                            <select id="c-scale" on:change=move |ev| { let i = event_target_value(&ev).parse::<usize>().ok(); form.edit(|d| d.scale = i.and_then(|i| SCALES.get(i).copied())) }>
                                <option value="">{tx("— Chưa chọn —", "— Not chosen —")}</option>
                                {SCALES.iter().enumerate().map(|(i, k)| { let k = *k; view! { <option value=i.to_string() selected=move || form.draft.read().scale == Some(k)>{move || scale_label(k)}</option> } }).collect_view()}
                            </select>
                        </div>
                        <div class="field">
                            <label for="c-status">{tx("Tình trạng hoạt động", "Operating status")}</label>
                            <select id="c-status" on:change=move |ev| { let i = event_target_value(&ev).parse::<usize>().unwrap_or(0); form.edit(|d| d.status = STATUSES[i.min(3)]) }>
                                {STATUSES.iter().enumerate().map(|(i, k)| { let k = *k; view! { <option value=i.to_string() selected=move || form.draft.read().status == k>{move || status_label(k)}</option> } }).collect_view()}
                            </select>
                        </div>
                        {opt_text(form, "c-established", ("Ngày thành lập", "Date established"), "established_on", |d| d.established_on.clone(), |d, v| d.established_on = v, "date")}
                        {opt_text(form, "c-products", ("Sản phẩm, dịch vụ chính", "Main products or services"), "main_products", |d| d.main_products.clone(), |d, v| d.main_products = v, "text")}
                    </div>
                    <label class="check" for="c-new">
                        <input id="c-new" type="checkbox" prop:checked=move || form.draft.read().newly_established
                            on:change=move |ev| { let on = event_target_checked(&ev); form.edit(|d| d.newly_established = on) }/>
                        <span>{tx("Mới thành lập trong kỳ (tính vào chỉ tiêu)", "Newly established this period (counts toward the target)")}</span>
                    </label>
                </fieldset>
                <fieldset>
                    <legend>{tx("Đăng ký, người đại diện", "Registration and representative")}</legend>
                    <div class="grid">
                        {opt_text(form, "c-regno", ("Số đăng ký", "Registration number"), "registration_no", |d| d.registration_no.clone(), |d, v| d.registration_no = v, "text")}
                        {opt_text(form, "c-tax", ("Mã số thuế", "Tax code"), "tax_code", |d| d.tax_code.clone(), |d, v| d.tax_code = v, "text")}
                        {opt_text(form, "c-chair", ("Chủ nhiệm / giám đốc", "Chair / director"), "chair_name", |d| d.chair_name.clone(), |d, v| d.chair_name = v, "text")}
                        {opt_text(form, "c-phone", ("Điện thoại", "Phone"), "chair_phone", |d| d.chair_phone.clone(), |d, v| d.chair_phone = v, "tel")}
                    </div>
                    <label class="check" for="c-taxreg">
                        <input id="c-taxreg" type="checkbox" prop:checked=move || form.draft.read().tax_registered
                            on:change=move |ev| { let on = event_target_checked(&ev); form.edit(|d| d.tax_registered = on) }/>
                        <span>{tx("Đã đăng ký thuế", "Tax registration done")}</span>
                    </label>
                </fieldset>
                <fieldset>
                    <legend>{tx("Quy mô", "Size")}</legend>
                    <div class="grid">
                        {number(form, "c-members", ("Số thành viên", "Members"), "members", |d| d.members.map(i64::from), |d, v| d.members = v.and_then(|v| u32::try_from(v).ok()), false)}
                        {number(form, "c-workers", ("Số lao động", "Workers"), "workers", |d| d.workers.map(i64::from), |d, v| d.workers = v.and_then(|v| u32::try_from(v).ok()), false)}
                        {number(form, "c-capital", ("Vốn điều lệ (đồng)", "Charter capital (VND)"), "charter_capital_vnd", |d| d.charter_capital_vnd, |d, v| d.charter_capital_vnd = v, true)}
                        <Show when=move || form.draft.read().sector == Sector::Agriculture>
                            <div class="field">
                                <label for="c-area">{tx("Diện tích canh tác (ha)", "Cultivated area (ha)")}</label>
                                <input id="c-area" type="text" inputmode="decimal" prop:value=move || form.draft.read().cultivated_area_ha.map(|v| v.to_string()).unwrap_or_default()
                                    on:input=move |ev| { let v = event_target_value(&ev).replace(',', ".").trim().parse::<f64>().ok(); form.edit(|d| d.cultivated_area_ha = v) }
                                    aria-describedby="c-area-error"/>
                                <p id="c-area-error" class="field-error">{form.error("cultivated_area_ha")}</p>
                            </div>
                        </Show>
                    </div>
                </fieldset>
                <div class="actions">
                    <button type="submit" class="primary">{tx("Lưu HTX mới", "Save the new cooperative")}</button>
                </div>
            </form>
        </Show>
    }
}
