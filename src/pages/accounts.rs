//! "Quản trị" (`/quan-tri`): an administrator's accounts, online. Search the accounts of
//! their areas; create an officer or supervisor (a temporary password, shown once, to be
//! changed at first sign-in); reset a password; deactivate or reactivate; change an
//! account's areas. Every change is in the audit trail ("Nhật ký" on each row).

use crate::i18n::{date_time, lang, t, vi_en};
use hoptac_core::accounts::{Account, NewAccount, TemporaryPassword};
use hoptac_core::i18n::Msg;
use hoptac_core::keyed::Keyed;
use hoptac_core::model::{Area, AreaLevel, Role};
use leptos::prelude::*;

fn role_label(r: Role) -> &'static str {
    match r {
        Role::Officer => t("Cán bộ địa bàn", "Field officer"),
        Role::Supervisor => t("Giám sát viên", "Supervisor"),
        Role::Admin => t("Quản trị viên", "Administrator"),
    }
}

/// Checkboxes of the areas under the administrator's own: districts, each with its
/// communes (choosing a district covers all its communes).
#[component]
pub fn AreaPicker(
    areas: Vec<Area>,
    chosen: RwSignal<Vec<String>>,
    #[prop(into)] label: String,
) -> impl IntoView {
    let toggle = move |id: String, on: bool| {
        chosen.update(|c| {
            c.retain(|x| *x != id);
            if on {
                c.push(id);
            }
        })
    };
    let check = move |a: &Area| {
        let id = a.id.clone();
        let id2 = a.id.clone();
        let name = a.name.clone();
        view! {
            <label class="check">
                <input type="checkbox" prop:checked=move || chosen.with(|c| c.contains(&id))
                    on:change=move |ev| toggle(id2.clone(), event_target_checked(&ev))/>
                {name}
            </label>
        }
    };
    let groups: Vec<(Area, Vec<Area>)> = areas
        .iter()
        .filter(|a| a.level != AreaLevel::Commune && a.level != AreaLevel::Village)
        .map(|d| {
            let children = areas
                .iter()
                .filter(|c| {
                    c.parent_id.as_deref() == Some(d.id.as_str())
                        && matches!(c.level, AreaLevel::Commune | AreaLevel::Village)
                })
                .cloned()
                .collect();
            (d.clone(), children)
        })
        .collect();
    view! {
        <fieldset class="areas">
            <legend>{label}</legend>
            {groups.into_iter().map(|(d, communes)| view! {
                <div class="area-group">
                    <strong>{check(&d)}</strong>
                    <div class="area-children">{communes.iter().map(check).collect_view()}</div>
                </div>
            }).collect_view()}
        </fieldset>
    }
}

/// A temporary password, shown once.
#[component]
fn Temporary(made: TemporaryPassword) -> impl IntoView {
    view! {
        <div class="card ok" role="status" aria-live="polite">
            <p>{move || format!("{} {} ({})", t("Mật khẩu tạm của", "Temporary password of"), made.account.display_name, made.account.username)}</p>
            <p class="temp-password"><code data-testid="temporary-password">{made.temporary_password.clone()}</code></p>
            <p class="muted">{vi_en(
                "Chỉ hiện một lần. Hãy đưa cho người dùng; họ phải đổi ở lần đăng nhập đầu.",
                "Shown once. Give it to the person; they must change it at first sign-in.",
            )}</p>
        </div>
    }
}

