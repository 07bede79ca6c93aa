//! Accounts (`/api/users/*`): administrators, online.

use super::{enc, get, query, send, ApiError, Areas};
use gloo_net::http::Request;
use hoptac_core::accounts::{Account, AccountList, NewAccount, TemporaryPassword};

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
