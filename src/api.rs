//! The only code that talks to the server (pages never do; the sync task and sign-in do).
//! Requests go through the browser's Fetch API (gloo-net); JSON is read and written by the
//! browser's JSON.parse/stringify with serde-wasm-bindgen, which keeps the wasm small.

use crate::util::{from_json, to_json};
use gloo_net::http::Request;
use hoptac_core::error::{ApiErrorBody, ErrorCode};
use hoptac_core::i18n::Msg;
use hoptac_core::model::{LoginRequest, LoginResponse};
use hoptac_core::sync::{PullRequest, PushRequest, PushResponse};
use serde::de::DeserializeOwned;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq)]
pub enum ApiError {
    /// No connection or the server did not answer: try again later.
    Network,
    /// The server answered with an error.
    Server {
        status: u16,
        code: ErrorCode,
        message: String,
        /// The first field message, in both languages, when the server gave one.
        detail: Option<Msg>,
    },
}

impl ApiError {
    /// What the user reads.
    pub fn user_message(&self) -> Msg {
        match self {
            ApiError::Network => Msg::new(
                "Không kết nối được máy chủ. Dữ liệu vẫn lưu trên máy và sẽ gửi khi có mạng.",
                "Cannot reach the server. Your data stays on this device and is sent when online.",
            ),
            ApiError::Server {
                detail: Some(m), ..
            } => m.clone(),
            ApiError::Server { code, .. } => code.user_message(),
        }
    }

    /// Worth retrying later (network, server trouble) rather than a permanent refusal.
    pub fn is_temporary(&self) -> bool {
        match self {
            ApiError::Network => true,
            ApiError::Server { status, .. } => *status >= 500 || *status == 429,
        }
    }
}

async fn post<B: Serialize, R: DeserializeOwned>(
    path: &str,
    token: Option<&str>,
    body: &B,
) -> Result<R, ApiError> {
    let js = post_js(path, token, body).await?;
    serde_wasm_bindgen::from_value(js).map_err(|_| ApiError::Network)
}

/// POSTs JSON and returns the parsed answer as a JavaScript value (JSON.parse), for
/// callers that hand most of it to IndexedDB untouched.
async fn post_js<B: Serialize>(
    path: &str,
    token: Option<&str>,
    body: &B,
) -> Result<wasm_bindgen::JsValue, ApiError> {
    let body = to_json(body).ok_or(ApiError::Network)?;
    send_js(Request::post(path), token, Some(body)).await
}

async fn send_js(
    req: gloo_net::http::RequestBuilder,
    token: Option<&str>,
    body: Option<String>,
) -> Result<wasm_bindgen::JsValue, ApiError> {
    let mut req = req.header("content-type", "application/json");
    if let Some(t) = token {
        req = req.header("authorization", &format!("Bearer {t}"));
    }
    let req = match body {
        Some(b) => req.body(b).map_err(|_| ApiError::Network)?,
        None => req.build().map_err(|_| ApiError::Network)?,
    };
    let sent = crate::clock::device_now_ms();
    let resp = req.send().await.map_err(|_| ApiError::Network)?;
    crate::clock::observe(&resp.headers(), sent, crate::clock::device_now_ms());
    let status = resp.status();
    let text = resp.text().await.map_err(|_| ApiError::Network)?;
    if (200..300).contains(&status) {
        return js_sys::JSON::parse(&text).map_err(|_| ApiError::Network);
    }
    Err(error_of(status, &text))
}

/// A JSON answer read into `R`, or the error an answer outside 2xx carries.
async fn answer<R: DeserializeOwned>(resp: gloo_net::http::Response) -> Result<R, ApiError> {
    let status = resp.status();
    let text = resp.text().await.map_err(|_| ApiError::Network)?;
    if (200..300).contains(&status) {
        return from_json(&text).ok_or(ApiError::Network);
    }
    Err(error_of(status, &text))
}

