//! Accounts managed by administrators: create with a temporary password, reset it,
//! deactivate (every session revoked at once; the work already synced stays) and
//! reactivate; and everyone's own password change. Each change is in the audit trail
//! (entity "user", id the account's; no password or hash is ever written there).
//!
//! An administrator manages only accounts inside their own areas (every area the account
//! covers lies inside one of theirs; an account with no area yet is anyone's to manage),
//! as for assignments ([`crate::rules::assignments`]).

use super::accounts::{hash_password, token_hash};
use crate::error::{ApiError, ApiResult};
use crate::storage::{self, users::NewUser, Db, Who, WriteTx};
use hoptac_core::accounts::{
    check_password, normalize_username, validate_new_account, Account, AccountList, NewAccount,
    TemporaryPassword,
};
use hoptac_core::i18n::Msg;
use hoptac_core::model::{in_scope, Role, UserInfo};
use rand::Rng;

/// Most accounts one list answers (the search narrows it; the total says how many match).
pub const PAGE: i64 = 200;

/// Letters and digits that cannot be mistaken for each other when read aloud or copied
/// from a screen (no 0/o, 1/l/i).
const TEMP_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A temporary password: 12 characters from [`TEMP_ALPHABET`] in three groups of four
/// ("k7mq-2xhe-9raw"), about 59 bits from the operating system's generator.
pub fn temporary_password() -> String {
    let mut rng = rand::rngs::OsRng;
    let groups: Vec<String> = (0..3)
        .map(|_| {
            (0..4)
                .map(|_| TEMP_ALPHABET[rng.gen_range(0..TEMP_ALPHABET.len())] as char)
                .collect()
        })
        .collect();
    groups.join("-")
}

fn require_admin(user: &UserInfo) -> ApiResult<()> {
    if user.role == Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "only administrators manage accounts".into(),
        ))
    }
}

