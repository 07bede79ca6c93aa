//! Signing in and out: argon2 password hashes (computed on blocking threads, never on the
//! async workers), random session tokens kept as SHA-256 hashes with an expiry, and the
//! sign-in brake.

use crate::error::{ApiError, ApiResult};
use crate::storage::{self, now_ms, Db};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use hoptac_core::i18n::Msg;
use hoptac_core::model::{LoginResponse, UserInfo};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::LazyLock;

/// Sessions last 30 days: officers go days without signal and must not be signed out in
/// the field. Unsent work is never lost on expiry; they sign in again when online.
pub const SESSION_TTL_MS: i64 = 30 * 24 * 3600 * 1000;
pub use hoptac_core::accounts::{MAX_PASSWORD_BYTES, MAX_USERNAME_CHARS};
/// Failed sign-ins allowed per user name, and per client address, in [`FAILURE_WINDOW_MS`].
pub const MAX_FAILURES_PER_NAME: u32 = 5;
pub const MAX_FAILURES_PER_ADDRESS: u32 = 30;
pub const FAILURE_WINDOW_MS: i64 = 60_000;

/// An argon2 hash (PHC string) of `password`, computed on a blocking thread.
pub async fn hash_password(password: &str) -> String {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || hash_password_blocking(&password))
        .await
        .expect("argon2 hashing does not panic")
}

/// [`hash_password`] for callers that are not async (the demo loader, the CLI).
pub fn hash_password_blocking(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing")
        .to_string()
}

/// A hash of nobody's password: an unknown user name is checked against it, so it costs
/// the same time as a wrong password (no telling which names exist).
static DECOY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    hash_password_blocking(&hex::encode(bytes))
});

async fn verify_password(password: &str, hash: Option<String>) -> bool {
    let password = password.to_string();
    tokio::task::spawn_blocking(move || {
        let known = hash.is_some();
        let hash = hash.unwrap_or_else(|| DECOY_HASH.clone());
        let ok = PasswordHash::new(&hash)
            .map(|h| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &h)
                    .is_ok()
            })
            .unwrap_or(false);
        known && ok
    })
    .await
    .unwrap_or(false)
}

/// Whether `password` matches the argon2 `hash` (a missing hash costs the same time).
pub async fn verify(password: &str, hash: Option<String>) -> bool {
    verify_password(password, hash).await
}

/// SHA-256 of a session token, as stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The brake on guessing passwords: failed sign-ins per user name and per client address
/// in a minute from the first of them ([`FAILURE_WINDOW_MS`]), kept in the database
/// (`sign_in_failures`, migration 0016) so every server instance brakes together; expired
/// rows are deleted by the hourly sweep ([`forget_old_failures`]).
///
/// A name's count takes each attempt before its password is checked (and forgets them
/// all when one succeeds), so guesses at one account sent all at once are braked like
/// guesses sent one by one: five are checked, whatever the number in flight. An address's
/// count takes only failures, after the check, so an office behind one address whose
/// officers sign in together is never braked by its own right passwords; a burst of
/// guesses spread over many names from one address can pass its limit by the number in
/// flight, each name still checked at most five times.
#[derive(Default)]
pub struct LoginLimiter;

fn name_key(name: &str) -> String {
    format!("name:{name}")
}

fn address_key(a: IpAddr) -> String {
    format!("addr:{a}")
}

