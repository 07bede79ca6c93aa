//! Signing in and out: argon2 password hashes (computed on blocking threads, never on the
//! async workers), random session tokens kept as SHA-256 hashes with an expiry, and the
//! sign-in brake.

use crate::http::error::{ApiError, ApiResult};
use crate::storage::{self, now_ms, Db};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use hoptac_core::i18n::Msg;
use hoptac_core::model::{LoginResponse, UserInfo};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{LazyLock, Mutex};

/// Sessions last 30 days: officers go days without signal and must not be signed out in
/// the field. Unsent work is never lost on expiry; they sign in again when online.
pub const SESSION_TTL_MS: i64 = 30 * 24 * 3600 * 1000;
pub use hoptac_core::accounts::{MAX_PASSWORD_BYTES, MAX_USERNAME_CHARS};
/// Failed sign-ins allowed per user name, and per client address, in [`FAILURE_WINDOW_MS`].
pub const MAX_FAILURES_PER_NAME: u32 = 5;
pub const MAX_FAILURES_PER_ADDRESS: u32 = 30;
pub const FAILURE_WINDOW_MS: i64 = 60_000;
/// Most names (and, apart, addresses) the brake remembers; the oldest go first.
pub const MAX_TRACKED: usize = 10_000;

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

#[derive(Clone, Copy)]
struct Window {
    failures: u32,
    /// Unix ms of the window's first failure.
    since: i64,
}

#[derive(Default)]
struct Brake {
    names: HashMap<String, Window>,
    addresses: HashMap<IpAddr, Window>,
}

fn is_full<K>(map: &HashMap<K, Window>, key: &K, max: u32, now: i64) -> bool
where
    K: std::hash::Hash + Eq,
{
    matches!(map.get(key), Some(w) if w.failures >= max && now - w.since < FAILURE_WINDOW_MS)
}

fn count<K: std::hash::Hash + Eq + Clone>(map: &mut HashMap<K, Window>, key: K, now: i64) {
    if !map.contains_key(&key) && map.len() >= MAX_TRACKED {
        map.retain(|_, w| now - w.since < FAILURE_WINDOW_MS);
        if map.len() >= MAX_TRACKED {
            if let Some(oldest) = map
                .iter()
                .min_by_key(|(_, w)| w.since)
                .map(|(k, _)| k.clone())
            {
                map.remove(&oldest);
            }
        }
    }
    let w = map.entry(key).or_insert(Window {
        failures: 0,
        since: now,
    });
    if now - w.since >= FAILURE_WINDOW_MS {
        *w = Window {
            failures: 0,
            since: now,
        };
    }
    w.failures += 1;
}

/// The brake on guessing passwords: failed sign-ins per user name and per client address
/// in a sliding minute, in bounded memory (at most [`MAX_TRACKED`] of each; entries expire
/// after the window). Per process: several instances each brake on their own.
#[derive(Default)]
pub struct LoginLimiter {
    brake: Mutex<Brake>,
}

impl LoginLimiter {
    /// Whether sign-ins for `name` or from `address` wait for the window to pass.
    pub fn blocked(&self, name: &str, address: Option<IpAddr>, now: i64) -> bool {
        let b = self.brake.lock().unwrap_or_else(|e| e.into_inner());
        is_full(&b.names, &name.to_string(), MAX_FAILURES_PER_NAME, now)
            || address.is_some_and(|a| is_full(&b.addresses, &a, MAX_FAILURES_PER_ADDRESS, now))
    }

    pub fn fail(&self, name: &str, address: Option<IpAddr>, now: i64) {
        let mut b = self.brake.lock().unwrap_or_else(|e| e.into_inner());
        count(&mut b.names, name.to_string(), now);
        if let Some(a) = address {
            count(&mut b.addresses, a, now);
        }
    }

    pub fn succeed(&self, name: &str) {
        self.brake
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .names
            .remove(name);
    }

    /// How many names and addresses the brake remembers now.
    pub fn tracked(&self) -> (usize, usize) {
        let b = self.brake.lock().unwrap_or_else(|e| e.into_inner());
        (b.names.len(), b.addresses.len())
    }
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
    if limiter.blocked(&username, address, now) {
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
        limiter.fail(&username, address, now);
        return Err(ApiError::BadCredentials);
    };
    limiter.succeed(&username);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_brake_forgets_and_stays_bounded() {
        let l = LoginLimiter::default();
        let a: IpAddr = "10.0.0.1".parse().unwrap();
        for i in 0..MAX_TRACKED + 500 {
            l.fail(&format!("name{i}"), Some(a), 1_000 + i as i64);
        }
        let (names, addresses) = l.tracked();
        assert_eq!(names, MAX_TRACKED, "never more names than the bound");
        assert_eq!(addresses, 1);
        assert!(
            l.blocked("x", Some(a), 2_000),
            "one address failing 10,500 times is braked"
        );
        assert!(
            !l.blocked("x", Some(a), 1_000 + FAILURE_WINDOW_MS + 20_000),
            "the window passes"
        );
        // After the window every old entry is dropped when room is needed.
        l.fail("late", None, 10 * FAILURE_WINDOW_MS);
        assert_eq!(l.tracked().0, 1);
    }

    #[test]
    fn five_failures_brake_a_name_for_a_minute() {
        let l = LoginLimiter::default();
        for _ in 0..MAX_FAILURES_PER_NAME {
            assert!(!l.blocked("canbo", None, 0));
            l.fail("canbo", None, 0);
        }
        assert!(l.blocked("canbo", None, 1));
        assert!(!l.blocked("other", None, 1));
        assert!(!l.blocked("canbo", None, FAILURE_WINDOW_MS));
    }
}
