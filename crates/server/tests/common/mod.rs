//! The harness every server test file shares: the real router on a real loopback port,
//! over a real SQLite file or a real PostgreSQL database, called with a real HTTP client.
#![allow(dead_code)]

pub mod hurtful;
pub mod xlsx;

use hoptac_core::model::{ReportStatus, VisitReport};
use hoptac_core::sync::{Change, Mutation, MutationOp, PullResponse};
use hoptac_server::{app, demo, storage::Db, AppState};
use serde_json::{json, Value};

pub struct TestServer {
    pub url: String,
    /// The server's own database, for checks the API does not expose.
    pub pool: sqlx::AnyPool,
    /// The database's URL (a SQLite file or a PostgreSQL database of the test server).
    pub db_url: String,
    pub backend: Backend,
    _dir: tempfile::TempDir,
    pub http: reqwest::Client,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A fresh, empty database of `backend`: a SQLite file, or a new PostgreSQL database
/// created on the test server. None when PostgreSQL is skipped on purpose.
pub async fn fresh_db_url(backend: Backend, dir: &std::path::Path) -> Option<String> {
    match backend {
        Backend::Sqlite => Some(format!("sqlite://{}", dir.join("test.db").display())),
        Backend::Postgres => {
            let Ok(admin) = std::env::var("HOPTAC_TEST_PG_URL") else {
                if std::env::var("HOPTAC_SKIP_PG").as_deref() == Ok("1") {
                    eprintln!("PostgreSQL half skipped (HOPTAC_SKIP_PG=1)");
                    return None;
                }
                panic!("HOPTAC_TEST_PG_URL is not set: run `bash scripts/test.sh` (it starts PostgreSQL), or eval \"$(bash scripts/pg.sh start)\" first, or set HOPTAC_SKIP_PG=1 to skip the PostgreSQL half");
            };
            let name = format!("t_{}", uuid::Uuid::new_v4().simple());
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
                .await
                .expect("connect to HOPTAC_TEST_PG_URL");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap();
            Some(format!("{base}/{name}"))
        }
    }
}

pub async fn start(backend: Backend) -> Option<TestServer> {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_db_url(backend, dir.path()).await?;
    let db = Db::connect(&url).await.unwrap();
    assert!(demo::load_if_empty(&db).await.unwrap());
    Some(serve(db, url, backend, dir).await)
}

/// A server on a fresh database started as an alliance starts: `admin create --province
/// CODE` (today's official units of the province; administrator "quantri.tinh", password
/// "mat-khau-quan-tri"), no demo data.
pub async fn start_province(backend: Backend, code: &str) -> Option<TestServer> {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_db_url(backend, dir.path()).await?;
    let db = Db::connect(&url).await.unwrap();
    hoptac_server::rules::users::create_first_admin(
        &db,
        &hoptac_server::rules::users::FirstAdmin {
            username: "quantri.tinh".into(),
            password: "mat-khau-quan-tri".into(),
            provinces: vec![code.into()],
            ..Default::default()
        },
    )
    .await
    .unwrap();
    Some(serve(db, url, backend, dir).await)
}

/// The real router over `db` on a new loopback port.
pub async fn serve(db: Db, db_url: String, backend: Backend, dir: tempfile::TempDir) -> TestServer {
    let photos =
        hoptac_server::photos::PhotoStore::open(&dir.path().join("photos").display().to_string())
            .unwrap();
    serve_with(db, db_url, backend, dir, photos).await
}

/// The real router over `db`, its photos in `photos`, on a new loopback port.
pub async fn serve_with(
    db: Db,
    db_url: String,
    backend: Backend,
    dir: tempfile::TempDir,
    photos: hoptac_server::photos::PhotoStore,
) -> TestServer {
    let pool = db.pool.clone();
    let router = app(AppState::new(db, photos), None);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
    TestServer {
        url,
        pool,
        db_url,
        backend,
        _dir: dir,
        http: reqwest::Client::new(),
    }
}

/// Runs the test `$name(backend)` once on SQLite and once on PostgreSQL.
#[macro_export]
macro_rules! on_both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::common::Backend::Sqlite).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                super::$name($crate::common::Backend::Postgres).await
            }
        }
    };
}