#[component]
pub fn AccountsPage() -> impl IntoView {
    let session = crate::session::use_session();
    let search = RwSignal::new(String::new());
    let version = RwSignal::new(0u32);
    let message = RwSignal::new(None::<(bool, Msg)>);
    let shown = RwSignal::new(None::<TemporaryPassword>);
    let editing = RwSignal::new(None::<Account>);
    let areas = crate::resources::once(move || async move {
        crate::api::areas::areas(&session.token())
            .await
            .unwrap_or_default()
    });
    let list = crate::resources::once(move || {
        let q = search.get();
        version.get();
        async move { crate::api::users::users(&session.token(), &q).await }
    });
    let report = move |r: Result<String, crate::api::ApiError>| match r {
        Ok(text) => {
            message.set(Some((true, Msg::new(text.clone(), text))));
            version.update(|v| *v += 1);
        }
        Err(e) => message.set(Some((false, e.user_message()))),
    };
    let reset = move |a: Account| {
        leptos::task::spawn_local(async move {
            match crate::api::users::reset_password(&session.token(), &a.id).await {
                Ok(made) => {
                    shown.set(Some(made));
                    message.set(None);
                    version.update(|v| *v += 1);
                }
                Err(e) => message.set(Some((false, e.user_message()))),
            }
        })
    };
    let set_active = move |a: Account, on: bool| {
        leptos::task::spawn_local(async move {
            let r = crate::api::users::set_active(&session.token(), &a.id, on)
                .await
                .map(|x| {
                    if x.active {
                        format!("{}: {}", x.username, t("đã mở khóa", "reactivated"))
                    } else {
                        format!("{}: {}", x.username, t("đã khóa", "deactivated"))
                    }
                });
            report(r);
        })
    };

    view! {
        <section>
            <h1>{vi_en("Quản trị tài khoản", "Accounts")}</h1>
            <p class="actions">
                <a class="button" href="/quan-tri/nhap-htx">{vi_en("Nhập danh sách HTX", "Import the registry")}</a>
                <a class="button ghost" href="/quan-tri/dia-ban">{vi_en("Sắp xếp địa bàn", "Reorganise areas")}</a>
                <a class="button ghost" href="/quan-tri/danh-muc">{vi_en("Danh mục báo cáo", "Reference lists")}</a>
                <a class="button ghost" href="/trung-lap">{vi_en("HTX trùng lặp", "Duplicate records")}</a>
            </p>
            <div role="alert">{move || message.get().map(|(ok, m)| view! { <p class=if ok { "ok" } else { "error" }>{m.get(lang().get()).to_string()}</p> })}</div>
            {move || shown.get().map(|made| view! { <Temporary made/> })}
            <Suspense fallback=|| view! { <p class="muted">"…"</p> }>
                {move || areas.get().map(|areas| view! { <CreateAccount areas shown version message/> })}
            </Suspense>
            {move || editing.get().map(|a| view! {
                <Suspense fallback=|| ()>
                    {move || areas.get().map(|areas| view! { <EditAreas account=a.clone() areas editing version message/> })}
                </Suspense>
            })}
            <h2>{vi_en("Tài khoản", "Accounts")}</h2>
            <label for="user-search">{vi_en("Tìm theo tên đăng nhập hoặc họ tên", "Search by user name or name")}</label>
            <input id="user-search" type="search" prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
            <Suspense fallback=|| view! { <p class="muted" role="status">{vi_en("Đang tải…", "Loading…")}</p> }>
                {move || list.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.user_message().get(lang().get()).to_string()}</p> }.into_any(),
                    Ok(l) => {
                        let cut = (l.total as usize > l.accounts.len()).then(|| format!("{} {} / {}", t("Đang hiện", "Showing"), l.accounts.len(), l.total));
                        view! {
                            <p class="muted">{cut}</p>
                            <table class="table" aria-label=vi_en("Danh sách tài khoản", "Account list")>
                                <thead><tr>
                                    <th scope="col">{vi_en("Tên đăng nhập", "User name")}</th>
                                    <th scope="col">{vi_en("Họ tên", "Name")}</th>
                                    <th scope="col">{vi_en("Vai trò", "Role")}</th>
                                    <th scope="col">{vi_en("Địa bàn", "Areas")}</th>
                                    <th scope="col">{vi_en("Đăng nhập lần cuối", "Last sign-in")}</th>
                                    <th scope="col">{vi_en("Trạng thái", "Status")}</th>
                                    <th scope="col">{vi_en("Thao tác", "Actions")}</th>
                                </tr></thead>
                                <tbody>
                                {l.accounts.into_iter().map(|a| {
                                    let (a1, a2, a3) = (a.clone(), a.clone(), a.clone());
                                    let active = a.active;
                                    let status = move || if !active { t("Đã khóa", "Deactivated") } else if a1.must_change_password { t("Chờ đổi mật khẩu", "Must change password") } else { t("Đang dùng", "Active") };
                                    let last = a.last_sign_in_at.map(date_time).unwrap_or_else(|| "—".into());
                                    let audit = format!("/nhat-ky/user/{}", a.id);
                                    view! {
                                        <tr data-username=a.username.clone()>
                                            <td>{a.username.clone()}</td>
                                            <td>{a.display_name.clone()}</td>
                                            <td>{move || role_label(a.role)}</td>
                                            <td>{a.scope_names.join(", ")}</td>
                                            <td>{last}</td>
                                            <td>{status}</td>
                                            <td class="row-actions">
                                                <button type="button" class="ghost" on:click=move |_| reset(a2.clone())>{vi_en("Cấp lại mật khẩu", "Reset password")}</button>
                                                <button type="button" class="ghost" on:click=move |_| editing.set(Some(a3.clone()))>{vi_en("Sửa địa bàn", "Change areas")}</button>
                                                {
                                                    let a4 = a.clone();
                                                    if active {
                                                        view! { <button type="button" class="ghost danger" on:click=move |_| set_active(a4.clone(), false)>{vi_en("Khóa", "Deactivate")}</button> }.into_any()
                                                    } else {
                                                        view! { <button type="button" class="ghost" on:click=move |_| set_active(a4.clone(), true)>{vi_en("Mở khóa", "Reactivate")}</button> }.into_any()
                                                    }
                                                }
                                                <a href=audit>{vi_en("Nhật ký", "History")}</a>
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn CreateAccount(
    areas: Vec<Area>,
    shown: RwSignal<Option<TemporaryPassword>>,
    version: RwSignal<u32>,
    message: RwSignal<Option<(bool, Msg)>>,
) -> impl IntoView {
    let session = crate::session::use_session();
    let username = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Officer);
    let chosen = RwSignal::new(Vec::<String>::new());
    let errors = RwSignal::new(Vec::<hoptac_core::validate::FieldError>::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let new = NewAccount {
            username: username.get_untracked(),
            display_name: name.get_untracked(),
            role: role.get_untracked(),
            areas: chosen.get_untracked(),
        };
        let found = hoptac_core::accounts::validate_new_account(&new);
        errors.set(found.clone());
        if !found.is_empty() {
            return;
        }
        busy.set(true);
        leptos::task::spawn_local(async move {
            match crate::api::users::create_user(&session.token(), &new).await {
                Ok(made) => {
                    shown.set(Some(made));
                    message.set(None);
                    username.set(String::new());
                    name.set(String::new());
                    chosen.set(Vec::new());
                    version.update(|v| *v += 1);
                }
                Err(e) => message.set(Some((false, e.user_message()))),
            }
            busy.set(false);
        });
    };
    let err = move |f: &'static str| {
        move || {
            errors.with(|e| {
                e.iter().find(|x| x.field == f).map(
                    |x| view! { <p class="error">{x.message.get(lang().get()).to_string()}</p> },
                )
            })
        }
    };
    view! {
        <details class="card" open=true>
            <summary><h2>{vi_en("Tạo tài khoản", "Create an account")}</h2></summary>
            <form on:submit=submit>
                <label for="new-username">{vi_en("Tên đăng nhập", "User name")}</label>
                <input id="new-username" autocomplete="off" autocapitalize="none" prop:value=move || username.get() on:input=move |ev| username.set(event_target_value(&ev))/>
                {err("username")}
                <label for="new-name">{vi_en("Họ tên", "Name")}</label>
                <input id="new-name" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                {err("display_name")}
                <label for="new-role">{vi_en("Vai trò", "Role")}</label>
                <select id="new-role" on:change=move |ev| role.set(Role::from_key(&event_target_value(&ev)).unwrap_or(Role::Officer))>
                    {[Role::Officer, Role::Supervisor, Role::Admin].into_iter().map(|r| view! { <option value=r.key() selected=move || role.get() == r>{move || role_label(r)}</option> }).collect_view()}
                </select>
                <AreaPicker areas chosen label=t("Địa bàn phụ trách", "Areas covered")/>
                {err("areas")}
                <button type="submit" class="primary" disabled=move || busy.get()>{vi_en("Tạo tài khoản", "Create account")}</button>
            </form>
        </details>
    }
}

#[component]
fn EditAreas(
    account: Account,
    areas: Vec<Area>,
    editing: RwSignal<Option<Account>>,
    version: RwSignal<u32>,
    message: RwSignal<Option<(bool, Msg)>>,
) -> impl IntoView {
    let session = crate::session::use_session();
    let chosen = RwSignal::new(
        areas
            .iter()
            .filter(|a| account.scopes.contains(&a.path))
            .map(|a| a.id.clone())
            .collect::<Vec<_>>(),
    );
    let id = account.id.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let id = id.clone();
        leptos::task::spawn_local(async move {
            match crate::api::users::set_areas(&session.token(), &id, &chosen.get_untracked()).await
            {
                Ok(_) => {
                    editing.set(None);
                    message.set(Some((true, Msg::new("Đã lưu địa bàn.", "Areas saved."))));
                    version.update(|v| *v += 1);
                }
                Err(e) => message.set(Some((false, e.user_message()))),
            }
        });
    };
    view! {
        <section class="card" aria-label=vi_en("Sửa địa bàn", "Change areas")>
            <h2>{move || format!("{} — {}", t("Địa bàn của", "Areas of"), account.display_name)}</h2>
            <form on:submit=save>
                <AreaPicker areas chosen label=t("Địa bàn phụ trách", "Areas covered")/>
                <button type="submit" class="primary">{vi_en("Lưu địa bàn", "Save areas")}</button>
                <button type="button" class="ghost" on:click=move |_| editing.set(None)>{vi_en("Thôi", "Cancel")}</button>
            </form>
        </section>
    }
}