/// The error an answer outside 2xx carries: our JSON error body, or, for a proxy's or
/// captive portal's page instead of our JSON, no connection.
fn error_of(status: u16, text: &str) -> ApiError {
    match from_json::<ApiErrorBody>(text) {
        Some(b) => ApiError::Server {
            status,
            code: b.code,
            message: b.message,
            detail: b.fields.first().map(|f| f.message.clone()),
        },
        None => ApiError::Network,
    }
}

pub async fn login(username: &str, password: &str) -> Result<LoginResponse, ApiError> {
    post(
        "/api/auth/login",
        None,
        &LoginRequest {
            username: username.into(),
            password: password.into(),
        },
    )
    .await
}

/// One page of the review queue (`GET /api/visits?QUERY`, QUERY from [`query`]: status,
/// area, period, q, after, limit), online.
pub async fn review_queue(
    token: &str,
    query: &str,
) -> Result<hoptac_core::queue::QueuePage, ApiError> {
    get(token, &format!("/api/visits?{query}")).await
}

/// The officers the review queue can be filtered by: (id, name), by name.
pub async fn queue_officers(token: &str) -> Result<Vec<(String, String)>, ApiError> {
    #[derive(serde::Deserialize)]
    struct Officer {
        id: String,
        name: String,
    }
    let list: Vec<Officer> = get(token, "/api/visits/officers").await?;
    Ok(list.into_iter().map(|o| (o.id, o.name)).collect())
}

/// A submission with its previous revision and changed fields (supervisors, online).
pub async fn visit_detail(
    token: &str,
    id: &str,
) -> Result<hoptac_core::queue::ReportDetail, ApiError> {
    get(token, &format!("/api/visits/{}", enc(id))).await
}

/// Approve, return, reject or comment (supervisors, online).
pub async fn decide(
    token: &str,
    id: &str,
    req: &hoptac_core::review::DecisionRequest,
) -> Result<hoptac_core::model::VisitReport, ApiError> {
    post(
        &format!("/api/visits/{}/decisions", js_sys::encode_uri_component(id)),
        Some(token),
        req,
    )
    .await
}

/// Ends the session on the server (its token stops working at once).
pub async fn logout(token: &str) -> Result<(), ApiError> {
    match send_js(Request::post("/api/auth/logout"), Some(token), None).await {
        // 204: no body to parse.
        Ok(_) | Err(ApiError::Network) => Ok(()),
        Err(e) => Err(e),
    }
}

pub async fn push(token: &str, req: &PushRequest) -> Result<PushResponse, ApiError> {
    post("/api/sync/push", Some(token), req).await
}

/// A pulled page: its control fields decoded, its changes left as the parsed JSON array
/// (the store writes the records into IndexedDB as they came; see Store::apply_pull_js).
pub struct PullPage {
    pub header: PullHeader,
    pub changes: wasm_bindgen::JsValue,
}

/// [`PullResponse`] without its changes.
#[derive(serde::Deserialize)]
pub struct PullHeader {
    pub cursor: i64,
    pub has_more: bool,
    pub last_mutation_id: u64,
    #[serde(default)]
    pub remaining: u64,
}

pub async fn pull(token: &str, req: &PullRequest) -> Result<PullPage, ApiError> {
    let js = post_js("/api/sync/pull", Some(token), req).await?;
    let header: PullHeader =
        serde_wasm_bindgen::from_value(js.clone()).map_err(|_| ApiError::Network)?;
    let changes = js_sys::Reflect::get(&js, &"changes".into()).map_err(|_| ApiError::Network)?;
    if !js_sys::Array::is_array(&changes) {
        return Err(ApiError::Network);
    }
    Ok(PullPage { header, changes })
}

/// GETs JSON from the API (online pages: the review, the audit trail).
async fn get<R: DeserializeOwned>(token: &str, path: &str) -> Result<R, ApiError> {
    let js = send_js(Request::get(path), Some(token), None).await?;
    serde_wasm_bindgen::from_value(js).map_err(|_| ApiError::Network)
}

fn enc(s: &str) -> String {
    String::from(js_sys::encode_uri_component(s))
}

