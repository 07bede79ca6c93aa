//! `/quan-tri/dia-ban`: the areas, for administrators (issue 16). The official list of
//! administrative units is imported (a dry run first: units created, renamed, rows
//! refused; then apply). A reorganisation of the areas: the
//! administrator chooses the reorganisation's file (JSON: the date, the decision, the new
//! areas, which areas merge into which, the districts dissolved: hoptac_core::reorg); the
//! page shows the dry run (every area created and closed, the cooperatives and reports
//! that move, each account's areas before and after, the targets carried or dropped, and
//! what blocks it), and applies it only when the administrator confirms. One area is
//! renamed, given its code, added, or closed from a date (merged into another, or
//! dissolved) from the list of today's areas: closing one builds the same reorganisation
//! and shows the same preview. The 2025 reform as published comes with the server: for a
//! province, "Nạp đơn vị trước 1/7/2025" loads its former districts and communes and
//! "Áp dụng sắp xếp ĐVHC 1/7/2025" previews the official correspondence; a later
//! resolution's table (old code, old name, new code, new name) is read the same way. A
//! divided commune's cooperatives are listed with where each goes and why; the
//! administrator chooses another unit for any of them and the preview follows. Online only.

use crate::i18n::{date, lang, t, vi_en};
use hoptac_core::i18n::Msg;
use hoptac_core::model::{Area, AreaLevel};
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
            match crate::api::reorganisations::reorganise(&session.token(), &r, apply).await {
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
        let Some(file) = crate::util::chosen_file(&ev) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let text = crate::util::file_text(&file).await;
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
            <p class="actions"><a href="/quan-tri">{vi_en("← Quản trị", "← Administration")}</a></p>
            <h1>{vi_en("Địa bàn", "Areas")}</h1>
            <AreaTree on_reorganise=move |r: Reorganisation| { request.set(Some(r)); run(false); }/>
            <OfficialUnits on_reorganise=move |r: Reorganisation| { request.set(Some(r)); run(false); }/>
            <AreaListImport/>
            <h2 id="reorg-h">{vi_en("Sắp xếp đơn vị hành chính", "Reorganising the areas")}</h2>
            <p class="muted">{vi_en(
                "Chọn tệp sắp xếp (theo nghị quyết): trang cho xem trước mọi địa bàn lập mới và giải thể, các HTX và phiếu chuyển đi, địa bàn của từng tài khoản trước và sau, kế hoạch được chuyển hay bỏ. Chỉ khi bấm Áp dụng mới thay đổi.",
                "Choose the reorganisation's file (after the resolution): the page previews every area created and closed, the cooperatives and reports that move, each account's areas before and after, the targets carried or dropped. Nothing changes until you press Apply.",
            )}</p>
            <label for="reorg-file">{vi_en("Tệp sắp xếp (JSON)", "Reorganisation file (JSON)")}</label>
            <input id="reorg-file" type="file" accept=".json,application/json" on:change=choose/>
            <div role="alert">{move || message.get().map(|(ok, m)| view! { <p class=if ok { "ok" } else { "error" }>{m.get(lang().get()).to_string()}</p> })}</div>
            {move || busy.get().then(|| view! { <p class="muted" role="status">{vi_en("Đang xử lý…", "Working…")}</p> })}
            {move || preview.get().map(|p| view! {
                <Preview p=p.clone() request busy on_apply=move || run(true)
                    on_place=move |coop: String, area: String| {
                        request.update(|r| if let Some(r) = r { r.placements.insert(coop, area); });
                        run(false);
                    }/>
            })}
        </section>
    }
}

