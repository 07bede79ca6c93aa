//! Photos on a form (issue 17): taken with the camera or chosen from the gallery, offline;
//! each shown from the tablet with its section, caption, and the time and position the
//! camera recorded (each removable); removed for good with a confirmation. Used by the
//! visit report (up to hoptac_core::photo::MAX_PER_REPORT, with sections) and the
//! cooperative's profile (one main photo).

use crate::i18n::{lang, t, vi_en};
use hoptac_core::i18n::Msg;
use hoptac_core::keyed::Keyed;
use hoptac_core::photo::{PhotoRef, PhotoSection};
use leptos::prelude::*;

/// A change the officer makes to a record's photos.
#[derive(Debug, Clone, PartialEq)]
pub enum PhotoChange {
    /// A photo taken (added at the end; ignored past `max` or when already there).
    Add(PhotoRef),
    /// Photo `hash` removed from the record.
    Remove(String),
    Section(String, PhotoSection),
    Caption(String, String),
    /// The officer removes the time the camera recorded.
    DropTime(String),
    /// The officer removes the position the camera recorded.
    DropPosition(String),
}

impl PhotoChange {
    /// Applies the change to `photos` (at most `max` of them).
    pub fn apply(self, photos: &mut Vec<PhotoRef>, max: usize) {
        let find = |photos: &mut Vec<PhotoRef>, h: &str| photos.iter().position(|p| p.hash == h);
        match self {
            PhotoChange::Add(p) => {
                if photos.len() < max && find(photos, &p.hash).is_none() {
                    photos.push(p);
                }
            }
            PhotoChange::Remove(h) => photos.retain(|p| p.hash != h),
            PhotoChange::Section(h, s) => {
                if let Some(i) = find(photos, &h) {
                    photos[i].section = s;
                }
            }
            PhotoChange::Caption(h, c) => {
                if let Some(i) = find(photos, &h) {
                    photos[i].caption = c;
                }
            }
            PhotoChange::DropTime(h) => {
                if let Some(i) = find(photos, &h) {
                    photos[i].taken_at = None;
                }
            }
            PhotoChange::DropPosition(h) => {
                if let Some(i) = find(photos, &h) {
                    photos[i].position = None;
                }
            }
        }
    }
}

/// An object URL for photo `hash`: from this tablet when it holds it (offline too), else
/// from the server (`thumb`: its thumbnail).
/// `token`: the session's, for the server.
pub async fn photo_src(
    token: &str,
    hash: &str,
    thumb: bool,
) -> Result<String, crate::api::photos::PhotoMissing> {
    if let Ok(Some(blob)) = crate::handles::store().photo_blob(hash).await {
        return Ok(crate::photos::object_url(&blob));
    }
    crate::api::photos::photo_url(token, hash, thumb).await
}