/// The six-monthly review of `period` for `area` ("" = all the user's areas).
pub async fn review(
    token: &str,
    period: &str,
    area: &str,
) -> Result<hoptac_core::six_month::ReviewResponse, ApiError> {
    get(
        token,
        &format!("/api/review?period={}&area={}", enc(period), enc(area)),
    )
    .await
}

/// The half-years with approved reports in the user's areas, newest first.
pub async fn review_periods(token: &str) -> Result<hoptac_core::six_month::ReviewPeriods, ApiError> {
    get(token, "/api/review/periods").await
}

/// One page of the records behind a figure of the review ([`review`]'s period and area):
/// `figure` is its key (hoptac_core::six_month::SixMonthReview::ids_of), `offset` where the
/// page starts.
pub async fn review_records(
    token: &str,
    period: &str,
    area: &str,
    figure: &str,
    last_year: bool,
    offset: u32,
) -> Result<hoptac_core::six_month::RecordsPage, ApiError> {
    get(
        token,
        &format!(
            "/api/review/records?period={}&area={}&figure={}&last_year={last_year}&offset={offset}&limit=100",
            enc(period),
            enc(area),
            enc(figure)
        ),
    )
    .await
}

/// Sets an area's targets for a period (supervisors, administrators).
pub async fn set_targets(
    token: &str,
    req: &hoptac_core::six_month::TargetsRequest,
) -> Result<hoptac_core::six_month::Targets, ApiError> {
    let js = send_js(Request::put("/api/targets"), Some(token), to_json(req)).await?;
    serde_wasm_bindgen::from_value(js).map_err(|_| ApiError::Network)
}

/// A record's audit trail (supervisors, administrators).
pub async fn audit(
    token: &str,
    entity: &str,
    id: &str,
) -> Result<Vec<hoptac_core::queue::AuditEntry>, ApiError> {
    get(token, &format!("/api/audit/{}/{}", enc(entity), enc(id))).await
}

/// Downloads an export (`path` with its query) and saves it as the file the server names.
pub async fn download(token: &str, path: &str) -> Result<(), ApiError> {
    let out = crate::pwa::download_file(path, token)
        .await
        .as_string()
        .unwrap_or_default();
    if out.is_empty() {
        return Ok(());
    }
    match from_json::<ApiErrorBody>(&out) {
        Some(b) => Err(ApiError::Server {
            status: 400,
            code: b.code,
            message: b.message,
            detail: b.fields.first().map(|f| f.message.clone()),
        }),
        None => Err(ApiError::Network),
    }
}

