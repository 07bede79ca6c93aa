//! Signing in and out, and the signed-in user's password (`/api/auth/*`, `/api/me/*`).

use super::{post, send, send_js, ApiError};
use gloo_net::http::Request;
use hoptac_core::accounts::PasswordChange;
use hoptac_core::model::{LoginRequest, LoginResponse};

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

/// Ends the session on the server (its token stops working at once).
pub async fn logout(token: &str) -> Result<(), ApiError> {
    match send_js(Request::post("/api/auth/logout"), Some(token), None).await {
        // 204: no body to parse.
        Ok(_) | Err(ApiError::Network) => Ok(()),
        Err(e) => Err(e),
    }
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