#[component]
fn Preview(
    p: ReorgPreview,
    request: RwSignal<Option<Reorganisation>>,
    busy: RwSignal<bool>,
    on_apply: impl Fn() + Copy + Send + Sync + 'static,
    /// A divided commune's cooperative placed in another unit: (cooperative id, area id).
    on_place: impl Fn(String, String) + Copy + Send + Sync + 'static,
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
            <ul class="facts" aria-label=vi_en("Tóm tắt", "Summary")>
                <li>{move || format!("{}: {}", t("Địa bàn lập mới", "Areas created"), p.created.len())}</li>
                <li>{move || format!("{}: {}", t("Địa bàn giải thể", "Areas closed"), p.closed.len())}</li>
                <li>{move || format!("{}: {}", t("HTX, THT chuyển địa bàn", "Cooperatives moved"), p.cooperatives_total)}</li>
                <li>{move || format!("{}: {}", t("Phiếu khảo sát chuyển theo", "Reports moved with them"), p.visits_total)}</li>
            </ul>
            {blocked.then(|| view! {
                <div class="error" role="alert">
                    <p>{vi_en("Chưa áp dụng được:", "Cannot be applied yet:")}</p>
                    <ul>{p.blocked.iter().map(|m| { let m = m.clone(); view! { <li>{move || m.get(lang().get()).to_string()}</li> } }).collect_view()}</ul>
                </div>
            })}
            <h3>{vi_en("Tài khoản đổi địa bàn", "Accounts whose areas change")}</h3>
            {moves_table(("Tài khoản đổi địa bàn", "Accounts whose areas change"), ("Tài khoản", "Account"), ("Trước", "Before"), ("Sau", "After"),
                p.assignments.iter().map(|a| [format!("{} ({})", a.display_name, a.username), a.before.join(", "), a.after.join(", ")]).collect())}
            <h3>{vi_en("Kế hoạch", "Targets")}</h3>
            <ul class="list" aria-label=vi_en("Kế hoạch chuyển hoặc bỏ", "Targets carried or dropped")>
                {p.targets.iter().map(|tc| {
                    let (area, period, dropped) = (tc.area_id.clone(), tc.period.clone(), tc.dropped.clone());
                    view! { <li>{move || match &dropped {
                        Some(why) => format!("{area} {period}: {}", why.get(lang().get())),
                        None => format!("{area} {period}: {}", t("chuyển sang (cộng dồn)", "carried (summed)")),
                    }}</li> }
                }).collect_view()}
            </ul>
            {(!p.placements.is_empty()).then(|| view! {
                <h3>{vi_en("HTX, THT của xã/phường bị chia tách", "Cooperatives of divided communes")}</h3>
                <p class="muted">{vi_en(
                    "Mỗi HTX về một đơn vị: theo lựa chọn của bạn, nếu không thì đơn vị gần vị trí GPS của lần khảo sát gần nhất, nếu không thì đơn vị chính theo nghị quyết. Đổi ở đây rồi xem lại trước khi áp dụng.",
                    "Each goes to one unit: as you choose, else the unit nearest its latest visit's GPS position, else the resolution's main unit. Change any here; the preview follows.",
                )}</p>
                <table class="table" aria-label=vi_en("HTX, THT của xã/phường bị chia tách", "Cooperatives of divided communes")>
                    <thead><tr>
                        <th scope="col">{vi_en("Tên", "Name")}</th>
                        <th scope="col">{vi_en("Xã/phường cũ", "Former commune")}</th>
                        <th scope="col">{vi_en("Về", "Goes to")}</th>
                        <th scope="col">{vi_en("Vì", "Why")}</th>
                    </tr></thead>
                    <tbody>{p.placements.iter().map(|pl| {
                        let (coop, chosen, rule) = (pl.cooperative_id.clone(), pl.chosen.clone(), pl.rule.clone());
                        let label = format!("{} {}", t("Đơn vị nhận", "Unit for"), pl.name);
                        view! {
                            <tr>
                                <td>{pl.name.clone()}</td>
                                <td>{pl.from_name.clone()}</td>
                                <td>
                                    <select aria-label=label disabled=move || busy.get() || applied
                                        on:change=move |ev| on_place(coop.clone(), event_target_value(&ev))>
                                        {pl.options.iter().map(|(id, name)| view! {
                                            <option value=id.clone() selected=*id == chosen>{name.clone()}</option>
                                        }).collect_view()}
                                    </select>
                                </td>
                                <td>{move || rule.get(lang().get()).to_string()}</td>
                            </tr>
                        }
                    }).collect_view()}</tbody>
                </table>
            })}
            <h3>{vi_en("HTX, THT chuyển địa bàn", "Cooperatives moved")}</h3>
            {moves_table(("HTX, THT chuyển địa bàn", "Cooperatives moved"), ("Tên", "Name"), ("Từ", "From"), ("Sang", "To"),
                p.cooperatives.iter().map(|c| [c.name.clone(), c.from_area.clone(), c.to_area.clone()]).collect())}
            {(!applied && !blocked).then(|| view! {
                <p class="actions"><button type="button" disabled=move || busy.get() on:click=move |_| on_apply()>{vi_en("Áp dụng sắp xếp", "Apply the reorganisation")}</button></p>
            })}
        </section>
    }
}

