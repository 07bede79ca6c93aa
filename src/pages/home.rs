//! Home: an officer's cooperative registry; a supervisor's overview of submitted reports.

use crate::app::{session, session_loaded};
use crate::i18n::t;
use crate::pages::reports::ReportsPage;
use hoptac_core::model::{Area, CoopKind, Cooperative, OperatingStatus, Role};
use hoptac_core::text::{matches, normalize};
use leptos::prelude::*;
use leptos_router::components::{Redirect, A};

#[component]
pub fn HomePage() -> impl IntoView {
    move || {
        if !session_loaded().get() {
            return view! { <p class="muted">"…"</p> }.into_any();
        }
        match session().get() {
            None => view! { <Redirect path="/dang-nhap"/> }.into_any(),
            Some(s) if s.user.role == Role::Officer => view! { <Registry/> }.into_any(),
            Some(_) => view! { <ReportsPage/> }.into_any(),
        }
    }
}

pub fn kind_label(k: CoopKind) -> &'static str {
    match k {
        CoopKind::Htx => t("HTX", "Cooperative"),
        CoopKind::Tht => t("THT", "Group"),
        CoopKind::Lhhtx => t("Liên hiệp HTX", "Union"),
    }
}

pub fn status_label(s: OperatingStatus) -> &'static str {
    match s {
        OperatingStatus::Active => t("Đang hoạt động", "Active"),
        OperatingStatus::Standstill => t("Hoạt động cầm chừng", "At a standstill"),
        OperatingStatus::Suspended => t("Tạm ngừng", "Suspended"),
        OperatingStatus::Dissolved => t("Đã giải thể", "Dissolved"),
    }
}

#[derive(Clone)]
struct Row {
    coop: Cooperative,
    commune: String,
    key: String,
}

/// The officer's cooperatives from the local store, searchable without diacritics.
#[component]
fn Registry() -> impl IntoView {
    let rows = RwSignal::new(Vec::<Row>::new());
    let query = RwSignal::new(String::new());
    let loaded = RwSignal::new(false);
    Effect::new(move |_| {
        crate::sync::state().data_version.track();
        leptos::task::spawn_local(async move {
            let store = crate::app_store();
            let areas: Vec<Area> = store.areas().await.unwrap_or_default();
            let coops = store.cooperatives().await.unwrap_or_default();
            let mut out: Vec<Row> = coops
                .into_iter()
                .map(|c| {
                    let commune = areas.iter().find(|a| a.id == c.area_id).map(|a| a.name.clone()).unwrap_or_default();
                    let key = normalize(&format!("{} {} {}", c.name, commune, c.main_products.clone().unwrap_or_default()));
                    Row { coop: c, commune, key }
                })
                .collect();
            out.sort_by(|a, b| normalize(&a.coop.name).cmp(&normalize(&b.coop.name)));
            rows.set(out);
            loaded.set(true);
        });
    });
    let visible = move || {
        let q = query.get();
        rows.with(|r| r.iter().filter(|row| matches(&row.key, &q)).cloned().collect::<Vec<_>>())
    };
    view! {
        <section>
            <h1>{move || t("Hợp tác xã trên địa bàn", "Cooperatives in my areas")}</h1>
            <label for="search" class="sr-only">{move || t("Tìm hợp tác xã", "Search cooperatives")}</label>
            <input id="search" type="search" class="search"
                placeholder=move || t("Tìm theo tên, xã, sản phẩm (không cần dấu)", "Search by name, commune, product")
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev))/>
            <p class="muted" aria-live="polite">{move || {
                let n = visible().len();
                crate::i18n::ts(format!("{n} hợp tác xã"), format!("{n} cooperatives"))
            }}</p>
            <Show when=move || loaded.get() && rows.with(|r| r.is_empty())>
                <p class="empty">{move || t(
                    "Chưa có dữ liệu trên máy. Hãy kết nối mạng để đồng bộ.",
                    "No data on this tablet yet. Connect to sync.")}</p>
            </Show>
            <ul class="list" aria-label=move || t("Danh sách hợp tác xã", "Cooperative list")>
                <For each=visible key=|r| (r.coop.id.clone(), r.coop.version) let:row>
                    <li>
                        <A href=format!("/htx/{}", row.coop.id)>
                            <span class="name">{row.coop.name.clone()}</span>
                            <span class="meta">
                                <span class="badge">{move || kind_label(row.coop.kind)}</span>
                                {row.commune.clone()}
                                " · "
                                {move || status_label(row.coop.status)}
                            </span>
                        </A>
                    </li>
                </For>
            </ul>
        </section>
    }
}
