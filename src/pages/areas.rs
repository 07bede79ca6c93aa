//! `/quan-tri/dia-ban`: the areas, for administrators (issue 16). The official list of
//! administrative units is imported (a dry run first: units created, renamed, rows
//! refused; then apply). A reorganisation of the areas: the
//! administrator chooses the reorganisation's file (JSON: the date, the decision, the new
//! areas, which areas merge into which, the districts dissolved: hoptac_core::reorg); the
//! page shows the dry run (every area created and closed, the cooperatives and reports
//! that move, each account's areas before and after, the targets carried or dropped, and
//! what blocks it), and applies it only when the administrator confirms. Online only.

use crate::i18n::{date, lang, t, tx};
use hoptac_core::i18n::Msg;
use hoptac_core::reorg::{ReorgPreview, Reorganisation};
use leptos::prelude::*;
use wasm_bindgen::JsCast;

#[component]
pub fn AreasPage() -> impl IntoView {
    let session = crate::session::use_session();
    let request = RwSignal::new(None::<Reorganisation>);
    let preview = RwSignal::new(None::<ReorgPreview>);
    let message = RwSignal::new(None::<(bool, Msg)>);
    let busy = RwSignal::new(false);
    let run = move |apply: bool| {
        let Some(r) = request.get_untracked() else {
            return;
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match crate::api::reorganise(&session.token(), &r, apply).await {
                Ok(p) => {
                    if p.applied {
                        message.set(Some((
                            true,
                            Msg::new(
                                format!("Đã áp dụng: {} HTX, {} phiếu đã chuyển sang địa bàn mới. Máy tính bảng nhận ở lần đồng bộ tới.", p.cooperatives_total, p.visits_total),
                                format!("Applied: {} cooperatives and {} reports moved to the new areas. Tablets receive them at their next sync.", p.cooperatives_total, p.visits_total),
                            ),
                        )));
                    } else {
                        message.set(None);
                    }
                    preview.set(Some(p));
                }
                Err(e) => {
                    preview.set(None);
                    message.set(Some((false, e.user_message())));
                }
            }
            busy.set(false);
        });
    };
    let choose = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = ev.target().unwrap().unchecked_into();
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        leptos::task::spawn_local(async move {
            let text = wasm_bindgen_futures::JsFuture::from(file.text())
                .await
                .ok()
                .and_then(|t| t.as_string())
                .unwrap_or_default();
            match crate::util::from_json::<Reorganisation>(&text) {
                Some(r) => {
                    request.set(Some(r));
                    run(false);
                }
                None => {
                    preview.set(None);
                    message.set(Some((
                        false,
                        Msg::new(
                            "Tệp không đúng mẫu sắp xếp (JSON: effective_on, decision, new_areas, merges, dissolved).",
                            "The file is not a reorganisation (JSON: effective_on, decision, new_areas, merges, dissolved).",
                        ),
                    )))
                }
            }
        });
    };
    view! {
        <section>
            <p class="actions"><a href="/quan-tri">{tx("← Quản trị", "← Administration")}</a></p>
            <h1>{tx("Địa bàn", "Areas")}</h1>
            <AreaListImport/>
            <h2>{tx("Sắp xếp đơn vị hành chính", "Reorganising the areas")}</h2>
            <p class="muted">{tx(
                "Chọn tệp sắp xếp (theo nghị quyết): trang cho xem trước mọi địa bàn lập mới và giải thể, các HTX và phiếu chuyển đi, địa bàn của từng tài khoản trước và sau, kế hoạch được chuyển hay bỏ. Chỉ khi bấm Áp dụng mới thay đổi.",
                "Choose the reorganisation's file (after the resolution): the page previews every area created and closed, the cooperatives and reports that move, each account's areas before and after, the targets carried or dropped. Nothing changes until you press Apply.",
            )}</p>
            <label for="reorg-file">{tx("Tệp sắp xếp (JSON)", "Reorganisation file (JSON)")}</label>
            <input id="reorg-file" type="file" accept=".json,application/json" on:change=choose/>
            <div role="alert">{move || message.get().map(|(ok, m)| view! { <p class=if ok { "ok" } else { "error" }>{m.get(lang().get()).to_string()}</p> })}</div>
            {move || busy.get().then(|| view! { <p class="muted" role="status">{tx("Đang xử lý…", "Working…")}</p> })}
            {move || preview.get().map(|p| view! { <Preview p=p.clone() request busy on_apply=move || run(true)/> })}
        </section>
    }
}