impl LoginLimiter {
    /// Counts an attempt to sign in as `name` from `address` at `now` and says whether its
    /// password may be checked (false: it waits for the window to pass, 429). A refused
    /// attempt counts nothing: a braked address writes nothing, and a name already at its
    /// limit is not pushed past it.
    pub async fn attempt(
        &self,
        db: &Db,
        name: &str,
        address: Option<IpAddr>,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        if let Some(a) = address {
            if let Some((failures, since)) = storage::brake::get(db, &address_key(a)).await? {
                if failures >= i64::from(MAX_FAILURES_PER_ADDRESS)
                    && now - since < FAILURE_WINDOW_MS
                {
                    return Ok(false);
                }
            }
        }
        // Counted and, past the limit, rolled back: attempts at the same moment (on any
        // instance) wait for each other's row, so each sees the count before it.
        let mut tx = db.begin_write().await?;
        let by_name =
            storage::brake::count(&mut tx, &name_key(name), now, FAILURE_WINDOW_MS).await?;
        if by_name > i64::from(MAX_FAILURES_PER_NAME) {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.commit().await?;
        Ok(true)
    }

    /// The password checked after [`Self::attempt`] was wrong: counts the failure for the
    /// address (the name's was counted by the attempt).
    pub async fn fail(
        &self,
        db: &Db,
        address: Option<IpAddr>,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let Some(a) = address else {
            return Ok(());
        };
        let mut tx = db.begin_write().await?;
        storage::brake::count(&mut tx, &address_key(a), now, FAILURE_WINDOW_MS).await?;
        tx.commit().await
    }

    /// The password was right: forgets `name`'s failures.
    pub async fn succeed(&self, db: &Db, name: &str) -> Result<(), sqlx::Error> {
        let mut tx = db.begin_write().await?;
        storage::brake::forget(&mut tx, &name_key(name)).await?;
        tx.commit().await
    }
}

/// Deletes the brake's rows whose window has passed by `now` (the hourly sweep).
pub async fn forget_old_failures(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    storage::brake::forget_before(db, now - FAILURE_WINDOW_MS).await
}

/// Signs `username` in with `password` from `address`; returns a new session.
///
/// Errors: 422 for a name over [`MAX_USERNAME_CHARS`] or a password over
/// [`MAX_PASSWORD_BYTES`] (checked before anything else), 429 while braked, 401 for a
/// wrong name or password (the same answer, in the same time, for both).
pub async fn login(
    db: &Db,
    limiter: &LoginLimiter,
    username: &str,
    password: &str,
    address: Option<IpAddr>,
) -> ApiResult<LoginResponse> {
    if username.chars().count() > MAX_USERNAME_CHARS {
        return Err(ApiError::field(
            "username",
            Msg::new(
                format!("Tên đăng nhập dài tối đa {MAX_USERNAME_CHARS} ký tự."),
                format!("A user name has at most {MAX_USERNAME_CHARS} characters."),
            ),
        ));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::field(
            "password",
            Msg::new(
                format!("Mật khẩu dài tối đa {MAX_PASSWORD_BYTES} byte."),
                format!("A password has at most {MAX_PASSWORD_BYTES} bytes."),
            ),
        ));
    }
    let username = username.trim().to_lowercase();
    let now = now_ms();
    if !limiter.attempt(db, &username, address, now).await? {
        return Err(ApiError::RateLimited);
    }
    let found = storage::users::credentials(db, &username).await?;
    let (found, hash) = match found {
        Some(c) => {
            let hash = c.password_hash.clone();
            (Some(c), Some(hash))
        }
        None => (None, None),
    };
    let ok = verify_password(password, hash).await;
    let Some(found) = found.filter(|_| ok) else {
        limiter.fail(db, address, now).await?;
        return Err(ApiError::BadCredentials);
    };
    limiter.succeed(db, &username).await?;
    if !found.active {
        // Said only to whoever knows the password: no telling which accounts exist.
        return Err(ApiError::Denied {
            code: hoptac_core::error::ErrorCode::AccountDeactivated,
            message: "this account is deactivated; contact your administrator".into(),
        });
    }
    let user_id = found.id;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let expires_at = now + SESSION_TTL_MS;
    let mut tx = db.begin_write().await?;
    storage::users::create_session(&mut tx, &token_hash(&token), &user_id, expires_at).await?;
    storage::users::signed_in(&mut tx, &user_id, now).await?;
    tx.commit().await?;
    let user = storage::users::load(db, &user_id)
        .await?
        .ok_or(ApiError::Unauthenticated)?;
    tracing::info!(user = %user.username, "signed in");
    Ok(LoginResponse {
        token,
        expires_at,
        user,
    })
}

/// The user of a session token, if the session is current.
pub async fn authenticate(db: &Db, token: &str) -> ApiResult<Option<UserInfo>> {
    let Some(user_id) = storage::users::session_user(db, &token_hash(token)).await? else {
        return Ok(None);
    };
    Ok(storage::users::load(db, &user_id).await?)
}

/// Ends the session of `token`.
pub async fn logout(db: &Db, token: &str) -> ApiResult<()> {
    let mut tx = db.begin_write().await?;
    storage::users::delete_session(&mut tx, &token_hash(token)).await?;
    tx.commit().await?;
    Ok(())
}