/// The photos of a record, editable. `id`: the DOM id prefix; `max`: how many it takes;
/// `sections`: whether each photo says which part of the report it shows.
#[component]
pub fn PhotoEditor(
    #[prop(into)] photos: Signal<Vec<PhotoRef>>,
    change: Callback<PhotoChange>,
    id: &'static str,
    max: usize,
    sections: bool,
    /// Section a new photo starts in.
    #[prop(optional)]
    default_section: Option<PhotoSection>,
) -> impl IntoView {
    let busy = RwSignal::new(0u32);
    let error = RwSignal::new(None::<Msg>);
    let section = RwSignal::new(default_section.unwrap_or(PhotoSection::Headquarters));
    let count = move || photos.with(|p| p.len());
    let on_files = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let files = crate::photos::files_of(&input);
        input.set_value("");
        let room = max.saturating_sub(count() + busy.get_untracked() as usize);
        if files.length() as usize > room {
            error.set(Some(Msg::new(
                format!("Tối đa {max} ảnh: chỉ lấy {room} ảnh đầu."),
                format!("At most {max} photos: only the first {room} taken."),
            )));
        } else {
            error.set(None);
        }
        let chosen = section.get_untracked();
        for file in files.iter().take(room) {
            let Ok(file) = file.dyn_into::<web_sys::File>() else {
                continue;
            };
            busy.update(|b| *b += 1);
            leptos::task::spawn_local(async move {
                match crate::photos::take(&file, chosen).await {
                    Ok(p) if photos.with_untracked(|ps| ps.iter().any(|q| q.hash == p.hash)) => {
                        error.set(Some(Msg::new(
                            "Ảnh này đã có trên phiếu.",
                            "This photo is on the record already.",
                        )))
                    }
                    Ok(p) => change.run(PhotoChange::Add(p)),
                    Err(m) => error.set(Some(m)),
                }
                busy.update(|b| *b = b.saturating_sub(1));
            });
        }
    };
    let camera_id = format!("{id}-camera");
    let gallery_id = format!("{id}-gallery");
    let section_id = format!("{id}-section");
    let full = move || count() + busy.get() as usize >= max;
    // Only adding or removing a photo redraws the list (not typing a caption).
    let hashes =
        Memo::new(move |_| photos.with(|p| p.iter().map(|p| p.hash.clone()).collect::<Vec<_>>()));
    view! {
        <div class="photo-editor" id=id>
            <p class="muted">{move || crate::i18n::ts(
                format!("Ảnh chụp bằng máy hoặc chọn từ thư viện, kể cả khi mất sóng (tối đa {max}). Ảnh được thu nhỏ và bỏ thông tin máy ảnh trước khi lưu."),
                format!("Take photos or choose them from the gallery, offline too (at most {max}). Photos are downscaled and stripped of camera data before they are kept."))}</p>
            {sections.then(|| view! {
                <div class="field">
                    <label for=section_id.clone()>{vi_en("Ảnh mới thuộc phần", "New photos show")}</label>
                    <select id=section_id.clone() on:change=move |ev| {
                        if let Some(s) = PhotoSection::from_key(&event_target_value(&ev)) { section.set(s) }
                    }>
                        {PhotoSection::ALL.iter().map(|s| {
                            let s = *s;
                            let (vi, en) = s.label();
                            view! { <option value=s.key() selected=move || section.get() == s>{vi_en(vi, en)}</option> }
                        }).collect_view()}
                    </select>
                </div>
            })}
            <div class="photo-actions">
                <label class="button" class:disabled=full for=camera_id.clone()>{vi_en("📷 Chụp ảnh", "📷 Take a photo")}</label>
                <input id=camera_id.clone() class="sr-only" type="file" accept="image/*" capture="environment"
                    disabled=full on:change=on_files/>
                <label class="button" class:disabled=full for=gallery_id.clone()>{vi_en("Chọn ảnh từ thư viện", "Choose from the gallery")}</label>
                <input id=gallery_id.clone() class="sr-only" type="file" accept="image/*" multiple
                    disabled=full on:change=on_files/>
                <span class="muted" data-testid=format!("{id}-count")>{move || format!("{}/{max}", count())}</span>
            </div>
            <Show when=move || { busy.get() > 0 }>
                <p role="status" class="muted">
                    <progress aria-label=vi_en("Đang xử lý ảnh", "Preparing photos")></progress>" "
                    {move || crate::i18n::ts(format!("Đang xử lý {} ảnh…", busy.get()), format!("Preparing {} photo(s)…", busy.get()))}
                </p>
            </Show>
            <Show when=move || error.with(Option::is_some)>
                <p class="error" role="alert">{move || error.get().map(|m| m.get(lang().get()).to_string())}</p>
            </Show>
            <ul class="photos" aria-label=vi_en("Ảnh của phiếu", "The record's photos")>
                <For each=move || hashes.get() key=|h| h.clone() let:hash>
                    <PhotoRow hash photos change sections/>
                </For>
            </ul>
        </div>
    }
}

