//! Conflicts on cooperative profiles (issue 4): a field two people changed to two values.
//! The card shows both values and lets the officer or the supervisor keep one; the list
//! on the home and review pages links to each cooperative with an open conflict.

use crate::i18n::{lang, t, vi_en, vnd};
use crate::labels::scale_label;
use crate::labels::{sector_label, status_label};
use hoptac_core::merge::{Choice, Conflict, CoopField};
use hoptac_core::model::Cooperative;
use leptos::prelude::*;

/// A field's value as the forms show it, in the chosen language.
pub fn field_value(field: CoopField, c: &Cooperative) -> String {
    let none = || t("(trống)", "(empty)").to_string();
    let yes_no =
        |b: bool| t(if b { "Có" } else { "Không" }, if b { "Yes" } else { "No" }).to_string();
    let opt = |v: &Option<String>| v.clone().filter(|s| !s.is_empty()).unwrap_or_else(none);
    match field {
        CoopField::Name => c.name.clone(),
        CoopField::Sector => sector_label(c.sector).to_string(),
        CoopField::Scale => c
            .scale
            .map(|s| scale_label(s).to_string())
            .unwrap_or_else(none),
        CoopField::EstablishedOn => c
            .established_on
            .as_deref()
            .map(crate::i18n::date)
            .unwrap_or_else(none),
        CoopField::RegistrationNo => opt(&c.registration_no),
        CoopField::TaxCode => opt(&c.tax_code),
        CoopField::TaxRegistered => yes_no(c.tax_registered),
        CoopField::ChairName => opt(&c.chair_name),
        CoopField::ChairPhone => opt(&c.chair_phone),
        CoopField::Members => c
            .members
            .map(|n| crate::i18n::group_digits(n.into(), lang().get()))
            .unwrap_or_else(none),
        CoopField::Workers => c
            .workers
            .map(|n| crate::i18n::group_digits(n.into(), lang().get()))
            .unwrap_or_else(none),
        CoopField::CharterCapitalVnd => c.charter_capital_vnd.map(vnd).unwrap_or_else(none),
        CoopField::CultivatedAreaHa => c
            .cultivated_area_ha
            .map(|v| format!("{v} ha"))
            .unwrap_or_else(none),
        CoopField::MainProducts => opt(&c.main_products),
        CoopField::Status => status_label(c.status).to_string(),
        CoopField::NewlyEstablished => yes_no(c.newly_established),
        CoopField::MainPhoto => c
            .main_photo
            .as_ref()
            .map(|p| {
                if p.caption.is_empty() {
                    t("Có ảnh", "A photo").to_string()
                } else {
                    p.caption.clone()
                }
            })
            .unwrap_or_else(none),
    }
}

/// One conflict: the field, both values, who wrote the newer one, and (while open) a
/// button for each value. `on_resolved` runs after a choice is saved.
#[component]
pub fn ConflictCard(conflict: Conflict, on_resolved: Callback<()>) -> impl IntoView {
    let session = crate::session::use_session();
    let field = conflict.field;
    let label = move || field.label().get(lang().get()).to_string();
    let (mine, theirs) = (
        StoredValue::new(conflict.mine.clone()),
        StoredValue::new(conflict.theirs.clone()),
    );
    let mine_v = move || mine.with_value(|c| field_value(field, c));
    let theirs_v = move || theirs.with_value(|c| field_value(field, c));
    let (mine_v2, theirs_v2) = (mine_v, theirs_v);
    let author = conflict.author_name.clone();
    let id = conflict.id.clone();
    let resolution = conflict.resolution.clone();
    let choose = move |choice: Choice| {
        let id = id.clone();
        leptos::task::spawn_local(async move {
            let Some(s) = session.user.get_untracked() else {
                return;
            };
            let store = crate::handles::store();
            if store
                .resolve_conflict(
                    &id,
                    choice,
                    &s.user.id,
                    &s.user.display_name,
                    crate::util::now_ms(),
                )
                .await
                .is_ok()
            {
                crate::sync::local_changed().await;
                crate::sync::sync_now();
                on_resolved.run(());
            }
        });
    };
    let choose2 = choose.clone();
    view! {
        <li class="conflict card" role="group" aria-label=move || format!("{} {}", t("Xung đột:", "Conflict:"), label())>
            <p><strong>{label.clone()}</strong>": "{vi_en("hai người sửa thành hai giá trị khác nhau.", "two people changed it to two different values.")}</p>
            <dl class="facts">
                <dt>{move || format!("{} ({})", t("Giá trị mới gửi", "Newly sent value"), author)}</dt><dd>{mine_v}</dd>
                <dt>{vi_en("Giá trị đang lưu", "Value kept now")}</dt><dd>{theirs_v}</dd>
            </dl>
            {match resolution {
                None => view! {
                    <div class="actions">
                        <button type="button" on:click=move |_| choose(Choice::Mine)
                            aria-label=move || format!("{} {}", t("Giữ giá trị mới gửi:", "Keep the newly sent value:"), mine_v2())>
                            {move || format!("{} {}", t("Giữ", "Keep"), mine_v2())}
                        </button>
                        <button type="button" on:click=move |_| choose2(Choice::Theirs)
                            aria-label=move || format!("{} {}", t("Giữ giá trị đang lưu:", "Keep the value kept now:"), theirs_v2())>
                            {move || format!("{} {}", t("Giữ", "Keep"), theirs_v2())}
                        </button>
                    </div>
                }.into_any(),
                Some(r) => {
                    let kept = if r.choice == Choice::Mine { mine } else { theirs };
                    view! {
                        <p class="ok" role="status">{move || format!("{} {} — {}", t("Đã chọn:", "Chosen:"), kept.with_value(|c| field_value(field, c)), r.by_name)}</p>
                    }.into_any()
                }
            }}
        </li>
    }
}

/// Links to every cooperative with an open conflict, for the home and review pages.
#[component]
pub fn OpenConflicts() -> impl IntoView {
    // Each open conflict with its cooperative's name.
    let list = crate::resources::synced(|| async {
        let store = crate::handles::store();
        let mut out = Vec::new();
        for c in store.open_conflicts().await.unwrap_or_default() {
            let name = store
                .cooperative(&c.cooperative_id)
                .await
                .ok()
                .flatten()
                .map(|c| c.name)
                .unwrap_or_default();
            out.push((c, name));
        }
        out
    });
    let count = move || list.with(|l| l.map_or(0, Vec::len));
    view! {
        <Show when=move || 0 < count()>
            <section class="card warn" aria-labelledby="conflicts-h">
                <h2 id="conflicts-h">{move || format!("{} ({})", t("Xung đột cần chọn", "Conflicts to resolve"), count())}</h2>
                <ul class="list">
                    {crate::components::each(move || list.get().unwrap_or_default(), |item| view! {
                        <li>
                            <a href=format!("/htx/{}", item.0.cooperative_id)>
                                {move || format!("{}: {}", item.1, item.0.field.label().get(lang().get()))}
                            </a>
                        </li>
                    }.into_any())}
                </ul>
            </section>
        </Show>
    }
}