#[component]
fn Preview(
    p: ReorgPreview,
    request: RwSignal<Option<Reorganisation>>,
    busy: RwSignal<bool>,
    on_apply: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let when = request
        .with_untracked(|r| {
            r.as_ref()
                .map(|r| (date(&r.effective_on), r.decision.clone()))
        })
        .unwrap_or_default();
    let blocked = !p.blocked.is_empty();
    let applied = p.applied;
    view! {
        <section class="card" aria-labelledby="preview-h">
            <h2 id="preview-h">{move || if applied { t("Đã áp dụng", "Applied") } else { t("Xem trước (chưa thay đổi gì)", "Preview (nothing changed yet)") }}</h2>
            <p>{format!("{} — {}", when.0, when.1)}</p>
            <ul class="facts" aria-label=tx("Tóm tắt", "Summary")>
                <li>{move || format!("{}: {}", t("Địa bàn lập mới", "Areas created"), p.created.len())}</li>
                <li>{move || format!("{}: {}", t("Địa bàn giải thể", "Areas closed"), p.closed.len())}</li>
                <li>{move || format!("{}: {}", t("HTX, THT chuyển địa bàn", "Cooperatives moved"), p.cooperatives_total)}</li>
                <li>{move || format!("{}: {}", t("Phiếu khảo sát chuyển theo", "Reports moved with them"), p.visits_total)}</li>
            </ul>
            {blocked.then(|| view! {
                <div class="error" role="alert">
                    <p>{tx("Chưa áp dụng được:", "Cannot be applied yet:")}</p>
                    <ul>{p.blocked.iter().map(|m| { let m = m.clone(); view! { <li>{move || m.get(lang().get()).to_string()}</li> } }).collect_view()}</ul>
                </div>
            })}
            <h3>{tx("Tài khoản đổi địa bàn", "Accounts whose areas change")}</h3>
            <table class="table" aria-label=tx("Tài khoản đổi địa bàn", "Accounts whose areas change")>
                <thead><tr>
                    <th scope="col">{tx("Tài khoản", "Account")}</th>
                    <th scope="col">{tx("Trước", "Before")}</th>
                    <th scope="col">{tx("Sau", "After")}</th>
                </tr></thead>
                <tbody>{p.assignments.iter().map(|a| view! {
                    <tr><td>{format!("{} ({})", a.display_name, a.username)}</td><td>{a.before.join(", ")}</td><td>{a.after.join(", ")}</td></tr>
                }).collect_view()}</tbody>
            </table>
            <h3>{tx("Kế hoạch", "Targets")}</h3>
            <ul class="list" aria-label=tx("Kế hoạch chuyển hoặc bỏ", "Targets carried or dropped")>
                {p.targets.iter().map(|tc| {
                    let (area, period, dropped) = (tc.area_id.clone(), tc.period.clone(), tc.dropped.clone());
                    view! { <li>{move || match &dropped {
                        Some(why) => format!("{area} {period}: {}", why.get(lang().get())),
                        None => format!("{area} {period}: {}", t("chuyển sang (cộng dồn)", "carried (summed)")),
                    }}</li> }
                }).collect_view()}
            </ul>
            <h3>{tx("HTX, THT chuyển địa bàn", "Cooperatives moved")}</h3>
            <table class="table" aria-label=tx("HTX, THT chuyển địa bàn", "Cooperatives moved")>
                <thead><tr>
                    <th scope="col">{tx("Tên", "Name")}</th>
                    <th scope="col">{tx("Từ", "From")}</th>
                    <th scope="col">{tx("Sang", "To")}</th>
                </tr></thead>
                <tbody>{p.cooperatives.iter().map(|c| view! {
                    <tr><td>{c.name.clone()}</td><td>{c.from_area.clone()}</td><td>{c.to_area.clone()}</td></tr>
                }).collect_view()}</tbody>
            </table>
            {(!applied && !blocked).then(|| view! {
                <p class="actions"><button type="button" disabled=move || busy.get() on:click=move |_| on_apply()>{tx("Áp dụng sắp xếp", "Apply the reorganisation")}</button></p>
            })}
        </section>
    }
}