#[component]
fn PhotoRow(
    hash: String,
    photos: Signal<Vec<PhotoRef>>,
    change: Callback<PhotoChange>,
    sections: bool,
) -> impl IntoView {
    let h = StoredValue::new(hash.clone());
    let this = move || photos.with(|ps| ps.iter().find(|p| p.hash == h.get_value()).cloned());
    let session = crate::session::use_session();
    let src = crate::resources::once(move || {
        let (hash, token) = (h.get_value(), session.token());
        async move { photo_src(&token, &hash, true).await.ok() }
    });
    on_cleanup(move || {
        if let Some(Some(u)) = src.get_untracked() {
            crate::photos::revoke_url(&u);
        }
    });
    let confirming = RwSignal::new(false);
    let short = hash.chars().take(8).collect::<String>();
    let name = move || {
        this()
            .map(|p| {
                let (vi, en) = p.section.label();
                let s = t(vi, en).to_string();
                if p.caption.is_empty() {
                    s
                } else {
                    format!("{s} — {}", p.caption)
                }
            })
            .unwrap_or_default()
    };
    let caption_id = format!("caption-{short}");
    let section_id = format!("photo-section-{short}");
    view! {
        <li class="photo" data-hash=hash.clone()>
            {move || src.get().flatten().map(|u| view! { <img src=u alt=name/> })}
            {sections.then(|| view! {
                <label for=section_id.clone()>{vi_en("Phần", "Shows")}</label>
                <select id=section_id.clone() on:change=move |ev| {
                    if let Some(s) = PhotoSection::from_key(&event_target_value(&ev)) { change.run(PhotoChange::Section(h.get_value(), s)) }
                }>
                    {PhotoSection::ALL.iter().map(|s| {
                        let s = *s;
                        let (vi, en) = s.label();
                        view! { <option value=s.key() selected=move || this().map(|p| p.section) == Some(s)>{vi_en(vi, en)}</option> }
                    }).collect_view()}
                </select>
            })}
            <label for=caption_id.clone()>{vi_en("Chú thích", "Caption")}</label>
            <input id=caption_id type="text" maxlength=hoptac_core::limits::CAPTION.to_string()
                prop:value=move || this().map(|p| p.caption).unwrap_or_default()
                on:input=move |ev| change.run(PhotoChange::Caption(h.get_value(), event_target_value(&ev)))/>
            {move || this().and_then(|p| p.taken_at).map(|ms| view! {
                <p class="photo-meta">{move || format!("{} {}", t("Chụp lúc", "Taken at"), crate::i18n::date_time(ms))}" "
                    <button type="button" class="link" on:click=move |_| change.run(PhotoChange::DropTime(h.get_value()))>{vi_en("Bỏ thời gian chụp", "Remove the time taken")}</button>
                </p>
            })}
            {move || this().and_then(|p| p.position).map(|pos| view! {
                <p class="photo-meta">{format!("{:.5}, {:.5}", pos.lat, pos.lon)}" "
                    <button type="button" class="link" on:click=move |_| change.run(PhotoChange::DropPosition(h.get_value()))>{vi_en("Bỏ vị trí chụp", "Remove the position")}</button>
                </p>
            })}
            <Show when=move || confirming.get() fallback=move || view! {
                <button type="button" class="danger" on:click=move |_| confirming.set(true)>{vi_en("Xoá ảnh", "Remove photo")}</button>
            }>
                <button type="button" class="danger" on:click=move |_| {
                    let hash = h.get_value();
                    change.run(PhotoChange::Remove(hash.clone()));
                    // Gone for good once the draft without it is saved: never uploaded.
                    leptos::task::spawn_local(async move {
                        let _ = crate::handles::store().forget_photo(&hash).await;
                    });
                }>{vi_en("Xoá hẳn ảnh này", "Remove this photo for good")}</button>
                <button type="button" on:click=move |_| confirming.set(false)>{vi_en("Giữ lại", "Keep it")}</button>
            </Show>
        </li>
    }
}
