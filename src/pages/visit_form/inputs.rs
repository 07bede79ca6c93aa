//! What every field of the visit report form needs ([`Form`]: the draft, its errors, saving
//! it on every change) and the inputs the sections are made of (money in VND, checkboxes,
//! choices from the reference lists, yes/no, free text), each with its label from the
//! report's field catalogue (hoptac_core::fields) and its message next to it.

use crate::i18n::{lang, vi_en, vnd};
use hoptac_core::fields::Section;
use hoptac_core::model::VisitReport;
use hoptac_core::reference::{offered, ListKind, ReferenceItem};
use hoptac_core::report::Labelled;
use hoptac_core::validate::FieldError;
use leptos::prelude::*;
use serde::Serialize;

/// What every field of the form needs: the draft, the errors, and "save the draft now".
#[derive(Clone, Copy)]
pub(super) struct Form {
    pub(super) draft: RwSignal<VisitReport>,
    pub(super) errors: RwSignal<Vec<FieldError>>,
    pub(super) key: Signal<String>,
    /// The reference lists the choices come from (programmes, difficulties, support).
    pub(super) reference: crate::resources::Resource<Vec<ReferenceItem>>,
    /// The cooperative's area path: only the items of its area and those above it apply.
    pub(super) coop_path: RwSignal<String>,
}

impl Form {
    /// Changes the draft and saves it to the store.
    pub(super) fn edit(self, f: impl FnOnce(&mut VisitReport)) {
        self.draft.update(f);
        self.save();
    }

    /// Saves the draft (not generic: one copy of the saving code for every field), through
    /// the drafts worker (crate::drafts).
    pub(super) fn save(self) {
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
    pub(super) fn error(
        self,
        field: String,
    ) -> impl Fn() -> Option<String> + Send + Sync + 'static {
        crate::components::field_message(self.errors, field)
    }
}

/// A message under a field (empty when none).
pub(super) fn field_error(
    id: String,
    msg: impl Fn() -> Option<String> + Send + Sync + 'static,
) -> impl IntoView {
    view! { <p id=id class="field-error">{msg}</p> }
}

/// A money field in VND: digits only (separators typed are dropped), shown grouped below.
pub(super) fn money(
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
pub(super) fn checks<T: Labelled + PartialEq + Send + Sync>(
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
pub(super) fn offered_items(
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
pub(super) fn ref_checks(
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
pub(super) fn ref_choice(
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
pub(super) fn choice<T: Labelled + PartialEq + Send + Sync>(
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
pub(super) fn flag(
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
pub(super) fn text(
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
pub(super) fn label_of(key: &str) -> (&'static str, &'static str) {
    hoptac_core::fields::form_label(key)
}

/// A section's heading as a view, from the catalogue.
pub(super) fn section_view(section: Section) -> impl IntoView {
    let (vi, en) = section.label();
    vi_en(vi, en)
}

/// Field `key`'s form label as a view (follows the language).
pub(super) fn label_view(key: &str) -> impl IntoView {
    let (vi, en) = label_of(key);
    vi_en(vi, en)
}