type Text = (&'static str, &'static str);

/// A table of what a reorganisation moves: who or what, from where, to where (`label`
/// names the table; texts are (Vietnamese, English)).
fn moves_table(
    label: Text,
    what: Text,
    from: Text,
    to: Text,
    rows: Vec<[String; 3]>,
) -> impl IntoView {
    view! {
        <table class="table" aria-label=vi_en(label.0, label.1)>
            <thead><tr>
                <th scope="col">{vi_en(what.0, what.1)}</th>
                <th scope="col">{vi_en(from.0, from.1)}</th>
                <th scope="col">{vi_en(to.0, to.1)}</th>
            </tr></thead>
            <tbody>{rows.into_iter().map(|[a, b, c]| view! { <tr><td>{a}</td><td>{b}</td><td>{c}</td></tr> }).collect_view()}</tbody>
        </table>
    }
}

/// The areas the server holds in the administrator's scope (asked again after a change).
fn server_areas() -> crate::resources::Resource<Result<Vec<Area>, crate::api::ApiError>> {
    let session = crate::session::use_session();
    crate::resources::once(move || async move { crate::api::areas::areas(&session.token()).await })
}

/// The official units bundled with the server and the reorganisations published as
/// tables: per province, its former units loaded and the 2025 reform previewed; a
/// resolution's table read into a reorganisation. Each reorganisation goes to
/// `on_reorganise` (the page's preview, then apply).
#[component]
fn OfficialUnits(
    on_reorganise: impl Fn(Reorganisation) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let session = crate::session::use_session();
    let areas = server_areas();
    let message = RwSignal::new(None::<(bool, Msg)>);
    let busy = RwSignal::new(false);
    let load_before = move |province: String, name: String| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            let token = session.token();
            let r = match crate::api::areas::load_units_before_2025(&token, &province, false).await
            {
                Ok(dry) if dry.created.is_empty() => Ok(dry),
                Ok(_) => crate::api::areas::load_units_before_2025(&token, &province, true).await,
                Err(e) => Err(e),
            };
            match r {
                Ok(done) => {
                    let communes = done
                        .created
                        .iter()
                        .filter(|a| a.level == AreaLevel::Commune)
                        .count();
                    let districts = done
                        .created
                        .iter()
                        .filter(|a| a.level == AreaLevel::District)
                        .count();
                    message.set(Some((true, Msg::new(
                        format!("{name}: đã nạp {districts} huyện và {communes} xã, phường, thị trấn trước 1/7/2025 ({} đã có).", done.unchanged),
                        format!("{name}: loaded {districts} districts and {communes} communes before 1 July 2025 ({} were there).", done.unchanged),
                    ))));
                    areas.refetch();
                }
                Err(e) => message.set(Some((false, e.user_message()))),
            }
            busy.set(false);
        });
    };
    // A reorganisation the server makes (the 2025 reform, a resolution's table read),
    // handed on to the page's preview.
    type Made = std::pin::Pin<
        Box<dyn std::future::Future<Output = Result<Reorganisation, crate::api::ApiError>>>,
    >;
    let hand_on = move |made: Made| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match made.await {
                Ok(r) => {
                    message.set(None);
                    on_reorganise(r);
                }
                Err(e) => message.set(Some((false, e.user_message()))),
            }
            busy.set(false);
        });
    };
    let reform = move |province: String| {
        hand_on(Box::pin(async move {
            crate::api::reorganisations::official_reform_2025(&session.token(), &province).await
        }))
    };
    let table_file = RwSignal::new_local(None::<web_sys::File>);
    let effective_on = RwSignal::new(String::new());
    let decision = RwSignal::new(String::new());
    let from_table = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(file) = table_file.get_untracked() else {
            message.set(Some((
                false,
                Msg::new(
                    "Hãy chọn tệp bảng sắp xếp (XLSX hoặc CSV).",
                    "Choose the table's file (XLSX or CSV).",
                ),
            )));
            return;
        };
        let (effective_on, decision) = (effective_on.get_untracked(), decision.get_untracked());
        hand_on(Box::pin(async move {
            crate::api::reorganisations::reorganisation_from_table(
                &session.token(),
                &file,
                &effective_on,
                &decision,
            )
            .await
        }))
    };
    view! {
        <section class="card" aria-labelledby="official-h">
            <h2 id="official-h">{vi_en("Danh mục đơn vị hành chính chính thức", "The official administrative units")}</h2>
            <p class="muted">{vi_en(
                "Danh mục đơn vị hành chính và bảng sắp xếp ĐVHC 1/7/2025 có sẵn trong hoptac (nguồn: danh mục của Tổng cục Thống kê). Tỉnh có dữ liệu từ trước 1/7/2025: nạp các huyện, xã cũ, nhập danh sách HTX theo xã cũ, rồi áp dụng sắp xếp.",
                "The official units and the 1 July 2025 reorganisation come with hoptac (source: the national list of administrative units). A province with records from before 1 July 2025: load its former districts and communes, import the registry by former commune, then apply the reform.",
            )}</p>
            <div role="alert">{move || message.get().map(|(ok, m)| view! { <p class=if ok { "ok" } else { "error" }>{m.get(lang().get()).to_string()}</p> })}</div>
            {move || busy.get().then(|| view! { <p class="muted" role="status"><progress aria-label=t("Đang xử lý…", "Working…")></progress>" "{vi_en("Đang xử lý…", "Working…")}</p> })}
            <Suspense fallback=|| view! { <p class="muted" role="status">{vi_en("Đang tải…", "Loading…")}</p> }>
                {move || areas.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.user_message().get(lang().get()).to_string()}</p> }.into_any(),
                    Ok(all) => {
                        let provinces: Vec<Area> = all.iter().filter(|a| a.parent_id.is_none() && a.is_open() && a.code.is_some()).cloned().collect();
                        view! {
                            <ul class="list" aria-label=vi_en("Tỉnh", "Provinces")>
                                {provinces.into_iter().map(|p| {
                                    let (id1, id2, name) = (p.id.clone(), p.id.clone(), p.name.clone());
                                    let name2 = name.clone();
                                    view! {
                                        <li>
                                            <strong>{name.clone()}</strong>" "
                                            <button type="button" class="ghost" disabled=move || busy.get()
                                                aria-label=format!("{} {name2}", t("Nạp đơn vị trước 1/7/2025:", "Load the units before 1 July 2025:"))
                                                on:click=move |_| load_before(id1.clone(), name.clone())>{vi_en("Nạp đơn vị trước 1/7/2025", "Load the units before 1 July 2025")}</button>" "
                                            <button type="button" disabled=move || busy.get()
                                                aria-label=format!("{} {}", t("Áp dụng sắp xếp ĐVHC 1/7/2025:", "Apply the 1 July 2025 reform:"), p.name)
                                                on:click=move |_| reform(id2.clone())>{vi_en("Áp dụng sắp xếp ĐVHC 1/7/2025", "Apply the 1 July 2025 reform")}</button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                })}
            </Suspense>
            <form class="inline-form" on:submit=from_table aria-labelledby="table-h">
                <h3 id="table-h">{vi_en("Sắp xếp theo bảng của nghị quyết", "A reorganisation from a resolution's table")}</h3>
                <p class="muted">{vi_en("Tệp XLSX hoặc CSV, mỗi dòng một đơn vị cũ và đơn vị mới nhận nó: Mã cũ, Tên cũ, Mã mới, Tên mới (và Chính nếu đơn vị cũ chia cho nhiều đơn vị).", "An XLSX or CSV file, a row per old unit and the new unit it goes to: old code, old name, new code, new name (and Main when an old unit is divided).")}</p>
                <label>{vi_en("Tệp bảng", "Table file")}
                    <input type="file" accept=".xlsx,.csv" on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = ev.target().unwrap().unchecked_into();
                        table_file.set(input.files().and_then(|l| l.get(0)));
                    }/>
                </label>
                <label>{vi_en("Từ ngày", "From")}<input type="date" required prop:value=effective_on on:input=move |ev| effective_on.set(event_target_value(&ev))/></label>
                <label>{vi_en("Theo quyết định", "Under the decision")}<input type="text" required maxlength="300" prop:value=decision on:input=move |ev| decision.set(event_target_value(&ev))/></label>
                <button type="submit" disabled=move || busy.get()>{vi_en("Xem trước", "Preview")}</button>
            </form>
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
            match crate::api::areas::import_areas(&session.token(), &f, apply).await {
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
            <h2 id="dvhc-h">{vi_en("Danh mục đơn vị hành chính", "The list of administrative units")}</h2>
            <p class="muted">{vi_en(
                "Tệp XLSX hoặc CSV có các cột Mã, Tên, Cấp, Mã cấp trên. Đơn vị mới được thêm (mã là mã đơn vị), đơn vị đã có được đổi tên; chuyển cấp trên hay giải thể là việc sắp xếp (bên dưới).",
                "An XLSX or CSV file with the columns Mã, Tên, Cấp, Mã cấp trên. New units are added (their code as id), known ones renamed; moving or closing one is a reorganisation (below).",
            )}</p>
            <label for="dvhc-file">{vi_en("Tệp danh mục (XLSX, CSV)", "List file (XLSX, CSV)")}</label>
            <input id="dvhc-file" type="file" accept=".xlsx,.csv,text/csv" on:change=choose/>
            <div role="alert">{move || message.get().map(|(ok, m)| view! { <p class=if ok { "ok" } else { "error" }>{m.get(lang().get()).to_string()}</p> })}</div>
            {move || report.get().map(|r| {
                let applied = r.applied;
                let (created, renamed, unchanged, refused_n) = (r.created.len(), r.renamed.len(), r.unchanged, r.refused.len());
                view! {
                    <ul class="facts" aria-label=vi_en("Kết quả đọc tệp", "What the file does")>
                        <li>{move || format!("{}: {}", t("Đơn vị mới", "New units"), created)}</li>
                        <li>{move || format!("{}: {}", t("Đổi tên", "Renamed"), renamed)}</li>
                        <li>{move || format!("{}: {}", t("Không đổi", "Unchanged"), unchanged)}</li>
                        <li>{move || format!("{}: {}", t("Dòng bị từ chối", "Rows refused"), refused_n)}</li>
                    </ul>
                    <ul class="list" aria-label=vi_en("Dòng bị từ chối", "Rows refused")>
                        {r.refused.iter().map(|x| { let (row, m) = (x.row, x.reason.clone()); view! { <li>{move || format!("{} {row}: {}", t("Dòng", "Row"), m.get(lang().get()))}</li> } }).collect_view()}
                    </ul>
                    {(!applied && (created + renamed > 0)).then(|| view! {
                        <button type="button" on:click=move |_| send(true)>{vi_en("Nhập danh mục", "Import the list")}</button>
                    })}
                }
            })}
        </section>
    }
}

/// The level's name in Vietnamese and English.
fn level_name(l: AreaLevel) -> &'static str {
    match l {
        AreaLevel::Province => t("Tỉnh/Thành phố", "Province"),
        AreaLevel::District => t("Huyện (trước 2025)", "District (before 2025)"),
        AreaLevel::Commune => t("Xã/Phường", "Commune/Ward"),
        AreaLevel::Village => t("Thôn/Ấp", "Village"),
    }
}

