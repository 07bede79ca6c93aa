//! Photos on the tablet (issue 17): taking one into a draft and showing held ones. The
//! work on the image (upright, downscaled to [`LONG_SIDE_PX`], JPEG, metadata stripped,
//! SHA-256) runs in a worker (public/photo-worker.js, through src/photos.js) so the form
//! stays responsive; the bytes go to the `photos` store (crate::store::photos) and the
//! draft names them by hash ([`PhotoRef`]). Uploading is the sync task's
//! (crate::sync::uploads).

use hoptac_core::i18n::Msg;
use hoptac_core::photo::{PhotoRef, PhotoSection, LONG_SIDE_PX, MAX_BYTES};
use hoptac_core::report::Position;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(module = "/src/photos.js")]
extern "C" {
    #[wasm_bindgen(js_name = preparePhoto)]
    fn prepare_photo(file: &web_sys::Blob, long_side: u32) -> js_sys::Promise;
    #[wasm_bindgen(js_name = storageEstimate)]
    fn storage_estimate() -> js_sys::Promise;
    /// An object URL for a blob (revoke it with [`revoke_url`] when the image goes).
    #[wasm_bindgen(js_name = objectUrl)]
    pub fn object_url(blob: &web_sys::Blob) -> String;
    #[wasm_bindgen(js_name = revokeUrl)]
    pub fn revoke_url(url: &str);
    /// The files an `<input type=file>` holds.
    #[wasm_bindgen(js_name = filesOf)]
    pub fn files_of(input: &web_sys::HtmlInputElement) -> js_sys::Array;
    #[wasm_bindgen(js_name = whenVisible)]
    fn when_visible_js(el: &web_sys::Element) -> js_sys::Promise;
    #[wasm_bindgen(js_name = toBase64)]
    fn to_base64_js(blob: &web_sys::Blob) -> js_sys::Promise;
    #[wasm_bindgen(js_name = fromBase64)]
    fn from_base64_js(text: &str) -> js_sys::Promise;
}

/// Room the tablet keeps free besides a photo, in bytes: a report and its draft must
/// still be savable after it.
const HEADROOM: f64 = 5.0 * 1024.0 * 1024.0;

fn num(v: &JsValue, k: &str) -> Option<f64> {
    js_sys::Reflect::get(v, &JsValue::from_str(k))
        .ok()
        .and_then(|x| x.as_f64())
}

/// Bytes used and allowed for this site's storage (0, 0 when the browser does not say).
pub async fn estimate() -> (f64, f64) {
    match wasm_bindgen_futures::JsFuture::from(storage_estimate()).await {
        Ok(v) => (
            num(&v, "usage").unwrap_or(0.0),
            num(&v, "quota").unwrap_or(0.0),
        ),
        Err(_) => (0.0, 0.0),
    }
}

/// "The tablet is full": what the officer reads when a photo cannot be kept.
pub fn full() -> Msg {
    Msg::new(
        "Máy đã hết chỗ trống: không lưu được ảnh này. Phiếu và các ảnh đã chụp vẫn còn nguyên. Hãy gửi dữ liệu khi có mạng rồi giải phóng ảnh đã gửi ở trang \"Máy này\", hoặc xoá bớt tệp khác trên máy.",
        "This tablet is full: the photo could not be kept. The report and the photos taken so far are safe. Sync when online, then free the photos already sent on \"This device\", or delete other files.",
    )
}

/// Takes a photo the officer chose (camera or gallery) into this tablet's store: checks
/// there is room first, prepares it in the worker, keeps it. Returns how the record names
/// it, in `section`, with the time and position the camera recorded (the officer may
/// remove them). Errors: the tablet is full; not an image the browser can read; larger
/// than the server takes.
pub async fn take(file: &web_sys::File, section: PhotoSection) -> Result<PhotoRef, Msg> {
    let (usage, quota) = estimate().await;
    if quota > 0.0 && usage + file.size() * 2.0 + HEADROOM > quota {
        return Err(full());
    }
    let t0 = crate::util::perf_now();
    let prepared = wasm_bindgen_futures::JsFuture::from(prepare_photo(file, LONG_SIDE_PX))
        .await
        .map_err(|_| {
            Msg::new(
                "Không đọc được ảnh này (tệp hỏng hoặc định dạng máy không đọc được). Hãy chụp lại.",
                "This photo cannot be read (a damaged file or a format this tablet cannot read). Take it again.",
            )
        })?;
    // For bench/photos.mjs: the file chosen → the photo ready (in the worker or the page).
    crate::util::bench_record("photoPrepare", crate::util::perf_now() - t0);
    let get = |k: &str| {
        js_sys::Reflect::get(&prepared, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
    };
    let blob: web_sys::Blob = get("blob")
        .dyn_into()
        .map_err(|_| Msg::new("Không đọc được ảnh này.", "This photo cannot be read."))?;
    let hash = get("hash").as_string().unwrap_or_default();
    let bytes = blob.size() as u64;
    if bytes == 0 || bytes > MAX_BYTES {
        return Err(Msg::new(
            "Ảnh rỗng hoặc quá lớn (tối đa 12 MB).",
            "The photo is empty or too large (at most 12 MB).",
        ));
    }
    let width = num(&prepared, "width").unwrap_or(0.0) as u32;
    let height = num(&prepared, "height").unwrap_or(0.0) as u32;
    let position = match (num(&prepared, "lat"), num(&prepared, "lon")) {
        (Some(lat), Some(lon)) => Some(Position {
            lat,
            lon,
            accuracy_m: num(&prepared, "accuracy"),
        }),
        _ => None,
    };
    let taken_at = num(&prepared, "takenAt").map(|t| t as i64);
    crate::handles::store()
        .put_photo(&hash, &blob, width, height, crate::util::now_ms())
        .await
        .map_err(|e| {
            let text = e.to_string();
            if text.contains("Quota") || text.contains("quota") {
                full()
            } else {
                Msg::new(
                    format!("Không lưu được ảnh trên máy: {text}"),
                    format!("Could not keep the photo on this tablet: {text}"),
                )
            }
        })?;
    Ok(PhotoRef {
        hash,
        section,
        caption: String::new(),
        taken_at,
        position,
        bytes,
        width,
        height,
    })
}

/// A photo's bytes as base64 (the rescue file).
pub async fn to_base64(blob: &web_sys::Blob) -> Result<String, String> {
    wasm_bindgen_futures::JsFuture::from(to_base64_js(blob))
        .await
        .map_err(|e| crate::util::js_text(&e))?
        .as_string()
        .ok_or_else(|| "not text".to_string())
}

/// Base64 back to a blob, with the SHA-256 of its bytes (None: not base64).
pub async fn from_base64(text: &str) -> Option<(web_sys::Blob, String)> {
    let v = wasm_bindgen_futures::JsFuture::from(from_base64_js(text))
        .await
        .ok()?;
    let arr: js_sys::Array = v.dyn_into().ok()?;
    Some((arr.get(0).dyn_into().ok()?, arr.get(1).as_string()?))
}

/// Resolves once `el` is on screen (a long list loads a row's thumbnail only then).
pub async fn when_visible(el: &web_sys::Element) {
    let _ = wasm_bindgen_futures::JsFuture::from(when_visible_js(el)).await;
}