impl TestServer {
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method.parse().unwrap(), format!("{}{}", self.url, path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn login(&self, user: &str, password: &str) -> String {
        let (s, b) = self
            .call(
                "POST",
                "/api/auth/login",
                None,
                Some(json!({"username": user, "password": password})),
            )
            .await;
        assert_eq!(s, 200, "{b}");
        b["token"].as_str().unwrap().to_string()
    }

    /// Creates an account as administrator `admin` (token), signs in and sets a password:
    /// the new user's token.
    pub async fn account(&self, admin: &str, username: &str, role: &str, areas: &[&str]) -> String {
        let (st, made) = self
            .call(
                "POST",
                "/api/users",
                Some(admin),
                Some(json!({"username": username, "display_name": username, "role": role, "areas": areas})),
            )
            .await;
        assert_eq!(st, 201, "{made}");
        let temp = made["temporary_password"].as_str().unwrap();
        let token = self.login(username, temp).await;
        let (st, b) = self
            .call(
                "POST",
                "/api/me/password",
                Some(&token),
                Some(json!({"current_password": temp, "new_password": format!("{username}-mat-khau-moi")})),
            )
            .await;
        assert_eq!(st, 200, "{b}");
        token
    }

    // ---- Signing in and out, one's own password ----

    /// `POST /api/auth/login` with `user` and `password`: (status, body), for sign-ins
    /// that may be refused.
    pub async fn try_login(&self, user: &str, password: &str) -> (u16, Value) {
        self.call(
            "POST",
            "/api/auth/login",
            None,
            Some(json!({"username": user, "password": password})),
        )
        .await
    }

    /// `POST /api/auth/logout`: ends `token`'s session.
    pub async fn logout(&self, token: &str) -> (u16, Value) {
        self.call("POST", "/api/auth/logout", Some(token), None)
            .await
    }

    /// `POST /api/me/password`: `token`'s user changes `current` to `new`.
    pub async fn change_password(&self, token: &str, current: &str, new: &str) -> (u16, Value) {
        self.call(
            "POST",
            "/api/me/password",
            Some(token),
            Some(json!({"current_password": current, "new_password": new})),
        )
        .await
    }

    // ---- Accounts ----

    /// `POST /api/users` with `body` ({"username", "display_name", "role", "areas"}).
    pub async fn create_user(&self, token: &str, body: Value) -> (u16, Value) {
        self.call("POST", "/api/users", Some(token), Some(body))
            .await
    }

    /// `GET /api/users`: the accounts `token` may manage.
    pub async fn users(&self, token: &str) -> (u16, Value) {
        self.call("GET", "/api/users", Some(token), None).await
    }

    /// `GET /api/users?q={q}` (`q` as it goes in the address: `pham%20thi`): the accounts
    /// found (asserts 200).
    pub async fn find_users(&self, token: &str, q: &str) -> hoptac_core::accounts::AccountList {
        let (st, b) = self
            .call("GET", &format!("/api/users?q={q}"), Some(token), None)
            .await;
        assert_eq!(st, 200, "{b}");
        serde_json::from_value(b).unwrap()
    }

    /// `POST /api/users/{id}/reset-password`: a new temporary password.
    pub async fn reset_password(&self, token: &str, id: &str) -> (u16, Value) {
        self.call(
            "POST",
            &format!("/api/users/{id}/reset-password"),
            Some(token),
            None,
        )
        .await
    }

    /// `POST /api/users/{id}/deactivate`.
    pub async fn deactivate(&self, token: &str, id: &str) -> (u16, Value) {
        self.call(
            "POST",
            &format!("/api/users/{id}/deactivate"),
            Some(token),
            None,
        )
        .await
    }

    /// `POST /api/users/{id}/reactivate`.
    pub async fn reactivate(&self, token: &str, id: &str) -> (u16, Value) {
        self.call(
            "POST",
            &format!("/api/users/{id}/reactivate"),
            Some(token),
            None,
        )
        .await
    }

    /// `PUT /api/users/{id}/areas`: the areas the account works in, replaced by `areas`.
    pub async fn set_user_areas(&self, token: &str, id: &str, areas: &[&str]) -> (u16, Value) {
        self.call(
            "PUT",
            &format!("/api/users/{id}/areas"),
            Some(token),
            Some(json!({ "areas": areas })),
        )
        .await
    }

    /// `GET /api/me`: the signed-in user as the server answers it (status, body).
    pub async fn me(&self, token: &str) -> (u16, Value) {
        self.call("GET", "/api/me", Some(token), None).await
    }

    /// `GET /api/areas` (`closed`: with the closed ones): the area tree `token` may see.
    pub async fn areas(&self, token: &str, closed: bool) -> Vec<hoptac_core::model::Area> {
        let path = if closed {
            "/api/areas?closed=true"
        } else {
            "/api/areas"
        };
        let (st, b) = self.call("GET", path, Some(token), None).await;
        assert_eq!(st, 200, "{b}");
        serde_json::from_value(b).unwrap()
    }

    /// `POST /api/visits/{id}/decisions`: `action` (approve, return, reject, comment) with
    /// its `text`, as `token`: (status, body).
    pub async fn decide(&self, token: &str, id: &str, action: &str, text: &str) -> (u16, Value) {
        self.decide_with(token, id, json!({"action": action, "text": text}))
            .await
    }

    /// As [`Self::decide`], with any body (a malformed request).
    pub async fn decide_with(&self, token: &str, id: &str, body: Value) -> (u16, Value) {
        self.call(
            "POST",
            &format!("/api/visits/{id}/decisions"),
            Some(token),
            Some(body),
        )
        .await
    }

    /// `GET /api/audit/{entity}/{id}`: the record's trail as `token` may read it.
    pub async fn audit(&self, token: &str, entity: &str, id: &str) -> (u16, Value) {
        self.call(
            "GET",
            &format!("/api/audit/{entity}/{id}"),
            Some(token),
            None,
        )
        .await
    }

    /// `PUT /api/targets` with `body` ({"period", "area_id", "targets"}): (status, body).
    pub async fn set_targets(&self, token: &str, body: Value) -> (u16, Value) {
        self.call("PUT", "/api/targets", Some(token), Some(body))
            .await
    }

    /// `POST /api/reorganisations` with `body`: its preview, or (`apply`) applied.
    pub async fn reorganise(&self, token: &str, body: Value, apply: bool) -> (u16, Value) {
        let path = if apply {
            "/api/reorganisations?apply=true"
        } else {
            "/api/reorganisations"
        };
        self.call("POST", path, Some(token), Some(body)).await
    }

    /// `POST /api/areas/official` with `body` ({"province", "list", "apply"}): the
    /// official units of a province loaded, or (without "apply") their preview.
    pub async fn load_official_units(&self, token: &str, body: Value) -> (u16, Value) {
        self.call("POST", "/api/areas/official", Some(token), Some(body))
            .await
    }

    /// `GET /api/areas` (`closed`: with the closed ones): (status, body).
    pub async fn try_areas(&self, token: &str, closed: bool) -> (u16, Value) {
        let path = if closed {
            "/api/areas?closed=true"
        } else {
            "/api/areas"
        };
        self.call("GET", path, Some(token), None).await
    }

    /// `POST /api/areas` with `body` (a new area).
    pub async fn add_area(&self, token: &str, body: Value) -> (u16, Value) {
        self.call("POST", "/api/areas", Some(token), Some(body))
            .await
    }

    /// `PUT /api/areas/{id}` with `body` (its name or code changed).
    pub async fn update_area(&self, token: &str, id: &str, body: Value) -> (u16, Value) {
        self.call("PUT", &format!("/api/areas/{id}"), Some(token), Some(body))
            .await
    }

    /// `GET /api/reorganisations/official-2025?province={province}`: the 2025 reform
    /// of the province, as a reorganisation to preview.
    pub async fn official_reorganisation(&self, token: &str, province: &str) -> (u16, Value) {
        self.call(
            "GET",
            &format!("/api/reorganisations/official-2025?province={province}"),
            Some(token),
            None,
        )
        .await
    }

    // ---- Reference lists ----

    /// `GET /api/reference`: the reference lists `token` may see.
    pub async fn reference(&self, token: &str) -> (u16, Value) {
        self.call("GET", "/api/reference", Some(token), None).await
    }

    /// `POST /api/reference` with `body` ({"list", "label_vi", "area_id"…}): a new item.
    pub async fn add_reference(&self, token: &str, body: Value) -> (u16, Value) {
        self.call("POST", "/api/reference", Some(token), Some(body))
            .await
    }

    /// `PUT /api/reference/{list}/{key}` with `body` (labels, retired).
    pub async fn update_reference(
        &self,
        token: &str,
        list: &str,
        key: &str,
        body: Value,
    ) -> (u16, Value) {
        self.call(
            "PUT",
            &format!("/api/reference/{list}/{key}"),
            Some(token),
            Some(body),
        )
        .await
    }

    // ---- Cooperatives ----

    /// `GET /api/cooperatives/duplicates`: the pairs flagged as possible duplicates.
    pub async fn duplicates(&self, token: &str) -> (u16, Value) {
        self.call("GET", "/api/cooperatives/duplicates", Some(token), None)
            .await
    }

    /// `POST /api/cooperatives/merge`: keeps `keep`, removes `remove` (its reports move).
    pub async fn merge_cooperatives(&self, token: &str, keep: &str, remove: &str) -> (u16, Value) {
        self.call(
            "POST",
            "/api/cooperatives/merge",
            Some(token),
            Some(json!({"keep": keep, "remove": remove})),
        )
        .await
    }

    /// `POST /api/cooperatives/duplicates/dismiss`: the pair `a`, `b` is not a duplicate.
    pub async fn dismiss_duplicate(&self, token: &str, a: &str, b: &str) -> (u16, Value) {
        self.call(
            "POST",
            "/api/cooperatives/duplicates/dismiss",
            Some(token),
            Some(json!({"a": a, "b": b})),
        )
        .await
    }

    /// `POST /api/cooperatives/{id}/move` with `body` ({"area_id", "reason"}): its
    /// preview, or (`apply`) the move made.
    pub async fn move_cooperative(
        &self,
        token: &str,
        id: &str,
        body: Value,
        apply: bool,
    ) -> (u16, Value) {
        let query = if apply { "?apply=true" } else { "" };
        self.call(
            "POST",
            &format!("/api/cooperatives/{id}/move{query}"),
            Some(token),
            Some(body),
        )
        .await
    }

    // ---- Visit reports: the queue, one report ----

    /// `GET /api/visits?{query}`: one page of the review queue, (status, body).
    pub async fn try_queue(&self, token: &str, query: &str) -> (u16, Value) {
        self.call("GET", &format!("/api/visits?{query}"), Some(token), None)
            .await
    }

    /// `GET /api/visits?{query}`: one page of the review queue (asserts 200).
    pub async fn queue(&self, token: &str, query: &str) -> hoptac_core::queue::QueuePage {
        let (st, b) = self.try_queue(token, query).await;
        assert_eq!(st, 200, "{query}: {b}");
        serde_json::from_value(b).unwrap()
    }

    /// `GET /api/visits/officers`: the officers the queue can be filtered by.
    pub async fn queue_officers(&self, token: &str) -> (u16, Value) {
        self.call("GET", "/api/visits/officers", Some(token), None)
            .await
    }

    /// `GET /api/visits/{id}`: one report with its previous revision, (status, body).
    pub async fn try_report(&self, token: &str, id: &str) -> (u16, Value) {
        self.call("GET", &format!("/api/visits/{id}"), Some(token), None)
            .await
    }

    /// `GET /api/visits/{id}`: one report with its previous revision (asserts 200).
    pub async fn report(&self, token: &str, id: &str) -> hoptac_core::queue::ReportDetail {
        let (st, b) = self.try_report(token, id).await;
        assert_eq!(st, 200, "{b}");
        serde_json::from_value(b).unwrap()
    }

    // ---- The six-monthly review ----

    /// `GET /api/review?{query}`: (status, body).
    pub async fn try_review(&self, token: &str, query: &str) -> (u16, Value) {
        self.call("GET", &format!("/api/review?{query}"), Some(token), None)
            .await
    }

    /// `GET /api/review?{query}`: the review (asserts 200).
    pub async fn review(&self, token: &str, query: &str) -> hoptac_core::six_month::ReviewResponse {
        let (st, b) = self.try_review(token, query).await;
        assert_eq!(st, 200, "{b}");
        serde_json::from_value(b).unwrap()
    }

    /// `GET /api/review/records?{query}`: (status, body).
    pub async fn try_review_records(&self, token: &str, query: &str) -> (u16, Value) {
        self.call(
            "GET",
            &format!("/api/review/records?{query}"),
            Some(token),
            None,
        )
        .await
    }

    /// `GET /api/review/records?{query}`: one page of a figure's records (asserts 200).
    pub async fn review_records(
        &self,
        token: &str,
        query: &str,
    ) -> hoptac_core::six_month::RecordsPage {
        let (st, b) = self.try_review_records(token, query).await;
        assert_eq!(st, 200, "{b}");
        serde_json::from_value(b).unwrap()
    }

    /// `GET /api/review/periods`: the half-years with reports (asserts 200).
    pub async fn review_periods(&self, token: &str) -> hoptac_core::six_month::ReviewPeriods {
        let (st, b) = self
            .call("GET", "/api/review/periods", Some(token), None)
            .await;
        assert_eq!(st, 200, "{b}");
        serde_json::from_value(b).unwrap()
    }

    // ---- Photos, the service ----

    /// `GET /api/photos/{hash}/status`: which pieces of the photo the server holds.
    pub async fn photo_status(&self, token: &str, hash: &str) -> (u16, Value) {
        self.call(
            "GET",
            &format!("/api/photos/{hash}/status"),
            Some(token),
            None,
        )
        .await
    }

    /// `GET /api/health`, as `token` when given (a signed-in caller learns what it runs).
    pub async fn health(&self, token: Option<&str>) -> (u16, Value) {
        self.call("GET", "/api/health", token, None).await
    }

    /// `GET /api/ready`: whether the instance can serve (its database answers).
    pub async fn ready(&self) -> (u16, Value) {
        self.call("GET", "/api/ready", None, None).await
    }

    /// `GET /api/openapi.json`: the API's description.
    pub async fn openapi(&self) -> (u16, Value) {
        self.call("GET", "/api/openapi.json", None, None).await
    }

    // ---- Sync ----

    /// `POST /api/sync/pull`: one page after `cursor` for `token`'s tablet `client`
    /// (`limit` None: the request names none), (status, body).
    pub async fn pull(
        &self,
        token: &str,
        client: &str,
        cursor: i64,
        limit: Option<u32>,
    ) -> (u16, Value) {
        let body = match limit {
            Some(limit) => json!({"client_id": client, "cursor": cursor, "limit": limit}),
            None => json!({"client_id": client, "cursor": cursor}),
        };
        self.call("POST", "/api/sync/pull", Some(token), Some(body))
            .await
    }

    pub async fn officer(&self) -> String {
        self.login("canbo.hoalu", "hoptac-hoalu").await
    }

    pub async fn push(&self, token: &str, client: &str, mutations: &[Mutation]) -> (u16, Value) {
        self.call(
            "POST",
            "/api/sync/push",
            Some(token),
            Some(json!({"client_id": client, "mutations": mutations})),
        )
        .await
    }

    /// Every change after `cursor` for `token`'s tablet `client`, and the cursor after them.
    pub async fn pull_from(
        &self,
        token: &str,
        client: &str,
        mut cursor: i64,
    ) -> (Vec<Change>, i64) {
        let mut out = Vec::new();
        loop {
            let (st, b) = self
                .call(
                    "POST",
                    "/api/sync/pull",
                    Some(token),
                    Some(json!({"client_id": client, "cursor": cursor, "limit": 500})),
                )
                .await;
            assert_eq!(st, 200, "{b}");
            let page: PullResponse = serde_json::from_value(b).unwrap();
            out.extend(page.changes.into_iter().map(|c| c.change));
            cursor = page.cursor;
            if !page.has_more {
                return (out, cursor);
            }
        }
    }

    pub async fn pull_all(&self, token: &str, client: &str, limit: u32) -> Vec<Change> {
        let mut cursor = 0;
        let mut out = Vec::new();
        loop {
            let (s, b) = self
                .call(
                    "POST",
                    "/api/sync/pull",
                    Some(token),
                    Some(json!({"client_id": client, "cursor": cursor, "limit": limit})),
                )
                .await;
            assert_eq!(s, 200, "{b}");
            let page: PullResponse = serde_json::from_value(b).unwrap();
            assert!(page.changes.len() <= limit as usize);
            out.extend(page.changes.into_iter().map(|c| c.change));
            cursor = page.cursor;
            if !page.has_more {
                return out;
            }
        }
    }

    /// `POST /api/registry/import` with `file` (named `name`) and the form's other fields
    /// (`("apply", "true")`, `("sheet", …)`, `("date_order", …)`, `("mapping", json)`):
    /// the status and the report.
    pub async fn import_registry(
        &self,
        token: &str,
        file: Vec<u8>,
        name: &str,
        fields: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(file).file_name(name.to_string()),
        );
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        let resp = self
            .http
            .post(format!("{}/api/registry/import", self.url))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let st = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (st, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// `GET /api/registry/export` as `token`: the XLSX's bytes.
    pub async fn export_registry(&self, token: &str) -> Vec<u8> {
        let resp = self
            .http
            .get(format!("{}/api/registry/export", self.url))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        resp.bytes().await.unwrap().to_vec()
    }

    /// The cooperative named `name`, as the server stores it.
    pub async fn cooperative_named(&self, name: &str) -> Option<hoptac_core::model::Cooperative> {
        let body: Option<String> =
            sqlx::query_scalar("SELECT body FROM cooperatives WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await
                .unwrap();
        body.map(|b| serde_json::from_str(&b).unwrap())
    }

    /// Every visit report `token` may see, paging through `GET /api/visits`.
    pub async fn visits(&self, token: &str) -> Vec<VisitReport> {
        let mut out = Vec::new();
        let mut after = String::new();
        loop {
            let (s, b) = self
                .call(
                    "GET",
                    &format!("/api/visits?limit=200&after={after}"),
                    Some(token),
                    None,
                )
                .await;
            assert_eq!(s, 200, "{b}");
            let page: hoptac_core::queue::QueuePage = serde_json::from_value(b).unwrap();
            out.extend(page.reports.into_iter().map(|i| i.report));
            match page.next {
                Some(n) => after = n,
                None => return out,
            }
        }
    }
}

/// A tablet's store as pull leaves it: cooperatives by id, reports' paths by id, and
/// its cursor (`Removed` and `AreaUnassigned` drop what they name).
#[derive(Default)]
pub struct Tablet {
    pub coops: std::collections::BTreeMap<String, hoptac_core::model::Cooperative>,
    pub visits: std::collections::BTreeMap<String, String>,
    pub cursor: i64,
}

impl Tablet {
    /// Pulls every change after its cursor as `token`'s tablet `client`, and applies them.
    pub async fn sync(&mut self, s: &TestServer, token: &str, client: &str) {
        use hoptac_core::sync::Entity;
        let (changes, cursor) = s.pull_from(token, client, self.cursor).await;
        self.cursor = cursor;
        for c in changes {
            match c {
                Change::Cooperative(c) => {
                    self.coops.insert(c.id.clone(), c);
                }
                Change::Visit(v) => {
                    self.visits.insert(v.id.clone(), v.area_path.clone());
                }
                Change::Removed {
                    entity: Entity::Cooperative,
                    id,
                } => {
                    self.coops.remove(&id);
                }
                Change::Removed {
                    entity: Entity::Visit,
                    id,
                } => {
                    self.visits.remove(&id);
                }
                Change::AreaUnassigned { path } => {
                    self.coops.retain(|_, c| !c.area_path.starts_with(&path));
                    self.visits.retain(|_, p| !p.starts_with(&path));
                }
                _ => {}
            }
        }
    }
}

pub fn visit(id: &str, coop: &str, note: &str) -> VisitReport {
    VisitReport {
        id: id.into(),
        cooperative_id: coop.into(),
        author_id: "ignored".into(),
        author_name: String::new(),
        visit_date: "2021-06-11".into(),
        note: note.into(),
        status: ReportStatus::Submitted,
        revision: 1,
        created_at: 1,
        area_path: String::new(),
        received_at: None,
        events: Vec::new(),
        author_left_area_at: None,
        written_area_path: None,
        findings: Default::default(),
    }
}

pub fn submit(id: u64, v: VisitReport) -> Mutation {
    Mutation {
        id,
        created_at: 1,
        op: MutationOp::SubmitVisit(v),
    }
}

/// A real JPEG of `w`×`h` pixels (noise, as a camera's detail compresses: `seed` makes
/// each different), and its name.
pub fn jpeg(w: u32, h: u32, seed: u8) -> (Vec<u8>, String) {
    let mut state = u32::from(seed).wrapping_mul(2_654_435_761).wrapping_add(1);
    let img = image::RgbImage::from_fn(w, h, |_, _| {
        state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let b = state.to_le_bytes();
        image::Rgb([b[1], b[2], b[3]])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .unwrap();
    let bytes = out.into_inner();
    let hash = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
    (bytes, hash)
}

pub async fn put_raw(
    s: &TestServer,
    token: &str,
    path: &str,
    body: Vec<u8>,
) -> (u16, Value, reqwest::header::HeaderMap) {
    let r = s
        .http
        .put(format!("{}{path}", s.url))
        .bearer_auth(token)
        .header("content-type", "image/jpeg")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    let text = r.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::Null),
        headers,
    )
}

