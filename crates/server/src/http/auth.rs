//! `/api/auth/login`, `/api/auth/logout`, `/api/me`, and [`AuthUser`], the extractor every
//! protected handler takes. The rules of signing in are [`crate::rules::accounts`].

use super::error::{ApiError, ApiResult, Json};
use crate::rules::accounts;
use crate::AppState;
use axum::extract::connect_info::ConnectInfo;
use axum::extract::{FromRequestParts, OptionalFromRequestParts, State};
use axum::http::request::Parts;
use axum::routing::{get, post};
use axum::Router;
use hoptac_core::model::{LoginRequest, LoginResponse, Role, UserInfo};
use std::net::{IpAddr, SocketAddr};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
        .route("/me/password", post(change_password))
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

/// The bearer token of a request, if it has one.
fn bearer(parts: &Parts) -> Option<&str> {
    bearer_of(&parts.headers)
}

/// The bearer token in `headers`, if any.
fn bearer_of(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The paths a user with a temporary password may call (paths as the nested router sees
/// them, without "/api", and in full).
fn allowed_before_password_change(path: &str) -> bool {
    let p = path.strip_prefix("/api").unwrap_or(path);
    matches!(p, "/me" | "/me/password" | "/auth/logout")
}

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).ok_or(ApiError::Unauthenticated)?;
        let user = accounts::authenticate(&state.db, token)
            .await?
            .ok_or(ApiError::Unauthenticated)?;
        // A temporary password opens only the password change (and who am I, sign out).
        if user.must_change_password && !allowed_before_password_change(parts.uri.path()) {
            return Err(ApiError::Denied {
                code: hoptac_core::error::ErrorCode::PasswordChangeRequired,
                message: "change the temporary password first: POST /api/me/password".into(),
            });
        }
        Ok(AuthUser(user))
    }
}

/// `Option<AuthUser>`: the signed-in user, or None for an anonymous caller (or a token
/// that is no longer valid).
impl OptionalFromRequestParts<AppState> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        match bearer(parts) {
            None => Ok(None),
            Some(token) => Ok(accounts::authenticate(&state.db, token)
                .await?
                .map(AuthUser)),
        }
    }
}

/// The address the request came from: the peer of the TCP connection, or, when that peer
/// is a trusted proxy (`--trusted-proxies`, HOPTAC_TRUSTED_PROXIES), the nearest address
/// in `X-Forwarded-For` that is not one (the proxy appends the address it saw; what a
/// client wrote before it is not believed). None when the server was started without
/// connection info. Behind nginx without this, every sign-in would come from the proxy's
/// address and one guesser would brake everyone.
pub struct ClientAddr(pub Option<IpAddr>);