/// "a=1&b=x" from pairs, leaving out empty values.
pub fn query(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

// ---- Accounts, registry, duplicates (online pages of administrators and supervisors) ----

use hoptac_core::accounts::{Account, AccountList, NewAccount, PasswordChange, TemporaryPassword};

async fn send<B: Serialize, R: DeserializeOwned>(
    req: gloo_net::http::RequestBuilder,
    token: &str,
    body: Option<&B>,
) -> Result<R, ApiError> {
    let body = match body {
        Some(b) => Some(to_json(b).ok_or(ApiError::Network)?),
        None => None,
    };
    let js = send_js(req, Some(token), body).await?;
    serde_wasm_bindgen::from_value(js).map_err(|_| ApiError::Network)
}

/// Changes the signed-in user's own password; returns the user after.
pub async fn change_password(
    token: &str,
    current: &str,
    new: &str,
) -> Result<hoptac_core::model::UserInfo, ApiError> {
    let body = PasswordChange {
        current_password: current.into(),
        new_password: new.into(),
    };
    send(Request::post("/api/me/password"), token, Some(&body)).await
}

/// Accounts inside the administrator's areas matching `search`.
pub async fn users(token: &str, search: &str) -> Result<AccountList, ApiError> {
    get(token, &format!("/api/users?{}", query(&[("q", search)]))).await
}

pub async fn create_user(token: &str, new: &NewAccount) -> Result<TemporaryPassword, ApiError> {
    send(Request::post("/api/users"), token, Some(new)).await
}

pub async fn reset_password(token: &str, id: &str) -> Result<TemporaryPassword, ApiError> {
    send::<(), _>(
        Request::post(&format!("/api/users/{}/reset-password", enc(id))),
        token,
        None,
    )
    .await
}

/// Deactivates (`active` false) or reactivates an account.
pub async fn set_active(token: &str, id: &str, active: bool) -> Result<Account, ApiError> {
    let verb = if active { "reactivate" } else { "deactivate" };
    send::<(), _>(
        Request::post(&format!("/api/users/{}/{verb}", enc(id))),
        token,
        None,
    )
    .await
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Areas {
    #[serde(default)]
    areas: Vec<String>,
    #[serde(default)]
    scopes: Vec<String>,
}

/// Replaces an account's areas (ids); returns their paths after.
pub async fn set_areas(token: &str, id: &str, areas: &[String]) -> Result<Vec<String>, ApiError> {
    let body = Areas {
        areas: areas.to_vec(),
        scopes: vec![],
    };
    let r: Areas = send(
        Request::put(&format!("/api/users/{}/areas", enc(id))),
        token,
        Some(&body),
    )
    .await?;
    Ok(r.scopes)
}

/// The area tree inside (and above) the caller's areas.
pub async fn areas(token: &str) -> Result<Vec<hoptac_core::model::Area>, ApiError> {
    get(token, "/api/areas").await
}

/// An import's report with the refused rows as CSV.
#[derive(serde::Deserialize, Clone, PartialEq)]
pub struct ImportResponse {
    #[serde(flatten)]
    pub report: hoptac_core::registry::ImportReport,
    pub notes_csv: String,
}

/// What the administrator chose after a dry run: `mapping` the file's header → column
/// key where the file's headers differ; the worksheet to read; how the file writes dates.
#[derive(Clone, Default, PartialEq)]
pub struct ImportChoices {
    pub mapping: Vec<(String, String)>,
    pub sheet: Option<String>,
    pub date_order: Option<hoptac_core::spreadsheet::DateOrder>,
}

/// Sends a registry file: a dry run, or (`apply`) the import itself.
pub async fn import_registry(
    token: &str,
    file: &web_sys::File,
    apply: bool,
    choices: &ImportChoices,
) -> Result<ImportResponse, ApiError> {
    let map: std::collections::BTreeMap<&str, &str> = choices
        .mapping
        .iter()
        .map(|(h, k)| (h.as_str(), k.as_str()))
        .collect();
    let mapping = to_json(&map).unwrap_or_default();
    let mut fields = vec![("apply", if apply { "true" } else { "false" }), ("mapping", mapping.as_str())];
    if let Some(sheet) = &choices.sheet {
        fields.push(("sheet", sheet.as_str()));
    }
    match choices.date_order {
        Some(hoptac_core::spreadsheet::DateOrder::Dmy) => fields.push(("date_order", "dmy")),
        Some(hoptac_core::spreadsheet::DateOrder::Mdy) => fields.push(("date_order", "mdy")),
        None => {}
    }
    upload(token, "/api/registry/import", file, &fields).await
}

pub async fn duplicates(token: &str) -> Result<Vec<hoptac_core::registry::Duplicate>, ApiError> {
    get(token, "/api/cooperatives/duplicates").await
}

pub async fn merge(
    token: &str,
    keep: &str,
    remove: &str,
) -> Result<hoptac_core::model::Cooperative, ApiError> {
    let body = hoptac_core::registry::MergeRequest {
        keep: keep.into(),
        remove: remove.into(),
    };
    send(Request::post("/api/cooperatives/merge"), token, Some(&body)).await
}

pub async fn dismiss_duplicate(token: &str, a: &str, b: &str) -> Result<(), ApiError> {
    #[derive(serde::Serialize)]
    struct D<'a> {
        a: &'a str,
        b: &'a str,
    }
    match send_js(
        Request::post("/api/cooperatives/duplicates/dismiss"),
        Some(token),
        to_json(&D { a, b }),
    )
    .await
    {
        // 204: no body to parse.
        Ok(_) | Err(ApiError::Network) => Ok(()),
        Err(e) => Err(e),
    }
}

/// The reference lists the caller receives (`GET /api/reference`), retired items included.
pub async fn reference(
    token: &str,
) -> Result<Vec<hoptac_core::reference::ReferenceItem>, ApiError> {
    get(token, "/api/reference").await
}

/// Adds an item to a reference list (administrators).
pub async fn add_reference(
    token: &str,
    item: &hoptac_core::reference::NewReferenceItem,
) -> Result<hoptac_core::reference::ReferenceItem, ApiError> {
    send(Request::post("/api/reference"), token, Some(item)).await
}

/// Renames, retires or restores an item of a reference list (administrators).
pub async fn update_reference(
    token: &str,
    item: &hoptac_core::reference::ReferenceItem,
    change: &hoptac_core::reference::ReferenceUpdate,
) -> Result<hoptac_core::reference::ReferenceItem, ApiError> {
    let path = format!(
        "/api/reference/{}/{}",
        hoptac_core::keyed::Keyed::key(item.list),
        item.key
    );
    send(Request::put(&path), token, Some(change)).await
}

/// Adds an area under `parent_id` (administrators); `code`: its national code.
pub async fn add_area(
    token: &str,
    id: &str,
    name: &str,
    level: hoptac_core::model::AreaLevel,
    parent_id: &str,
    code: Option<&str>,
) -> Result<hoptac_core::model::Area, ApiError> {
    #[derive(Serialize)]
    struct NewArea<'a> {
        id: &'a str,
        name: &'a str,
        level: hoptac_core::model::AreaLevel,
        parent_id: &'a str,
        code: Option<&'a str>,
    }
    let body = NewArea {
        id,
        name,
        level,
        parent_id,
        code,
    };
    send(Request::post("/api/areas"), token, Some(&body)).await
}