/// The official list of administrative units imported: choose the file, see the dry run,
/// then import.
#[component]
fn AreaListImport() -> impl IntoView {
    let session = crate::session::use_session();
    let file = RwSignal::new_local(None::<web_sys::File>);
    let report = RwSignal::new(None::<hoptac_core::area_list::AreaImportReport>);
    let message = RwSignal::new(None::<(bool, Msg)>);
    let send = move |apply: bool| {
        let Some(f) = file.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match crate::api::import_areas(&session.token(), &f, apply).await {
                Ok(r) => {
                    message.set(r.applied.then(|| {
                        (
                            true,
                            Msg::new(
                                format!(
                                    "Đã nhập: {} đơn vị mới, {} đổi tên.",
                                    r.created.len(),
                                    r.renamed.len()
                                ),
                                format!(
                                    "Imported: {} new units, {} renamed.",
                                    r.created.len(),
                                    r.renamed.len()
                                ),
                            ),
                        )
                    }));
                    report.set(Some(r));
                }
                Err(e) => message.set(Some((false, e.user_message()))),
            }
        });
    };
    let choose = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = ev.target().unwrap().unchecked_into();
        file.set(input.files().and_then(|l| l.get(0)));
        send(false);
    };
    view! {
        <section class="card" aria-labelledby="dvhc-h">
            <h2 id="dvhc-h">{tx("Danh mục đơn vị hành chính", "The list of administrative units")}</h2>
            <p class="muted">{tx(
                "Tệp XLSX hoặc CSV có các cột Mã, Tên, Cấp, Mã cấp trên. Đơn vị mới được thêm (mã là mã đơn vị), đơn vị đã có được đổi tên; chuyển cấp trên hay giải thể là việc sắp xếp (bên dưới).",
                "An XLSX or CSV file with the columns Mã, Tên, Cấp, Mã cấp trên. New units are added (their code as id), known ones renamed; moving or closing one is a reorganisation (below).",
            )}</p>
            <label for="dvhc-file">{tx("Tệp danh mục (XLSX, CSV)", "List file (XLSX, CSV)")}</label>
            <input id="dvhc-file" type="file" accept=".xlsx,.csv,text/csv" on:change=choose/>
            <div role="alert">{move || message.get().map(|(ok, m)| view! { <p class=if ok { "ok" } else { "error" }>{m.get(lang().get()).to_string()}</p> })}</div>
            {move || report.get().map(|r| {
                let applied = r.applied;
                let (created, renamed, unchanged, refused_n) = (r.created.len(), r.renamed.len(), r.unchanged, r.refused.len());
                view! {
                    <ul class="facts" aria-label=tx("Kết quả đọc tệp", "What the file does")>
                        <li>{move || format!("{}: {}", t("Đơn vị mới", "New units"), created)}</li>
                        <li>{move || format!("{}: {}", t("Đổi tên", "Renamed"), renamed)}</li>
                        <li>{move || format!("{}: {}", t("Không đổi", "Unchanged"), unchanged)}</li>
                        <li>{move || format!("{}: {}", t("Dòng bị từ chối", "Rows refused"), refused_n)}</li>
                    </ul>
                    <ul class="list" aria-label=tx("Dòng bị từ chối", "Rows refused")>
                        {r.refused.iter().map(|x| { let (row, m) = (x.row, x.reason.clone()); view! { <li>{move || format!("{} {row}: {}", t("Dòng", "Row"), m.get(lang().get()))}</li> } }).collect_view()}
                    </ul>
                    {(!applied && (created + renamed > 0)).then(|| view! {
                        <button type="button" on:click=move |_| send(true)>{tx("Nhập danh mục", "Import the list")}</button>
                    })}
                }
            })}
        </section>
    }
}
