//! Accounts as an administrator manages them: the shapes of the account API and the rules
//! the app checks as the administrator types and the server checks again (user names,
//! passwords). Passwords are hashed with argon2 on the server; nothing here sees a hash.

use crate::i18n::Msg;
use crate::model::{Millis, Role};
use crate::validate::FieldError;
use serde::{Deserialize, Serialize};

/// Shortest password accepted, in characters (NIST SP 800-63B §5.1.1.2: at least 8).
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest password accepted, in bytes (argon2 hashes anything; a megabyte would cost).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// User names: 3 to 64 characters.
pub const MIN_USERNAME_CHARS: usize = 3;
pub const MAX_USERNAME_CHARS: usize = 64;
/// Longest display name, in characters.
pub const MAX_DISPLAY_NAME_CHARS: usize = 120;

/// One account as the administrator's list shows it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Area paths the account covers ("NB/HLU/NHAI/").
    pub scopes: Vec<String>,
    /// Area names, in the order of `scopes`.
    #[serde(default)]
    pub scope_names: Vec<String>,
    /// False once deactivated: cannot sign in; its work already synced stays.
    pub active: bool,
    /// True after a temporary password (a new account, a reset) until its owner changes it.
    pub must_change_password: bool,
    /// Last successful sign-in, ms since epoch; None for never.
    pub last_sign_in_at: Option<Millis>,
    /// ms since epoch.
    pub created_at: Millis,
}

/// `GET /api/users`: one page of accounts.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountList {
    pub accounts: Vec<Account>,
    /// How many accounts match in all (the list may be cut at the page size).
    pub total: u64,
}

/// `POST /api/users`: a new officer, supervisor or administrator.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAccount {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    /// Area ids the account covers (communes or districts for an officer; the province
    /// for a supervisor). Each must lie inside the administrator's own areas.
    #[serde(default)]
    pub areas: Vec<String>,
}

/// A temporary password, shown once to the administrator who made it; its owner must
/// change it at first sign-in.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemporaryPassword {
    pub account: Account,
    pub temporary_password: String,
}

/// `POST /api/me/password`: the signed-in user changes their own password.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
}

/// Lower case, trimmed: how user names are stored and compared.
pub fn normalize_username(s: &str) -> String {
    s.trim().to_lowercase()
}

/// Checks a new user name (already normalised): 3–64 characters of letters a–z, digits,
/// '.', '_' or '-' (no spaces or diacritics: typed on any keyboard, in any URL).
pub fn check_username(name: &str, errors: &mut Vec<FieldError>) {
    let n = name.chars().count();
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !(MIN_USERNAME_CHARS..=MAX_USERNAME_CHARS).contains(&n) || !ok_chars {
        errors.push(FieldError::new(
            "username",
            format!("Tên đăng nhập gồm {MIN_USERNAME_CHARS}–{MAX_USERNAME_CHARS} ký tự: chữ không dấu, số, dấu chấm, gạch dưới hoặc gạch ngang."),
            format!("A user name has {MIN_USERNAME_CHARS}–{MAX_USERNAME_CHARS} characters: letters a–z, digits, '.', '_' or '-'."),
        ));
    }
}

/// Checks a password chosen by its owner (or by the CLI): at least
/// [`MIN_PASSWORD_CHARS`] characters, at most [`MAX_PASSWORD_BYTES`] bytes, not the user
/// name. `field` names the form field in the error.
pub fn check_password(field: &str, password: &str, username: &str, errors: &mut Vec<FieldError>) {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        errors.push(FieldError::new(
            field,
            format!("Mật khẩu cần ít nhất {MIN_PASSWORD_CHARS} ký tự."),
            format!("A password needs at least {MIN_PASSWORD_CHARS} characters."),
        ));
    } else if password.len() > MAX_PASSWORD_BYTES {
        errors.push(FieldError::new(
            field,
            format!("Mật khẩu dài tối đa {MAX_PASSWORD_BYTES} byte."),
            format!("A password has at most {MAX_PASSWORD_BYTES} bytes."),
        ));
    } else if normalize_username(password) == normalize_username(username) {
        errors.push(FieldError::new(
            field,
            "Mật khẩu không được trùng tên đăng nhập.",
            "The password cannot be the user name.",
        ));
    }
}

/// Checks a new account's fields (the areas are the server's to check).
pub fn validate_new_account(a: &NewAccount) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_username(&normalize_username(&a.username), &mut errors);
    let name = a.display_name.trim();
    if name.is_empty() {
        errors.push(FieldError::new(
            "display_name",
            "Hãy nhập họ tên.",
            "Enter the person's name.",
        ));
    } else {
        crate::validate::check_len("display_name", name, MAX_DISPLAY_NAME_CHARS, &mut errors);
    }
    // Every account covers an area: one with none would be anyone's to manage (and to
    // widen later).
    if a.areas.is_empty() {
        errors.push(FieldError::new(
            "areas",
            "Hãy chọn ít nhất một địa bàn.",
            "Choose at least one area.",
        ));
    }
    errors
}

/// The message for a deactivated account that signs in with the right password.
pub fn deactivated_message() -> Msg {
    Msg::new(
        "Tài khoản này đã bị khóa. Hãy liên hệ quản trị viên của Liên minh.",
        "This account is deactivated. Contact your alliance's administrator.",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_are_plain() {
        for ok in ["canbo.hoalu", "nguyen_van_a", "cb-01"] {
            let mut e = Vec::new();
            check_username(ok, &mut e);
            assert!(e.is_empty(), "{ok}");
        }
        for bad in ["ab", "cán bộ", "a b c", &"x".repeat(65), "Admin"] {
            let mut e = Vec::new();
            check_username(bad, &mut e);
            assert_eq!(e.len(), 1, "{bad} refused");
        }
        assert_eq!(normalize_username("  CanBo "), "canbo");
    }

    #[test]
    fn passwords_have_a_floor_and_are_not_the_name() {
        let check = |p: &str| {
            let mut e = Vec::new();
            check_password("new_password", p, "canbo", &mut e);
            e
        };
        assert_eq!(check("1234567").len(), 1, "7 characters are too few");
        assert!(
            check("mật-khẩu-8").is_empty(),
            "8 characters, diacritics allowed"
        );
        assert_eq!(check("CANBO").len(), 1);
        assert_eq!(check(&"x".repeat(2000))[0].field, "new_password");
        let mut e = Vec::new();
        check_password("p", "CanBo   ", "canbo", &mut e);
        assert_eq!(
            e.len(),
            1,
            "the name padded to 8 characters is still the name"
        );
    }

    #[test]
    fn every_account_needs_an_area() {
        let a = NewAccount {
            username: "canbo2".into(),
            display_name: " ".into(),
            role: Role::Officer,
            areas: vec![],
        };
        let fields: Vec<_> = validate_new_account(&a)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["display_name", "areas"]);
    }
}