/// Renames area `id` and sets its national code (administrators).
pub async fn change_area(
    token: &str,
    id: &str,
    name: &str,
    code: &str,
) -> Result<hoptac_core::model::Area, ApiError> {
    #[derive(Serialize)]
    struct Change<'a> {
        name: &'a str,
        code: &'a str,
    }
    send(
        Request::put(&format!("/api/areas/{}", enc(id))),
        token,
        Some(&Change { name, code }),
    )
    .await
}

/// Previews (`apply` false) or applies a reorganisation of the area tree (administrators).
pub async fn reorganise(
    token: &str,
    r: &hoptac_core::reorg::Reorganisation,
    apply: bool,
) -> Result<hoptac_core::reorg::ReorgPreview, ApiError> {
    let path = if apply {
        "/api/reorganisations?apply=true"
    } else {
        "/api/reorganisations"
    };
    send(Request::post(path), token, Some(r)).await
}

/// Sends `file` as `multipart/form-data` (field `file`) with the form's `fields` to
/// `path`: every upload of the app (the registry, the list of units, a resolution's
/// table) goes through here.
async fn upload<R: DeserializeOwned>(
    token: &str,
    path: &str,
    file: &web_sys::File,
    fields: &[(&str, &str)],
) -> Result<R, ApiError> {
    let form = web_sys::FormData::new().map_err(|_| ApiError::Network)?;
    form.append_with_blob_and_filename("file", file, &file.name())
        .map_err(|_| ApiError::Network)?;
    for (k, v) in fields {
        form.append_with_str(k, v).map_err(|_| ApiError::Network)?;
    }
    // No content-type header: the browser writes the multipart boundary.
    let req = Request::post(path)
        .header("authorization", &format!("Bearer {token}"))
        .body(form)
        .map_err(|_| ApiError::Network)?;
    answer(req.send().await.map_err(|_| ApiError::Network)?).await
}

/// Imports the official list of administrative units (XLSX or CSV): a dry run unless
/// `apply` (administrators).
pub async fn import_areas(
    token: &str,
    file: &web_sys::File,
    apply: bool,
) -> Result<hoptac_core::area_list::AreaImportReport, ApiError> {
    let apply = if apply { "true" } else { "false" };
    upload(token, "/api/areas/import", file, &[("apply", apply)]).await
}