/// The client's address given the TCP peer, the `X-Forwarded-For` values and the trusted
/// proxies.
pub fn client_addr(peer: IpAddr, forwarded: &[&str], trusted: &[IpAddr]) -> IpAddr {
    if !trusted.contains(&peer) {
        return peer;
    }
    // From the right: the proxy appended the address it saw last; what comes before it
    // was written by whoever sent the request. The first hop that is not a trusted proxy
    // is the client; one that does not read as an address ends the walk (the proxy
    // itself is then the client: nothing written by a client is believed).
    let mut client = peer;
    for hop in forwarded
        .iter()
        .rev()
        .flat_map(|h| h.rsplit(','))
        .map(str::trim)
    {
        match hop.parse::<IpAddr>() {
            Ok(a) if trusted.contains(&a) => client = a,
            Ok(a) => return a,
            Err(_) => break,
        }
    }
    client
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
        else {
            return Ok(ClientAddr(None));
        };
        let forwarded: Vec<String> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
            .collect();
        let forwarded: Vec<&str> = forwarded.iter().map(String::as_str).collect();
        Ok(ClientAddr(Some(client_addr(
            peer,
            &forwarded,
            &state.trusted_proxies,
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::client_addr;
    use std::net::IpAddr;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_client_behind_a_trusted_proxy_is_the_last_untrusted_hop() {
        let proxy = [ip("127.0.0.1")];
        // Direct: the peer, whatever the header claims.
        assert_eq!(
            client_addr(ip("203.0.113.5"), &["10.9.9.9"], &proxy),
            ip("203.0.113.5")
        );
        assert_eq!(client_addr(ip("203.0.113.5"), &[], &[]), ip("203.0.113.5"));
        // Through the proxy: what it appended, not what the client wrote before it.
        assert_eq!(
            client_addr(ip("127.0.0.1"), &["203.0.113.7"], &proxy),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_addr(ip("127.0.0.1"), &["6.6.6.6, 203.0.113.7"], &proxy),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_addr(ip("127.0.0.1"), &["6.6.6.6", "203.0.113.7"], &proxy),
            ip("203.0.113.7"),
            "two header lines are one list"
        );
        // A garbled header, or none: the proxy itself.
        assert_eq!(
            client_addr(ip("127.0.0.1"), &["not an address"], &proxy),
            ip("127.0.0.1")
        );
        // Junk a client wrote before the address the proxy appended changes nothing.
        assert_eq!(
            client_addr(ip("127.0.0.1"), &["unknown, x, 203.0.113.7"], &proxy),
            ip("203.0.113.7")
        );
        assert_eq!(client_addr(ip("127.0.0.1"), &[], &proxy), ip("127.0.0.1"));
    }
}

/// Sign in with user name and password; returns a session token.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = LoginResponse), (status = 401, body = hoptac_core::error::ApiErrorBody),
              (status = 400, body = hoptac_core::error::ApiErrorBody), (status = 422, body = hoptac_core::error::ApiErrorBody),
              (status = 429, body = hoptac_core::error::ApiErrorBody)))]
pub async fn login(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Json(req): Json<LoginRequest>,
) -> ApiResult<axum::Json<LoginResponse>> {
    Ok(axum::Json(
        accounts::login(
            &state.db,
            &state.limiter,
            &req.username,
            &req.password,
            address,
        )
        .await?,
    ))
}

/// End this session (the token stops working).
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = hoptac_core::error::ApiErrorBody)))]
pub async fn logout(
    State(state): State<AppState>,
    _user: AuthUser,
    headers: axum::http::HeaderMap,
) -> ApiResult<axum::http::StatusCode> {
    accounts::logout(&state.db, bearer_of(&headers).unwrap_or("")).await?;
    Ok(axum::http::StatusCode::NO_CONTENT)
}

/// Who am I: the signed-in user with role and area scopes.
#[utoipa::path(get, path = "/api/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = UserInfo), (status = 401, body = hoptac_core::error::ApiErrorBody)))]
pub async fn me(user: AuthUser) -> axum::Json<UserInfo> {
    axum::Json(user.0)
}

/// Change your own password (required after a temporary one). Other sessions of the
/// account end; this one goes on. Audited as entity "user".
#[utoipa::path(post, path = "/api/me/password", tag = "auth", security(("bearer" = [])),
    request_body = hoptac_core::accounts::PasswordChange,
    responses((status = 200, body = UserInfo), (status = 422, body = hoptac_core::error::ApiErrorBody),
              (status = 429, body = hoptac_core::error::ApiErrorBody), (status = 401, body = hoptac_core::error::ApiErrorBody)))]
pub async fn change_password(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    user: AuthUser,
    headers: axum::http::HeaderMap,
    Json(req): Json<hoptac_core::accounts::PasswordChange>,
) -> ApiResult<axum::Json<UserInfo>> {
    let token = bearer_of(&headers).unwrap_or("").to_string();
    Ok(axum::Json(
        crate::rules::users::change_own_password(
            &state.db,
            &state.limiter,
            address,
            &user.0,
            &token,
            &req.current_password,
            &req.new_password,
        )
        .await?,
    ))
}
