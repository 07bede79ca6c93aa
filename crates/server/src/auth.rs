//! Accounts and sessions: argon2 password hashes, random session tokens kept (hashed) in
//! the database with an expiry, a rate limit on failed sign-ins, and [`AuthUser`], the
//! extractor every protected handler takes.

use crate::db::now_ms;
use crate::error::{ApiError, ApiResult, Json};
use crate::AppState;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::Router;
use hoptac_core::model::{LoginRequest, LoginResponse, Role, UserInfo};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;
use std::collections::HashMap;
use std::sync::Mutex;

/// Sessions last 30 days: officers go days without signal and must not be signed out in
/// the field. Unsent work is never lost on expiry; they sign in again when online.
pub const SESSION_TTL_MS: i64 = 30 * 24 * 3600 * 1000;
const MAX_FAILURES: u32 = 5;
const FAILURE_WINDOW_MS: i64 = 60_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
}

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing")
        .to_string()
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn role_str(role: Role) -> &'static str {
    match role {
        Role::Officer => "officer",
        Role::Supervisor => "supervisor",
        Role::Admin => "admin",
    }
}

fn parse_role(s: &str) -> ApiResult<Role> {
    match s {
        "officer" => Ok(Role::Officer),
        "supervisor" => Ok(Role::Supervisor),
        "admin" => Ok(Role::Admin),
        other => Err(ApiError::Internal(format!("unknown role {other}"))),
    }
}

/// Failed sign-ins per user name, in this process. (Several instances each count their own;
/// the limit is a brake on guessing, not an account lock.)
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<String, (u32, i64)>>,
}

impl LoginLimiter {
    fn blocked(&self, user: &str, now: i64) -> bool {
        let map = self.failures.lock().unwrap();
        matches!(map.get(user), Some((n, since)) if *n >= MAX_FAILURES && now - since < FAILURE_WINDOW_MS)
    }
    fn fail(&self, user: &str, now: i64) {
        let mut map = self.failures.lock().unwrap();
        let e = map.entry(user.to_string()).or_insert((0, now));
        if now - e.1 >= FAILURE_WINDOW_MS {
            *e = (0, now);
        }
        e.0 += 1;
    }
    fn succeed(&self, user: &str) {
        self.failures.lock().unwrap().remove(user);
    }
}

/// The user behind a request's bearer token.
#[derive(Debug, Clone)]
pub struct AuthUser(pub UserInfo);

impl AuthUser {
    pub fn require_role(&self, roles: &[Role]) -> ApiResult<()> {
        if roles.contains(&self.0.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden("your role may not do this".into()))
        }
    }
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let header = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let token = header
            .strip_prefix("Bearer ")
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthenticated)?;
        let row =
            sqlx::query("SELECT user_id FROM sessions WHERE token_hash = $1 AND expires_at > $2")
                .bind(token_hash(token))
                .bind(now_ms())
                .fetch_optional(&state.db.pool)
                .await?
                .ok_or(ApiError::Unauthenticated)?;
        let user_id: String = row.try_get(0)?;
        Ok(AuthUser(load_user(state, &user_id).await?))
    }
}

pub async fn load_user(state: &AppState, user_id: &str) -> ApiResult<UserInfo> {
    let row = sqlx::query("SELECT id, username, display_name, role FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&state.db.pool)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    let scopes: Vec<String> = sqlx::query("SELECT a.path FROM assignments s JOIN areas a ON a.id = s.area_id WHERE s.user_id = $1 ORDER BY a.path")
        .bind(user_id)
        .fetch_all(&state.db.pool)
        .await?
        .iter()
        .map(|r| r.try_get::<String, _>(0))
        .collect::<Result<_, _>>()?;
    Ok(UserInfo {
        id: row.try_get(0)?,
        username: row.try_get(1)?,
        display_name: row.try_get(2)?,
        role: parse_role(&row.try_get::<String, _>(3)?)?,
        scopes,
    })
}

/// Sign in with user name and password; returns a session token.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = hoptac_core::error::ApiErrorBody),
              (status = 429, body = hoptac_core::error::ApiErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    Json(req): Json<LoginRequest>,
) -> ApiResult<axum::Json<LoginResponse>> {
    let username = req.username.trim().to_lowercase();
    let now = now_ms();
    if state.limiter.blocked(&username, now) {
        return Err(ApiError::RateLimited);
    }
    let row = sqlx::query("SELECT id, password_hash FROM users WHERE username = $1")
        .bind(&username)
        .fetch_optional(&state.db.pool)
        .await?;
    let user_id = match row {
        Some(r) if verify_password(&req.password, &r.try_get::<String, _>(1)?) => {
            r.try_get::<String, _>(0)?
        }
        _ => {
            state.limiter.fail(&username, now);
            return Err(ApiError::BadCredentials);
        }
    };
    state.limiter.succeed(&username);
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let expires_at = now + SESSION_TTL_MS;
    let mut tx = state.db.begin_write().await?;
    sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(&mut *tx.tx)
        .await?;
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(token_hash(&token))
        .bind(&user_id)
        .bind(now)
        .bind(expires_at)
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await?;
    let user = load_user(&state, &user_id).await?;
    tracing::info!(user = %user.username, "signed in");
    Ok(axum::Json(LoginResponse {
        token,
        expires_at,
        user,
    }))
}

/// End this session (the token stops working).
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = hoptac_core::error::ApiErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    _user: AuthUser,
    parts: axum::http::HeaderMap,
) -> ApiResult<axum::http::StatusCode> {
    let token = parts
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .unwrap_or("");
    let mut tx = state.db.begin_write().await?;
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash(token.trim()))
        .execute(&mut *tx.tx)
        .await?;
    tx.commit().await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Who am I: the signed-in user with role and area scopes.
#[utoipa::path(get, path = "/api/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserInfo), (status = 401, body = hoptac_core::error::ApiErrorBody)))]
pub async fn me(user: AuthUser) -> axum::Json<UserInfo> {
    axum::Json(user.0)
}
