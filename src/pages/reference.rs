//! `/quan-tri/danh-muc`: the reference lists reports choose from (programmes, difficulties,
//! kinds of support; hoptac_core::reference), for administrators: add an item for their
//! area, correct a name, retire an item no longer used or restore it. Online only; the
//! tablets receive the changes at their next sync.

use crate::i18n::{lang, t, vi_en};
use hoptac_core::i18n::Msg;
use hoptac_core::keyed::Keyed;
use hoptac_core::reference::{ListKind, NewReferenceItem, ReferenceItem, ReferenceUpdate};
use leptos::prelude::*;

type Message = RwSignal<Option<(bool, Msg)>>;

#[component]
pub fn ReferencePage() -> impl IntoView {
    let session = crate::session::use_session();
    let version = RwSignal::new(0u32);
    let message: Message = RwSignal::new(None);
    let list = crate::resources::once(move || {
        version.get();
        async move { crate::api::reference::reference(&session.token()).await }
    });
    let areas = crate::resources::once(move || async move {
        crate::api::areas::areas(&session.token())
            .await
            .unwrap_or_default()
    });
    view! {
        <section>
            <p class="actions"><a href="/quan-tri">{vi_en("← Quản trị", "← Administration")}</a></p>
            <h1>{vi_en("Danh mục báo cáo", "Reference lists")}</h1>
            <p class="muted">{vi_en(
                "Các lựa chọn trong phiếu khảo sát mà báo cáo sơ kết đếm theo. Sửa tên chỉ để sửa lỗi; chương trình hay loại mới thì thêm mục mới. Mục ngừng dùng không còn trong phiếu mới, nhưng phiếu đã chọn vẫn giữ và vẫn được đếm.",
                "The choices of the visit report that the six-monthly review counts by. Rename only to correct a name; a new programme or kind is a new item. A retired item is no longer offered, but reports that chose it keep it and are still counted.",
            )}</p>
            <div role="alert">{move || message.get().map(|(ok, m)| view! { <p class=if ok { "ok" } else { "error" }>{m.get(lang().get()).to_string()}</p> })}</div>
            <Suspense fallback=|| view! { <p class="muted" role="status">{vi_en("Đang tải…", "Loading…")}</p> }>
                {move || list.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.user_message().get(lang().get()).to_string()}</p> }.into_any(),
                    Ok(items) => {
                        let names: Vec<(String, String, String)> = areas.get().unwrap_or_default().into_iter().map(|a| (a.path, a.name, a.id)).collect();
                        ListKind::VALUES.iter().map(|&kind| {
                            let mine: Vec<ReferenceItem> = items.iter().filter(|i| i.list == kind).cloned().collect();
                            view! { <ListSection kind items=mine names=names.clone() version message/> }
                        }).collect_view().into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

/// One list: its items with their actions, and the form adding one.
#[component]
fn ListSection(
    kind: ListKind,
    items: Vec<ReferenceItem>,
    names: Vec<(String, String, String)>,
    version: RwSignal<u32>,
    message: Message,
) -> impl IntoView {
    let session = crate::session::use_session();
    let (vi, en) = kind.label();
    let heading = format!("list-{}", kind.key());
    let new_vi = RwSignal::new(String::new());
    let new_en = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    // The areas the administrator covers, widest first: the item is for one of them.
    let scopes: Vec<String> = session.user.with_untracked(|s| {
        s.as_ref()
            .map(|s| s.user.scopes.clone())
            .unwrap_or_default()
    });
    let mut mine: Vec<(String, String, String)> = names
        .iter()
        .filter(|(p, _, _)| scopes.iter().any(|s| s == p))
        .cloned()
        .collect();
    mine.sort_by_key(|(p, _, _)| p.matches('/').count());
    let area = RwSignal::new(mine.first().map(|(_, _, id)| id.clone()));
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = NewReferenceItem {
            list: kind,
            label_vi: new_vi.get_untracked(),
            label_en: new_en.get_untracked(),
            area_id: area.get_untracked(),
        };
        busy.set(true);
        leptos::task::spawn_local(async move {
            match crate::api::reference::add_reference(&session.token(), &req).await {
                Ok(item) => {
                    message.set(Some((
                        true,
                        Msg::new(
                            format!(
                                "Đã thêm \"{}\". Máy tính bảng nhận ở lần đồng bộ tới.",
                                item.label_vi
                            ),
                            format!(
                                "Added \"{}\". Tablets receive it at their next sync.",
                                item.label_en
                            ),
                        ),
                    )));
                    new_vi.set(String::new());
                    new_en.set(String::new());
                    version.update(|v| *v += 1);
                }
                Err(e) => {
                    message.set(Some((false, e.user_message())));
                    busy.set(false);
                }
            }
        });
    };
    let scope = move |path: &str| -> String {
        if path.is_empty() {
            return t("Toàn quốc", "National").to_string();
        }
        names
            .iter()
            .find(|(p, _, _)| p == path)
            .map(|(_, n, _)| n.clone())
            .unwrap_or_else(|| path.to_string())
    };
    let id_area = format!("new-{}-area", kind.key());
    let several = mine.len() > 1;
    let id_vi = format!("new-{}-vi", kind.key());
    let id_en = format!("new-{}-en", kind.key());
    view! {
        <section class="card" aria-labelledby=heading.clone()>
            <h2 id=heading.clone()>{vi_en(vi, en)}</h2>
            <table class="table" aria-label=vi_en(vi, en)>
                <thead><tr>
                    <th scope="col">{vi_en("Tên", "Name")}</th>
                    <th scope="col">{vi_en("Tên tiếng Anh", "English name")}</th>
                    <th scope="col">{vi_en("Của", "Belongs to")}</th>
                    <th scope="col">{vi_en("Trạng thái", "Status")}</th>
                    <th scope="col">{vi_en("Thao tác", "Actions")}</th>
                </tr></thead>
                <tbody>
                    {items.into_iter().map(|item| {
                        let scope = scope(&item.area_path);
                        view! { <ItemRow item scope version message/> }
                    }).collect_view()}
                </tbody>
            </table>
            <form class="inline-form" on:submit=add>
                {several.then(|| view! {
                    <div class="field">
                        <label for=id_area.clone()>{vi_en("Cho địa bàn", "For the area")}</label>
                        <select id=id_area.clone() on:change=move |ev| area.set(Some(event_target_value(&ev)))>
                            {mine.iter().map(|(_, n, id)| {
                                let (id, id2) = (id.clone(), id.clone());
                                view! { <option value=id selected=move || area.get().as_deref() == Some(id2.as_str())>{n.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                })}
                <div class="field">
                    <label for=id_vi.clone()>{vi_en("Mục mới (tiếng Việt)", "New item (Vietnamese)")}</label>
                    <input id=id_vi required maxlength="200" prop:value=move || new_vi.get()
                        on:input=move |ev| { new_vi.set(event_target_value(&ev)); busy.set(false) }/>
                </div>
                <div class="field">
                    <label for=id_en.clone()>{vi_en("Tên tiếng Anh (không bắt buộc)", "English name (optional)")}</label>
                    <input id=id_en maxlength="200" prop:value=move || new_en.get()
                        on:input=move |ev| new_en.set(event_target_value(&ev))/>
                </div>
                <button type="submit" disabled=move || busy.get()>{move || format!("{} — {}", t("Thêm mục", "Add item"), t(vi, en))}</button>
            </form>
        </section>
    }
}

/// One item: its names (editable), whose it is, and retire/restore.
#[component]
fn ItemRow(
    item: ReferenceItem,
    scope: String,
    version: RwSignal<u32>,
    message: Message,
) -> impl IntoView {
    let session = crate::session::use_session();
    let editing = RwSignal::new(false);
    let vi = RwSignal::new(item.label_vi.clone());
    let en = RwSignal::new(item.label_en.clone());
    let item = StoredValue::new(item);
    // Only what the administrator changed is sent: a page loaded before another
    // administrator's change does not undo it.
    let save = move |change: ReferenceUpdate| {
        let it = item.get_value();
        leptos::task::spawn_local(async move {
            match crate::api::reference::update_reference(&session.token(), &it, &change).await {
                Ok(new) => {
                    let (v, e) = match (it.retired, new.retired) {
                        (false, true) => ("đã ngừng dùng", "retired"),
                        (true, false) => ("dùng lại", "restored"),
                        _ => ("đã sửa tên", "renamed"),
                    };
                    message.set(Some((
                        true,
                        Msg::new(
                            format!("\"{}\": {v}.", new.label_vi),
                            format!("\"{}\": {e}.", new.label_en),
                        ),
                    )));
                    version.update(|x| *x += 1);
                }
                Err(e) => message.set(Some((false, e.user_message()))),
            }
        });
    };
    let rename = move || {
        save(ReferenceUpdate {
            label_vi: Some(vi.get_untracked()),
            label_en: Some(en.get_untracked()),
            retired: None,
        })
    };
    let set_retired = move |on: bool| {
        save(ReferenceUpdate {
            retired: Some(on),
            ..Default::default()
        })
    };
    let it = item.get_value();
    let retired = it.retired;
    let key = it.key.clone();
    let (vi_id, en_id) = (
        format!("edit-{}-{}-vi", it.list.key(), key),
        format!("edit-{}-{}-en", it.list.key(), key),
    );
    view! {
        <tr data-key=key class:retired=retired>
            <td>
                <Show when=move || editing.get() fallback=move || item.with_value(|i| i.label_vi.clone())>
                    <label class="sr-only" for=vi_id.clone()>{vi_en("Tên", "Name")}</label>
                    <input id=vi_id.clone() maxlength="200" prop:value=move || vi.get() on:input=move |ev| vi.set(event_target_value(&ev))/>
                </Show>
            </td>
            <td>
                <Show when=move || editing.get() fallback=move || item.with_value(|i| i.label_en.clone())>
                    <label class="sr-only" for=en_id.clone()>{vi_en("Tên tiếng Anh", "English name")}</label>
                    <input id=en_id.clone() maxlength="200" prop:value=move || en.get() on:input=move |ev| en.set(event_target_value(&ev))/>
                </Show>
            </td>
            <td>{scope}</td>
            <td>{move || if retired { t("Ngừng dùng", "Retired") } else { t("Đang dùng", "In use") }}</td>
            <td class="row-actions">
                <Show when=move || editing.get() fallback=move || view! {
                    <button type="button" class="ghost" on:click=move |_| editing.set(true)>{vi_en("Sửa tên", "Rename")}</button>
                }>
                    <button type="button" on:click=move |_| rename()>{vi_en("Lưu tên", "Save name")}</button>
                    <button type="button" class="ghost" on:click=move |_| editing.set(false)>{vi_en("Hủy", "Cancel")}</button>
                </Show>
                <button type="button" class="ghost" on:click=move |_| set_retired(!retired)>
                    {move || if retired { t("Dùng lại", "Restore") } else { t("Ngừng dùng", "Retire") }}
                </button>
                <a href=format!("/nhat-ky/reference/{}", it.id)>{vi_en("Nhật ký", "History")}</a>
            </td>
        </tr>
    }
}