/// Loads the units before 1 July 2025 of the former provinces that make `province`
/// today, from the official lists bundled with the server: a dry run unless `apply`.
pub async fn load_units_before_2025(
    token: &str,
    province: &str,
    apply: bool,
) -> Result<hoptac_core::area_list::AreaImportReport, ApiError> {
    #[derive(Serialize)]
    struct Body<'a> {
        province: &'a str,
        list: &'a str,
        apply: bool,
    }
    let body = Body { province, list: "before-2025", apply };
    send(Request::post("/api/areas/official"), token, Some(&body)).await
}

/// The 2025 reform as published, for today's province `province`, as a reorganisation
/// of the tree to preview and apply with [`reorganise`].
pub async fn official_reform_2025(
    token: &str,
    province: &str,
) -> Result<hoptac_core::reorg::Reorganisation, ApiError> {
    get(token, &format!("/api/reorganisations/official-2025?province={}", enc(province))).await
}

/// A reorganisation from a resolution's table (XLSX or CSV: old code, old name, new code,
/// new name), from `effective_on` under `decision`.
pub async fn reorganisation_from_table(
    token: &str,
    file: &web_sys::File,
    effective_on: &str,
    decision: &str,
) -> Result<hoptac_core::reorg::Reorganisation, ApiError> {
    upload(
        token,
        "/api/reorganisations/from-table",
        file,
        &[("effective_on", effective_on), ("decision", decision)],
    )
    .await
}

/// Moves cooperative `id` to another commune with its history: a dry run unless `apply`.
pub async fn move_cooperative(
    token: &str,
    id: &str,
    req: &hoptac_core::reorg::MoveRequest,
    apply: bool,
) -> Result<hoptac_core::reorg::MovePreview, ApiError> {
    let path = format!(
        "/api/cooperatives/{}/move{}",
        enc(id),
        if apply { "?apply=true" } else { "" }
    );
    send(Request::post(&path), token, Some(req)).await
}

/// How far a photo's upload has come on the server (`GET /api/photos/{hash}/status`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize)]
pub struct UploadStatus {
    /// Bytes the server holds.
    pub received: u64,
    /// It holds the whole photo.
    pub complete: bool,
}

/// Sends `body` (a photo or a piece of one) with PUT and reads the upload's status.
async fn put_blob(token: &str, path: &str, body: &web_sys::Blob) -> Result<UploadStatus, ApiError> {
    let req = Request::put(path)
        .header("authorization", &format!("Bearer {token}"))
        .header("content-type", "application/octet-stream")
        .body(body)
        .map_err(|_| ApiError::Network)?;
    answer(req.send().await.map_err(|_| ApiError::Network)?).await
}

/// `GET /api/photos/{hash}/status`: how much of photo `hash` the server holds.
pub async fn photo_status(token: &str, hash: &str) -> Result<UploadStatus, ApiError> {
    let js = send_js(
        Request::get(&format!("/api/photos/{hash}/status")),
        Some(token),
        None,
    )
    .await?;
    serde_wasm_bindgen::from_value(js).map_err(|_| ApiError::Network)
}

/// `PUT /api/photos/{hash}`: the whole photo.
pub async fn put_photo(
    token: &str,
    hash: &str,
    photo: &web_sys::Blob,
) -> Result<UploadStatus, ApiError> {
    put_blob(token, &format!("/api/photos/{hash}"), photo).await
}

/// `PUT /api/photos/{hash}/pieces?offset=&total=`: one piece (at most
/// hoptac_core::photo::CHUNK_BYTES) of a photo of `total` bytes.
pub async fn put_photo_piece(
    token: &str,
    hash: &str,
    offset: u64,
    total: u64,
    piece: &web_sys::Blob,
) -> Result<UploadStatus, ApiError> {
    put_blob(
        token,
        &format!("/api/photos/{hash}/pieces?offset={offset}&total={total}"),
        piece,
    )
    .await
}