/// What is open on a row of the area list.
#[derive(Clone, Copy, PartialEq)]
enum RowForm {
    Rename,
    Close,
}

/// Today's areas inside the administrator's: rename one (or set its code), add one under
/// another, or close one from a date (merged into another of its level, or dissolved):
/// closing is previewed as a reorganisation by `on_reorganise`.
#[component]
fn AreaTree(
    on_reorganise: impl Fn(Reorganisation) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let session = crate::session::use_session();
    let areas = server_areas();
    let open = RwSignal::new(None::<(String, RowForm)>);
    let message = RwSignal::new(None::<(bool, Msg)>);
    let done =
        move |r: Result<Area, crate::api::ApiError>, vi: &'static str, en: &'static str| match r {
            Ok(a) => {
                message.set(Some((
                    true,
                    Msg::new(format!("{vi}: {}", a.name), format!("{en}: {}", a.name)),
                )));
                open.set(None);
                areas.refetch();
            }
            Err(e) => message.set(Some((false, e.user_message()))),
        };
    let mine = move |all: &[Area]| -> Vec<Area> {
        // The administrator's own areas and what is under them (the list also names the
        // areas above, for the paths).
        let scopes = session
            .user
            .with_untracked(|s| s.as_ref().map(|s| s.user.scopes.clone()))
            .unwrap_or_default();
        all.iter()
            .filter(|a| a.is_open() && hoptac_core::model::in_scope(&a.path, &scopes))
            .cloned()
            .collect()
    };
    view! {
        <section class="card" aria-labelledby="tree-h">
            <h2 id="tree-h">{vi_en("Địa bàn hiện nay", "Today's areas")}</h2>
            <div role="alert">{move || message.get().map(|(ok, m)| view! { <p class=if ok { "ok" } else { "error" }>{m.get(lang().get()).to_string()}</p> })}</div>
            <Suspense fallback=|| view! { <p class="muted" role="status">{vi_en("Đang tải…", "Loading…")}</p> }>
                {move || areas.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.user_message().get(lang().get()).to_string()}</p> }.into_any(),
                    Ok(all) => {
                        let list = mine(&all);
                        let depth = |a: &Area| a.path.matches('/').count().saturating_sub(1);
                        let base = list.iter().map(depth).min().unwrap_or(0);
                        let parents = list.iter().filter(|a| a.level != AreaLevel::Village).cloned().collect::<Vec<_>>();
                        let rows = list.iter().map(|a| {
                            let indent = format!("depth-{}", (depth(a) - base).min(4));
                            let (id1, id2, id3) = (a.id.clone(), a.id.clone(), a.id.clone());
                            let shown = move |f: RowForm| { let id = id1.clone(); move || open.with(|o| o.as_ref() == Some(&(id.clone(), f))) };
                            let (is_rename, is_close) = (shown(RowForm::Rename), shown(RowForm::Close));
                            let peers: Vec<Area> = list.iter().filter(|b| b.level == a.level && b.id != a.id).cloned().collect();
                            let a2 = a.clone();
                            let a3 = a.clone();
                            view! {
                                <tr>
                                    <td class=indent>{a.name.clone()}</td>
                                    <td>{level_name(a.level)}</td>
                                    <td>{a.code.clone().unwrap_or_default()}</td>
                                    <td class="actions">
                                        <button type="button" class="ghost" aria-label=format!("{} {}", t("Đổi tên", "Rename"), a.name)
                                            on:click=move |_| open.set(Some((id2.clone(), RowForm::Rename)))>{vi_en("Đổi tên", "Rename")}</button>
                                        <button type="button" class="ghost" aria-label=format!("{} {}", t("Sáp nhập/giải thể", "Merge/close"), a.name)
                                            on:click=move |_| open.set(Some((id3.clone(), RowForm::Close)))>{vi_en("Sáp nhập/giải thể", "Merge/close")}</button>
                                    </td>
                                </tr>
                                {move || is_rename().then(|| view! { <tr><td colspan="4"><RenameForm area=a2.clone() done open/></td></tr> })}
                                {move || is_close().then(|| view! { <tr><td colspan="4"><CloseForm area=a3.clone() peers=peers.clone() open on_reorganise/></td></tr> })}
                            }
                        }).collect_view();
                        view! {
                            <table class="table" aria-label=vi_en("Địa bàn hiện nay", "Today's areas")>
                                <thead><tr>
                                    <th scope="col">{vi_en("Tên", "Name")}</th>
                                    <th scope="col">{vi_en("Cấp", "Level")}</th>
                                    <th scope="col">{vi_en("Mã ĐVHC", "Code")}</th>
                                    <th scope="col">{vi_en("Thao tác", "Actions")}</th>
                                </tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                            <AddForm parents done/>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn RenameForm(
    area: Area,
    done: impl Fn(Result<Area, crate::api::ApiError>, &'static str, &'static str)
        + Copy
        + Send
        + Sync
        + 'static,
    open: RwSignal<Option<(String, RowForm)>>,
) -> impl IntoView {
    let session = crate::session::use_session();
    let name = RwSignal::new(area.name.clone());
    let code = RwSignal::new(area.code.clone().unwrap_or_default());
    let id = area.id.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = id.clone();
        leptos::task::spawn_local(async move {
            let r = crate::api::areas::change_area(
                &session.token(),
                &id,
                &name.get_untracked(),
                &code.get_untracked(),
            )
            .await;
            done(r, "Đã lưu", "Saved");
        });
    };
    view! {
        <form class="inline-form" on:submit=save aria-label=vi_en("Đổi tên địa bàn", "Rename the area")>
            <label>{vi_en("Tên mới", "New name")}<input required maxlength="200" prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/></label>
            <label>{vi_en("Mã đơn vị hành chính", "Administrative unit code")}<input inputmode="numeric" maxlength="10" prop:value=code on:input=move |ev| code.set(event_target_value(&ev))/></label>
            <button type="submit">{vi_en("Lưu", "Save")}</button>
            <button type="button" class="ghost" on:click=move |_| open.set(None)>{vi_en("Huỷ", "Cancel")}</button>
        </form>
    }
}

/// Closing one area from a date: merged into another of its level, or dissolved; the
/// preview below the list shows what it moves before anything changes.
#[component]
fn CloseForm(
    area: Area,
    peers: Vec<Area>,
    open: RwSignal<Option<(String, RowForm)>>,
    on_reorganise: impl Fn(Reorganisation) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let on = RwSignal::new(String::new());
    let decision = RwSignal::new(String::new());
    let into = RwSignal::new(String::new());
    let id = area.id.clone();
    let preview = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let target = into.get_untracked();
        let (merges, dissolved) = if target.is_empty() {
            (Vec::new(), vec![id.clone()])
        } else {
            (
                vec![hoptac_core::reorg::Merge {
                    from: vec![id.clone()],
                    into: target,
                }],
                Vec::new(),
            )
        };
        on_reorganise(Reorganisation {
            effective_on: on.get_untracked(),
            decision: decision.get_untracked(),
            new_areas: Vec::new(),
            merges,
            dissolved,
            splits: Vec::new(),
            placements: Default::default(),
        });
        open.set(None);
        if let Some(h) = leptos::prelude::document().get_element_by_id("reorg-h") {
            h.scroll_into_view();
        }
    };
    view! {
        <form class="inline-form" on:submit=preview aria-label=format!("{} {}", t("Sáp nhập/giải thể", "Merge/close"), area.name)>
            <label>{vi_en("Từ ngày", "From")}<input type="date" required prop:value=on on:input=move |ev| on.set(event_target_value(&ev))/></label>
            <label>{vi_en("Theo quyết định", "By the decision")}<input required maxlength="200" placeholder="Nghị quyết 1674/NQ-UBTVQH15" prop:value=decision on:input=move |ev| decision.set(event_target_value(&ev))/></label>
            <label>{vi_en("Sáp nhập vào", "Merged into")}
                <select on:change=move |ev| into.set(event_target_value(&ev))>
                    <option value="">{vi_en("Không — giải thể (không có đơn vị thay thế)", "None — dissolved (no successor)")}</option>
                    {peers.into_iter().map(|p| view! { <option value=p.id.clone()>{p.name.clone()}</option> }).collect_view()}
                </select>
            </label>
            <button type="submit">{vi_en("Xem trước", "Preview")}</button>
            <button type="button" class="ghost" on:click=move |_| open.set(None)>{vi_en("Huỷ", "Cancel")}</button>
        </form>
    }
}

#[component]
fn AddForm(
    parents: Vec<Area>,
    done: impl Fn(Result<Area, crate::api::ApiError>, &'static str, &'static str)
        + Copy
        + Send
        + Sync
        + 'static,
) -> impl IntoView {
    let session = crate::session::use_session();
    let parent = RwSignal::new(parents.first().map(|a| a.id.clone()).unwrap_or_default());
    let name = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let level = RwSignal::new(AreaLevel::Commune);
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (p, n, c, l) = (
            parent.get_untracked(),
            name.get_untracked(),
            code.get_untracked(),
            level.get_untracked(),
        );
        leptos::task::spawn_local(async move {
            // The server chooses the id (the code when free).
            let given = Some(c.trim()).filter(|c| !c.is_empty());
            let r = crate::api::areas::add_area(&session.token(), "", &n, l, &p, given).await;
            if r.is_ok() {
                name.set(String::new());
                code.set(String::new());
            }
            done(r, "Đã thêm", "Added");
        });
    };
    let levels = [
        AreaLevel::Commune,
        AreaLevel::Village,
        AreaLevel::District,
        AreaLevel::Province,
    ];
    view! {
        <form class="inline-form" on:submit=add aria-labelledby="add-area-h">
            <h3 id="add-area-h">{vi_en("Thêm đơn vị", "Add a unit")}</h3>
            <label>{vi_en("Thuộc", "Under")}
                <select on:change=move |ev| parent.set(event_target_value(&ev))>
                    {parents.into_iter().map(|p| view! { <option value=p.id.clone()>{p.name.clone()}</option> }).collect_view()}
                </select>
            </label>
            <label>{vi_en("Cấp", "Level")}
                <select on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some(l) = levels.iter().find(|l| hoptac_core::keyed::Keyed::key(**l) == v) { level.set(*l); }
                }>
                    {levels.iter().map(|l| view! { <option value=hoptac_core::keyed::Keyed::key(*l)>{level_name(*l)}</option> }).collect_view()}
                </select>
            </label>
            <label>{vi_en("Tên", "Name")}<input required maxlength="200" placeholder="Phường Hoa Lư" prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/></label>
            <label>{vi_en("Mã đơn vị hành chính", "Administrative unit code")}<input inputmode="numeric" maxlength="10" prop:value=code on:input=move |ev| code.set(event_target_value(&ev))/></label>
            <button type="submit">{vi_en("Thêm", "Add")}</button>
        </form>
    }
}