/// The account `id` for `admin` to change, locked; 404 when it does not exist or lies
/// outside the administrator's areas (no telling other provinces' accounts exist).
async fn managed(tx: &mut WriteTx<'_>, admin: &UserInfo, id: &str) -> ApiResult<Account> {
    let a = storage::users::account_in(tx, id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no account with id '{id}'")))?;
    may_manage(admin, &a.id, a.role, &a.scopes)?;
    Ok(a)
}

/// Whether `admin` covers a whole province (a root area: a path of one segment, "NB/").
pub fn covers_a_root(admin: &UserInfo) -> bool {
    admin.scopes.iter().any(|p| p.matches('/').count() == 1)
}

/// Whether `admin` may change the account `id` (of `role`, covering `scopes`): every area
/// it covers lies inside the administrator's (else 404: no telling it exists); an account
/// with no area only by an administrator of a whole province; another administrator only
/// by one of a strictly wider area (two administrators of one district cannot lock each
/// other out).
pub fn may_manage(admin: &UserInfo, id: &str, role: Role, scopes: &[String]) -> ApiResult<()> {
    let not_found = || ApiError::NotFound(format!("no account with id '{id}'"));
    if scopes.iter().any(|p| !in_scope(p, &admin.scopes)) {
        return Err(not_found());
    }
    if scopes.is_empty() && !covers_a_root(admin) {
        return Err(not_found());
    }
    let wider = admin.scopes.iter().any(|p| !in_scope(p, scopes));
    if role == Role::Admin && id != admin.id && !wider {
        return Err(ApiError::Forbidden(
            "another administrator of the same areas: only an administrator of a wider area changes this account".into(),
        ));
    }
    Ok(())
}

fn json(a: &Account) -> ApiResult<String> {
    // Never a password: the account as listed (active, must_change_password, areas).
    Ok(serde_json::to_string(&serde_json::json!({
        "username": a.username,
        "display_name": a.display_name,
        "role": a.role,
        "active": a.active,
        "must_change_password": a.must_change_password,
        "areas": a.scopes,
    }))?)
}

/// `GET /api/users`: accounts inside the administrator's areas whose user name or name
/// contains `search`, at most [`PAGE`], with the total.
pub async fn list(db: &Db, admin: &UserInfo, search: &str) -> ApiResult<AccountList> {
    require_admin(admin)?;
    let (accounts, total) =
        storage::users::list(db, &admin.scopes, covers_a_root(admin), search, PAGE).await?;
    Ok(AccountList { accounts, total })
}

/// Creates an account with a temporary password (returned once) that its owner must
/// change at first sign-in; gives it `new.areas`.
///
/// Errors: 403 for a non-administrator or an area outside the administrator's; 422 for a
/// bad user name, name, a taken user name, or an officer with no area; 400 for an unknown
/// area.
pub async fn create(db: &Db, admin: &UserInfo, new: &NewAccount) -> ApiResult<TemporaryPassword> {
    require_admin(admin)?;
    let errors = validate_new_account(new);
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let username = normalize_username(&new.username);
    let password = temporary_password();
    let hash = hash_password(&password).await;
    let id = uuid::Uuid::new_v4().to_string();
    let mut tx = db.begin_write().await?;
    check_areas(&mut tx, admin, &new.areas).await?;
    let inserted = storage::users::insert(
        &mut tx,
        &NewUser {
            id: &id,
            username: &username,
            password_hash: &hash,
            display_name: new.display_name.trim(),
            role: new.role,
            must_change_password: true,
        },
    )
    .await?;
    if !inserted {
        return Err(ApiError::field(
            "username",
            Msg::new(
                format!("Tên đăng nhập \"{username}\" đã có người dùng. Hãy chọn tên khác."),
                format!("The user name \"{username}\" is taken. Choose another."),
            ),
        ));
    }
    let now = storage::now_ms();
    let mut areas = new.areas.clone();
    areas.sort();
    areas.dedup();
    for a in &areas {
        storage::users::grant(&mut tx, &id, a, Some(&admin.id), now).await?;
    }
    let account = storage::users::account_in(&mut tx, &id)
        .await?
        .ok_or_else(|| ApiError::Internal("the account just made is missing".into()))?;
    tx.audit_only(
        "user",
        &id,
        Who::online(admin),
        "create",
        None,
        &json(&account)?,
    );
    tx.commit().await?;
    tracing::info!(user = %username, by = %admin.id, "account created");
    Ok(TemporaryPassword {
        account,
        temporary_password: password,
    })
}

/// Checks the areas an administrator grants (a new account's, or a user's new set): each
/// id must name an area (400), inside `admin`'s own areas (403: one grants only what one
/// covers) and still open (400: a closed area's records moved to the area that replaced it).
pub(super) async fn check_areas(
    tx: &mut WriteTx<'_>,
    admin: &UserInfo,
    areas: &[String],
) -> ApiResult<()> {
    for a in areas {
        let Some(area) = storage::areas::get_in(tx, a).await? else {
            return Err(ApiError::BadRequest(format!(
                "no area with id '{a}': use the ids of the area list"
            )));
        };
        if !in_scope(&area.path, &admin.scopes) {
            return Err(ApiError::Forbidden(format!(
                "area '{a}' is outside your own areas: you can grant only areas you cover"
            )));
        }
        if let Some(since) = &area.closed_on {
            return Err(ApiError::BadRequest(format!(
                "area '{a}' was closed on {since} by a reorganisation: give the area that replaced it"
            )));
        }
    }
    Ok(())
}

/// Gives account `id` a new temporary password (returned once) and ends its sessions:
/// whoever held the old password is signed out everywhere. Its unsent work stays on its
/// tablets and is sent after the next sign-in. Not one's own (403: that is
/// [`change_own_password`]).
pub async fn reset_password(db: &Db, admin: &UserInfo, id: &str) -> ApiResult<TemporaryPassword> {
    require_admin(admin)?;
    if id == admin.id {
        // It would sign the administrator out everywhere, this session too.
        return Err(ApiError::Forbidden(
            "your own password is changed with POST /api/me/password, not reset".into(),
        ));
    }
    let password = temporary_password();
    let hash = hash_password(&password).await;
    let mut tx = db.begin_write().await?;
    let before = managed(&mut tx, admin, id).await?;
    storage::users::set_password(&mut tx, id, &hash, true).await?;
    storage::users::revoke_sessions(&mut tx, id, None).await?;
    let mut account = before.clone();
    account.must_change_password = true;
    tx.audit_only(
        "user",
        id,
        Who::online(admin),
        "reset_password",
        Some(&json(&before)?),
        &json(&account)?,
    );
    tx.commit().await?;
    tracing::info!(user = %account.username, by = %admin.id, "password reset");
    Ok(TemporaryPassword {
        account,
        temporary_password: password,
    })
}

/// Deactivates (`active` false: every session revoked in the same transaction) or
/// reactivates account `id`. An administrator cannot deactivate themselves.
pub async fn set_active(db: &Db, admin: &UserInfo, id: &str, active: bool) -> ApiResult<Account> {
    require_admin(admin)?;
    if !active && id == admin.id {
        return Err(ApiError::Forbidden(
            "you cannot deactivate your own account: ask another administrator".into(),
        ));
    }
    let mut tx = db.begin_write().await?;
    let before = managed(&mut tx, admin, id).await?;
    if before.active == active {
        return Ok(before);
    }
    storage::users::set_active(&mut tx, id, active).await?;
    if !active {
        storage::users::revoke_sessions(&mut tx, id, None).await?;
    }
    let mut account = before.clone();
    account.active = active;
    let action = if active { "reactivate" } else { "deactivate" };
    tx.audit_only(
        "user",
        id,
        Who::online(admin),
        action,
        Some(&json(&before)?),
        &json(&account)?,
    );
    tx.commit().await?;
    tracing::info!(user = %account.username, by = %admin.id, action, "account changed");
    Ok(account)
}

/// The signed-in user changes their own password (the only thing a temporary password
/// allows). Their other sessions end; this one goes on.
///
/// Errors: 422 `current_password` when it is wrong, 422 `new_password` when it breaks
/// [`check_password`] or equals the current one, 429 after as many wrong current
/// passwords as the sign-in brake allows (they count with failed sign-ins).
pub async fn change_own_password(
    db: &Db,
    limiter: &super::accounts::LoginLimiter,
    address: Option<std::net::IpAddr>,
    user: &UserInfo,
    token: &str,
    current: &str,
    new: &str,
) -> ApiResult<UserInfo> {
    // The sign-in brake applies: a stolen session must not become a way to guess the
    // password (and so keep the account after the session ends).
    let mut errors = Vec::new();
    check_password("new_password", new, &user.username, &mut errors);
    if errors.is_empty() && new == current {
        errors.push(hoptac_core::validate::FieldError::new(
            "new_password",
            "Mật khẩu mới phải khác mật khẩu cũ.",
            "The new password must differ from the current one.",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    // Counted before the check (and forgotten when it is right): parallel guesses too.
    if !limiter
        .attempt(db, &user.username, address, storage::now_ms())
        .await?
    {
        return Err(ApiError::RateLimited);
    }
    let hash = storage::users::password_hash(db, &user.id).await?;
    if current.len() > hoptac_core::accounts::MAX_PASSWORD_BYTES
        || !super::accounts::verify(current, hash).await
    {
        limiter.fail(db, address, storage::now_ms()).await?;
        return Err(ApiError::field(
            "current_password",
            Msg::new(
                "Mật khẩu hiện tại không đúng.",
                "The current password is wrong.",
            ),
        ));
    }
    limiter.succeed(db, &user.username).await?;
    let new_hash = hash_password(new).await;
    let mut tx = db.begin_write().await?;
    storage::users::set_password(&mut tx, &user.id, &new_hash, false).await?;
    storage::users::revoke_sessions(&mut tx, &user.id, Some(&token_hash(token))).await?;
    let me = Who::online(user);
    tx.audit_only(
        "user",
        &user.id,
        me,
        "change_password",
        Some(&serde_json::to_string(
            &serde_json::json!({ "must_change_password": user.must_change_password }),
        )?),
        &serde_json::to_string(&serde_json::json!({ "must_change_password": false }))?,
    );
    tx.commit().await?;
    tracing::info!(user = %user.username, "password changed");
    let mut me = user.clone();
    me.must_change_password = false;
    Ok(me)
}

/// Who a first administrator is and what they cover (`hoptac-server admin create`).
#[derive(Debug, Clone, Default)]
pub struct FirstAdmin {
    pub username: String,
    pub display_name: String,
    pub password: String,
    /// Today's provinces the alliance covers, by official code ("37"), or "all" for a
    /// national alliance: loaded from the bundled official units when the tree lacks
    /// them, and the administrator covers them.
    pub provinces: Vec<String>,
    /// Or an area of the tree the administrator covers (an id).
    pub area: Option<String>,
}

/// The first administrator, made from the command line (`hoptac-server admin create`)
/// with the password its owner typed. The provinces named are loaded from the bundled
/// official units ([`crate::units`]: each province and its communes, wards and special
/// zones since 1 July 2025) when the tree does not hold them yet; never demo data. The
/// administrator covers those provinces, or `area`, or the tree's one province.
///
/// Errors are plain messages for the terminal.
pub async fn create_first_admin(
    db: &Db,
    req: &FirstAdmin,
) -> Result<(String, Vec<String>), String> {
    let (display_name, password, area) = (&req.display_name, &req.password, req.area.as_deref());
    let username = normalize_username(&req.username);
    let mut errors = Vec::new();
    hoptac_core::accounts::check_username(&username, &mut errors);
    check_password("password", password, &username, &mut errors);
    if let Some(e) = errors.first() {
        return Err(format!("{} ({})", e.message.vi, e.message.en));
    }
    let codes: Vec<String> = if req.provinces.iter().any(|p| p.trim() == "all") {
        crate::units::provinces()
            .into_iter()
            .map(|(c, _)| c)
            .collect()
    } else {
        req.provinces
            .iter()
            .flat_map(|p| p.split(','))
            .map(|p| format!("{:0>2}", p.trim()))
            .filter(|p| p != "00")
            .collect()
    };
    // A province named twice ("37,37", "1" and "01") is loaded once.
    let mut seen = std::collections::BTreeSet::new();
    let codes: Vec<String> = codes
        .into_iter()
        .filter(|c| seen.insert(c.clone()))
        .collect();
    let hash = hash_password(password).await;
    let mut tx = db.begin_write().await.map_err(|e| e.to_string())?;
    let existing = storage::areas::all_in(&mut tx)
        .await
        .map_err(|e| e.to_string())?;
    if existing.is_empty() && codes.is_empty() && area.is_none() {
        let list: Vec<String> = crate::units::provinces()
            .into_iter()
            .map(|(c, n)| format!("{c} {n}"))
            .collect();
        return Err(format!(
            "the database has no areas yet: give the provinces the alliance covers with --province CODE (repeat it, or --province all for the whole country). Codes: {}",
            list.join(", ")
        ));
    }
    // The provinces the tree lacks (by code), from the bundled list.
    let missing: Vec<String> = codes
        .iter()
        .filter(|c| {
            !existing.iter().any(|a| {
                a.parent_id.is_none() && a.is_open() && a.code.as_deref() == Some(c.as_str())
            })
        })
        .cloned()
        .collect();
    let taken: std::collections::BTreeSet<String> = existing.iter().map(|a| a.id.clone()).collect();
    let made = crate::units::areas_today(&missing, &taken)?;
    for a in &made {
        storage::areas::insert(&mut tx, a)
            .await
            .map_err(|e| e.to_string())?;
        tx.log_change(
            "area",
            &a.id,
            &a.path,
            &serde_json::to_string(&hoptac_core::sync::Change::Area(a.clone()))
                .map_err(|e| e.to_string())?,
        );
    }
    let all: Vec<hoptac_core::model::Area> =
        existing.into_iter().chain(made.iter().cloned()).collect();
    let covered: Vec<hoptac_core::model::Area> = if let Some(a) = area {
        vec![all
            .iter()
            .find(|x| x.id == a)
            .cloned()
            .ok_or_else(|| format!("no area with id '{a}'"))?]
    } else if !codes.is_empty() {
        codes
            .iter()
            .filter_map(|c| {
                all.iter()
                    .find(|a| a.parent_id.is_none() && a.is_open() && a.code.as_deref() == Some(c))
                    .cloned()
            })
            .collect()
    } else {
        let roots: Vec<&hoptac_core::model::Area> = all
            .iter()
            .filter(|a| a.parent_id.is_none() && a.is_open())
            .collect();
        match roots.as_slice() {
            [one] => vec![(*one).clone()],
            _ => {
                return Err(
                    "the tree has several provinces: choose with --province CODE or --area ID"
                        .into(),
                )
            }
        }
    };
    let id = uuid::Uuid::new_v4().to_string();
    let name = if display_name.trim().is_empty() {
        username.as_str()
    } else {
        display_name.trim()
    };
    let inserted = storage::users::insert(
        &mut tx,
        &NewUser {
            id: &id,
            username: &username,
            password_hash: &hash,
            display_name: name,
            role: Role::Admin,
            must_change_password: false,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    if !inserted {
        return Err(format!(
            "the user name '{username}' is taken: choose another"
        ));
    }
    for area in &covered {
        storage::users::grant(&mut tx, &id, &area.id, None, storage::now_ms())
            .await
            .map_err(|e| e.to_string())?;
    }
    let me = Who {
        id: &id,
        name,
        client_id: None,
    };
    tx.audit_only(
        "user",
        &id,
        me,
        "create",
        None,
        &serde_json::json!({ "username": username, "role": "admin", "areas": covered.iter().map(|a| &a.path).collect::<Vec<_>>(), "by": "command line" }).to_string(),
    );
    tx.commit().await.map_err(|e| e.to_string())?;
    let mut notes = Vec::new();
    if !made.is_empty() {
        notes.push(format!(
            "loaded the official units since 1 July 2025: {} provinces, {} communes, wards and special zones",
            made.iter().filter(|a| a.parent_id.is_none()).count(),
            made.iter().filter(|a| a.parent_id.is_some()).count()
        ));
    }
    for a in &covered {
        notes.push(format!("covers {} ({})", a.name, a.path));
    }
    Ok((id, notes))
}
