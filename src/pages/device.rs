//! "This tablet": storage safety. Whether the browser promised to keep the data, how much
//! space is used, and export / import of unsent work (to another tablet, or after a wipe).

use crate::i18n::{lang, t, ts, vi_en};
use crate::pwa::{download_text, request_persist, storage_info, Offline};
use crate::store::UnsentExport;
use hoptac_core::i18n::Msg;
use leptos::prelude::*;

fn mb(bytes: f64) -> String {
    format!("{:.1} MB", bytes / 1_000_000.0)
}

#[component]
pub fn DevicePage() -> impl IntoView {
    let session = crate::session::use_session();
    // The browser's storage: persisted or not, used and allowed (read again after this
    // page's own changes).
    let info = crate::resources::synced(storage_info);
    let message = RwSignal::new(None::<(bool, Msg)>);
    // The tablet's photos: (count, bytes, waiting to upload, sent in full and not needed),
    // read again when synced data change (an upload ended, a photo was taken).
    let photos = crate::resources::synced(|| async {
        let store = crate::handles::store();
        let held = store.held_photos().await.unwrap_or_default();
        let named = store.named_photos().await.unwrap_or_default();
        let freeable: Vec<_> = held
            .iter()
            .filter(|p| p.done && !named.contains(&p.hash))
            .collect();
        (
            held.len(),
            held.iter().map(|p| p.bytes).sum::<u64>(),
            held.iter().filter(|p| p.waiting()).count(),
            freeable.len(),
            freeable.iter().map(|p| p.bytes).sum::<u64>(),
        )
    });
    let read_photos = move || photos.refetch();
    let free = move |_| {
        let token = session.token();
        leptos::task::spawn_local(async move {
            let store = crate::handles::store();
            // Asked again first: only what the server holds now is freed.
            let mut confirmed = Vec::new();
            for p in store.held_photos().await.unwrap_or_default() {
                if !p.done {
                    continue;
                }
                match crate::api::photos::photo_status(&token, &p.hash).await {
                    Ok(st) if st.complete => confirmed.push(p.hash),
                    Ok(st) => {
                        let _ = store.set_photo_sent(&p.hash, st.received, false).await;
                    }
                    Err(e) => {
                        message.set(Some((false, e.user_message())));
                        read_photos();
                        return;
                    }
                }
            }
            if let Ok((n, bytes)) = store.free_sent_photos(&confirmed).await {
                message.set(Some((
                    true,
                    Msg::new(
                        format!("Đã giải phóng {n} ảnh đã gửi ({}).", mb(bytes as f64)),
                        format!("Freed {n} photo(s) already sent ({}).", mb(bytes as f64)),
                    ),
                )));
            }
            read_photos();
            info.refetch();
        })
    };
    let refresh = move || info.refetch();
    let ask = move |_| {
        leptos::task::spawn_local(async move {
            request_persist().await;
            info.refetch();
        })
    };
    let export = move |_| {
        let Some(s) = session.user.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            let now = crate::util::now_ms();
            match crate::handles::store().export_unsent(&s.user.id, now).await {
                Ok(x) if x.mutations.is_empty() && x.photos.is_empty() => message.set(Some((
                    true,
                    Msg::new("Không có dữ liệu chưa gửi.", "There is no unsent work."),
                ))),
                Ok(x) => {
                    let n = x.mutations.len();
                    let photos = x.photos.len();
                    let text = crate::util::to_json(&x).unwrap_or_default();
                    download_text(
                        &format!(
                            "hoptac-chua-gui-{}-{}.json",
                            s.user.username,
                            crate::util::today()
                        ),
                        &text,
                    );
                    message.set(Some((
                        true,
                        Msg::new(
                            if photos == 0 {
                                format!("Đã xuất {n} thay đổi chưa gửi ra tệp.")
                            } else {
                                format!("Đã xuất {n} thay đổi chưa gửi và {photos} ảnh ra tệp.")
                            },
                            if photos == 0 {
                                format!("Exported {n} unsent change(s) to a file.")
                            } else {
                                format!("Exported {n} unsent change(s) and {photos} photo(s) to a file.")
                            },
                        ),
                    )));
                }
                Err(e) => message.set(Some((
                    false,
                    Msg::new(
                        format!("Không xuất được: {e}"),
                        format!("Export failed: {e}"),
                    ),
                ))),
            }
        });
    };
    let import = move |ev: leptos::ev::Event| {
        let Some(s) = session.user.get_untracked() else {
            return;
        };
        let Some(file) = crate::util::chosen_file(&ev) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let text = crate::util::file_text(&file).await;
            let parsed: Option<UnsentExport> = crate::util::from_json(&text);
            let result = match parsed {
                None => Err(Msg::new(
                    "Tệp này không phải tệp xuất của Hợp tác.",
                    "This file is not a Hợp tác export.",
                )),
                Some(x) => crate::handles::store()
                    .import_unsent(&x, &s.user.id, crate::util::now_ms())
                    .await
                    .map_err(|e| match e {
                        crate::store::StoreError::OtherUsersExport => Msg::new(
                            "Tệp này là dữ liệu của cán bộ khác; hãy đăng nhập bằng tài khoản đó.",
                            "This file holds another officer's work; sign in as them.",
                        ),
                        crate::store::StoreError::NotAnExport => Msg::new(
                            "Tệp này không phải tệp xuất của Hợp tác.",
                            "This file is not a Hợp tác export.",
                        ),
                        other => Msg::new(
                            format!("Không nhập được: {other}"),
                            format!("Import failed: {other}"),
                        ),
                    }),
            };
            match result {
                Ok((n, skipped)) => {
                    message.set(Some((true, Msg::new(
                        format!("Đã nhập {n} thay đổi; {skipped} đã có sẵn trên máy, không nhập lại."),
                        format!("Imported {n} change(s); {skipped} were already here and were not duplicated."),
                    ))));
                    crate::sync::local_changed().await;
                    crate::sync::sync_now();
                }
                Err(m) => message.set(Some((false, m))),
            }
            refresh();
        });
    };
    view! {
        <h1>{vi_en("Máy này", "This tablet")}</h1>
        <section class="card">
            <h2>{vi_en("Bộ nhớ", "Storage")}</h2>
            <p data-testid="persisted">{move || match info.get() {
                None => "…".to_string(),
                Some(i) if i.persisted => t("Trình duyệt đã cam kết giữ dữ liệu của ứng dụng (lưu trữ bền vững).", "The browser has promised to keep the app's data (persistent storage).").to_string(),
                Some(_) => t("Chưa được lưu trữ bền vững: khi máy đầy, trình duyệt có thể xóa dữ liệu. Hãy gửi dữ liệu thường xuyên.", "Storage is not persistent: when the tablet is full, the browser may delete data. Sync often.").to_string(),
            }}</p>
            <p>{move || info.get().map(|i| ts(format!("Đã dùng {} trên {} cho phép.", mb(i.usage), mb(i.quota)), format!("Using {} of {} allowed.", mb(i.usage), mb(i.quota))))}</p>
            <p data-testid="app-offline">{move || match crate::pwa::offline().get() {
                Offline::Ready => t("Ứng dụng đã được lưu trên máy: mọi trang mở được khi mất sóng.", "The app is saved on this tablet: every page opens without signal."),
                Offline::Saving => t("Đang lưu ứng dụng vào máy; hãy giữ kết nối mạng đến khi xong.", "Saving the app on this tablet; stay online until it is done."),
                Offline::Unavailable => t(Offline::UNAVAILABLE.0, Offline::UNAVAILABLE.1),
            }}</p>
            <Show when=move || info.get().is_some_and(|i| !i.persisted)>
                <button type="button" on:click=ask>{vi_en("Yêu cầu lưu trữ bền vững", "Ask for persistent storage")}</button>
            </Show>
        </section>
        <section class="card" aria-labelledby="device-photos-h">
            <h2 id="device-photos-h">{vi_en("Ảnh", "Photos")}</h2>
            <p data-testid="device-photos">{move || photos.get().map(|(n, bytes, waiting, _, _)| ts(
                format!("Ảnh trên máy: {n} ảnh, {}; {waiting} ảnh chờ gửi.", mb(bytes as f64)),
                format!("Photos on this tablet: {n}, {}; {waiting} waiting to upload.", mb(bytes as f64))))}</p>
            <Show when=move || photos.get().is_some_and(|p| p.3 > 0)>
                <p class="muted">{vi_en("Ảnh đã gửi đủ lên máy chủ có thể xoá khỏi máy để lấy chỗ trống; khi có mạng vẫn xem được từ máy chủ.", "Photos the server holds in full can be removed from this tablet to make room; they can still be seen from the server when online.")}</p>
                <button type="button" on:click=free>{move || photos.get().map(|(_, _, _, k, b)| ts(
                    format!("Giải phóng {k} ảnh đã gửi ({})", mb(b as f64)),
                    format!("Free {k} photo(s) already sent ({})", mb(b as f64))))}</button>
            </Show>
        </section>
        <section class="card">
            <h2>{vi_en("Dữ liệu chưa gửi", "Unsent work")}</h2>
            <p class="muted">{vi_en("Xuất ra tệp để mang sang máy khác hoặc giữ phòng khi máy bị xóa. Nhập lại trên máy bất kỳ: không có gì bị trùng.", "Export to a file to move it to another tablet or keep it in case this one is wiped. Import it on any tablet: nothing is duplicated.")}</p>
            <div class="actions">
                <button type="button" class="primary" on:click=export>{vi_en("Xuất dữ liệu chưa gửi", "Export unsent work")}</button>
                <label class="button" for="import-file">{vi_en("Nhập từ tệp", "Import from a file")}</label>
                <input id="import-file" class="sr-only" type="file" accept="application/json,.json" on:change=import/>
            </div>
            <Show when=move || message.get().is_some()>
                <p role="status" class=move || if message.get().is_some_and(|m| m.0) { "ok" } else { "error" }>
                    {move || message.get().map(|m| m.1.get(lang().get()).to_string())}
                </p>
            </Show>
        </section>
    }
}
